"""What a compatible route (compat/: mem0's, Redis AMS's, Zep's) adds over mnemo's own route for the
same work: each pair timed on one real `mnemo serve`, alternating, after a warm-up; the ratio of
their medians. Run: `python -m mnemo.benchmarks.latency.compat_routes [--rounds N] [--out FILE]`."""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from mnemo_client import AsyncMnemo

from ..server import serve

USER = "bench-user"
WARM_UP = 5
Call = Callable[[AsyncMnemo], Awaitable[Any]]


def _ok(reply: Any) -> Any:
    if reply.status >= 300:
        raise RuntimeError(f"{reply.status}: {reply.body}")
    return reply.body


def pairs(memory_id: str, thread: str) -> dict[str, tuple[Call, Call]]:
    """Route name → (mnemo's own call, the compatible one), each doing the same work."""

    def native_write(c: AsyncMnemo) -> Awaitable[Any]:
        memory = {"type": "semantic", "content": f"A note {uuid.uuid4().hex}", "scope": {"user_id": USER}}
        return c.request(
            "POST", "/v1/memories", json={"memories": [memory], "prefilter": False, "dedup": False}
        )

    def mem0_add(c: AsyncMnemo) -> Awaitable[Any]:
        body = {
            "messages": [{"role": "user", "content": f"A note {uuid.uuid4().hex}"}],
            "user_id": USER,
            "infer": False,
        }
        return c.request("POST", "/mem0/v3/memories/add/", json=body)

    search = {"q": "which instrument does Alice play?", "user_id": USER, "type": "semantic", "limit": 10}
    return {
        "mem0 add (infer=false) / POST /v1/memories": (native_write, mem0_add),
        "mem0 get / GET /v1/memories/{id}": (
            lambda c: c.request("GET", f"/v1/memories/{memory_id}"),
            lambda c: c.request("GET", f"/mem0/v1/memories/{memory_id}/"),
        ),
        "mem0 search / GET /v1/memories/search": (
            lambda c: c.request("GET", "/v1/memories/search", params=search),
            lambda c: c.request(
                "POST",
                "/mem0/v3/memories/search/",
                json={"query": search["q"], "filters": {"user_id": USER}, "top_k": 10},
            ),
        ),
        "AMS long-term search / GET /v1/memories/search": (
            lambda c: c.request("GET", "/v1/memories/search", params=search),
            lambda c: c.request(
                "POST",
                "/ams/v1/long-term-memory/search",
                json={"text": search["q"], "user_id": {"eq": USER}, "memory_type": {"eq": "semantic"}},
            ),
        ),
        "Zep graph.search edges / GET /v1/memories/search": (
            lambda c: c.request("GET", "/v1/memories/search", params=search),
            lambda c: c.request(
                "POST",
                "/zep/api/v2/graph/search",
                json={"query": search["q"], "user_id": USER, "scope": "edges"},
            ),
        ),
        "Zep thread context / POST /v1/retrieve": (
            lambda c: c.request(
                "POST", "/v1/retrieve", json={"query": "Alice cello quartet", "scope": {"user_id": USER}}
            ),
            lambda c: c.request("GET", f"/zep/api/v2/threads/{thread}/context"),
        ),
    }


async def _time(client: AsyncMnemo, call: Call) -> float:
    started = time.perf_counter()
    _ok(await call(client))
    return (time.perf_counter() - started) * 1000


async def _seed(client: AsyncMnemo, memories: int) -> tuple[str, str]:
    facts = [f"Fact {n}: shelf {n} in the workshop holds jars of screws." for n in range(memories)]
    facts.append("Alice plays the cello in a string quartet on Fridays.")
    body = {"memories": [{"type": "semantic", "content": f, "scope": {"user_id": USER}} for f in facts]}
    written = _ok(await client.request("POST", "/v1/memories", json=body))
    thread = "bench-thread"
    _ok(await client.request("POST", "/zep/api/v2/users", json={"user_id": USER, "first_name": "Alice"}))
    _ok(await client.request("POST", "/zep/api/v2/threads", json={"thread_id": thread, "user_id": USER}))
    said = {"messages": [{"role": "user", "content": "Alice cello quartet"}]}
    _ok(await client.request("POST", f"/zep/api/v2/threads/{thread}/messages", json=said))
    return str(written["results"][-1]["id"]), thread


async def measure(rounds: int, memories: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        async with (
            serve(root / "data", root / "serve.log") as server,
            AsyncMnemo(server.url, timeout=120) as client,
        ):
            memory_id, thread = await _seed(client, memories)
            out: dict[str, Any] = {"rounds": rounds, "memories": memories + 1, "routes": {}}
            for name, (native, compatible) in pairs(memory_id, thread).items():
                for _ in range(WARM_UP):
                    await _time(client, native)
                    await _time(client, compatible)
                own, other = [], []
                for _ in range(rounds):  # alternating, so that drift in the machine's load hits both
                    own.append(await _time(client, native))
                    other.append(await _time(client, compatible))
                own_ms, other_ms = statistics.median(own), statistics.median(other)
                out["routes"][name] = {
                    "native_median_ms": round(own_ms, 2),
                    "compat_median_ms": round(other_ms, 2),
                    "ratio": round(other_ms / own_ms, 2),
                }
            return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=50, help="timed calls of each route (default 50)")
    parser.add_argument("--memories", type=int, default=200, help="memories in the store (default 200)")
    parser.add_argument("--out", type=Path, help="write the result as JSON here too")
    args = parser.parse_args(argv)
    result = asyncio.run(measure(args.rounds, args.memories))
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
