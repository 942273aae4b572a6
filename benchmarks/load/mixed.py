"""`mnemo bench load`: bounded mixed load on a real server over loopback, then a read-back of every
acknowledged write.

The server is the real service in a child process (`benchmarks/server.py`) with its embedded
engines. `clients` concurrent loops run for `duration_s`, each drawing its next operation from a
seeded mix: memory writes (POST /v1/memories, one memory each), retrievals (POST /v1/retrieve),
working-memory appends and reads. Every response's latency and status code is recorded per
operation. Then every acknowledged write is read back: each memory id a 201 answered (GET
/v1/memories/{id}) and each working item an append answered (in GET /v1/working/{task}). A 5xx, a
failed connection or a write that cannot be read back makes the run fail.
"""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mnemo_client import AsyncMnemo, Limits, MnemoConnectionError

from ..metrics import percentiles
from ..report import bar_plot, machine, machine_line_with_final_load, markdown_blocks, table, write_outputs
from ..server import failure_name, serve
from ..synthetic import generate

OPERATIONS = ("write", "retrieve", "working_append", "working_read")
DEFAULT_MIX = {"write": 0.3, "retrieve": 0.4, "working_append": 0.15, "working_read": 0.15}
# Appends per working task before a client moves to a new one: ~40 short items stay far below the
# task's token limit, so nothing is evicted and every acknowledged item must still be there.
_ITEMS_PER_TASK = 40
_ACKNOWLEDGED = {"created", "updated", "unchanged", "merged"}


@dataclass(frozen=True)
class LoadOptions:
    duration_s: float = 60.0
    clients: int = 16
    seed: int = 0
    mix: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_MIX))
    budget_tokens: int = 1_000
    pool: int = 3_000  # synthetic memories to write from (reused with a suffix when exhausted)
    work_dir: Path | None = None


@dataclass
class Recorder:
    latencies_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    memory_ids: set[str] = field(default_factory=set)  # acknowledged memory writes
    working_items: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # task → ids
    skipped_writes: Counter[str] = field(default_factory=Counter)  # by the pre-filter's reason
    evicted: int = 0

    def record(self, operation: str, started: float, status: int | str) -> None:
        self.latencies_ms[operation].append((time.perf_counter() - started) * 1000)
        self.statuses[operation][str(status)] += 1


class Workload:
    """The seeded content: memories to write and retrieval bodies, from the synthetic generator."""

    def __init__(self, options: LoadOptions) -> None:
        memories, queries = generate(options.pool, options.seed)
        self.memories = memories
        self.retrievals = [
            {
                "query": q["query"],
                "scope": q["scope"],
                "budget_tokens": options.budget_tokens,
                "now": q["now"],
            }
            for q in queries
        ]
        self._next = 0

    def next_memory(self) -> dict[str, Any]:
        """Each write is a new memory: past the pool, the same ones again under new ids and words."""
        index, round_ = self._next % len(self.memories), self._next // len(self.memories)
        self._next += 1
        memory = dict(self.memories[index])
        if round_:
            memory["id"] = f"{memory['id']}#r{round_}"
            memory["content"] = f"{memory['content']} (load round {round_})"
        return memory


async def _client_loop(
    client: AsyncMnemo,
    number: int,
    options: LoadOptions,
    workload: Workload,
    recorder: Recorder,
    deadline: float,
) -> None:
    rng = random.Random(options.seed * 1_000 + number)
    operations, weights = list(options.mix), list(options.mix.values())
    appends = 0
    while time.monotonic() < deadline:
        operation = rng.choices(operations, weights)[0]
        task = f"load-c{number}-t{appends // _ITEMS_PER_TASK}"
        started = time.perf_counter()
        try:
            if operation == "write":
                reply = await client.request(
                    "POST", "/v1/memories", json={"memories": [workload.next_memory()]}
                )
                if reply.status == 201:
                    for result in reply.body["results"]:
                        if result["status"] in _ACKNOWLEDGED:
                            recorder.memory_ids.add(result["id"])
                        else:
                            # "duplicate of <id>" counts as one reason, whichever memory it repeats
                            reason = str(result.get("reason") or result["status"]).split(" of ")[0]
                            recorder.skipped_writes[reason] += 1
            elif operation == "retrieve":
                reply = await client.request("POST", "/v1/retrieve", json=rng.choice(workload.retrievals))
            elif operation == "working_append":
                body = {"content": f"client {number} note {appends}: check item {rng.randrange(10**6)}"}
                reply = await client.request("POST", f"/v1/working/{task}/items", json=body)
                if reply.status == 201:
                    result = reply.body
                    recorder.working_items[task].add(result["item"]["id"])
                    for evicted in result["evicted"]:  # moved to episodic memory: not expected in the task
                        recorder.working_items[task].discard(evicted["id"])
                        recorder.evicted += 1
                appends += 1
            else:
                reply = await client.request("GET", f"/v1/working/{task}")
        except MnemoConnectionError as exc:
            recorder.record(operation, started, failure_name(exc))
            continue
        recorder.record(operation, started, reply.status)


async def _read_back(client: AsyncMnemo, recorder: Recorder, clients: int) -> dict[str, Any]:
    """Every acknowledged write, read back; answers what is missing."""
    gate = asyncio.Semaphore(clients)
    lost_memories: list[str] = []
    lost_items: list[str] = []
    errors: Counter[str] = Counter()

    async def memory(memory_id: str) -> None:
        async with gate:
            try:
                reply = await client.request("GET", f"/v1/memories/{memory_id}")
            except MnemoConnectionError as exc:
                errors[failure_name(exc)] += 1
                lost_memories.append(memory_id)
                return
            if reply.status != 200:
                errors[str(reply.status)] += 1
                lost_memories.append(memory_id)

    async def task(task_id: str, expected: set[str]) -> None:
        async with gate:
            try:
                reply = await client.request("GET", f"/v1/working/{task_id}")
                found = {item["id"] for item in reply.body["items"]} if reply.status == 200 else set()
            except (MnemoConnectionError, ValueError, KeyError) as exc:
                errors[failure_name(exc)] += 1
                found = set()
            lost_items.extend(sorted(expected - found))

    await asyncio.gather(
        *(memory(m) for m in sorted(recorder.memory_ids)),
        *(task(t, ids) for t, ids in sorted(recorder.working_items.items())),
    )
    return {
        "memories_checked": len(recorder.memory_ids),
        "working_items_checked": sum(len(ids) for ids in recorder.working_items.values()),
        "lost_memories": lost_memories[:50],
        "lost_memory_count": len(lost_memories),
        "lost_working_items": lost_items[:50],
        "lost_working_item_count": len(lost_items),
        "read_back_errors": dict(errors),
    }


def _summary(recorder: Recorder, wall_s: float) -> dict[str, Any]:
    per_operation: dict[str, Any] = {}
    for operation in OPERATIONS:
        latencies = recorder.latencies_ms.get(operation, [])
        statuses = recorder.statuses.get(operation, Counter())
        per_operation[operation] = {
            "requests": len(latencies),
            "per_s": round(len(latencies) / wall_s, 2) if wall_s else 0.0,
            "latency_ms": {k: round(v, 2) for k, v in percentiles(latencies, (50, 95, 99)).items()},
            "statuses": dict(sorted(statuses.items())),
        }
    return per_operation


async def run_load(options: LoadOptions, say: Callable[[str], None]) -> dict[str, Any]:
    workload = Workload(options)
    info = machine()
    recorder = Recorder()
    with tempfile.TemporaryDirectory(dir=options.work_dir, prefix="mnemo-load-") as scratch:
        say(f"load: starting the server on {scratch}")
        async with serve(Path(scratch) / "data", Path(scratch) / "server.log") as server:
            limits = Limits(max_connections=options.clients, max_keepalive_connections=options.clients)
            async with AsyncMnemo(server.url, timeout=30, limits=limits) as client:
                say(f"load: {options.clients} clients for {options.duration_s:.0f} s")
                started = time.perf_counter()
                deadline = time.monotonic() + options.duration_s
                await asyncio.gather(
                    *(
                        _client_loop(client, n, options, workload, recorder, deadline)
                        for n in range(options.clients)
                    )
                )
                wall_s = time.perf_counter() - started
                say("load: reading back every acknowledged write")
                read_back = await _read_back(client, recorder, options.clients)
    per_operation = _summary(recorder, wall_s)
    all_statuses: Counter[str] = Counter()
    for operation in per_operation.values():
        all_statuses.update(operation["statuses"])
    server_errors = sum(n for s, n in all_statuses.items() if s.startswith("5"))
    transport_errors = sum(n for s, n in all_statuses.items() if not s.isdigit())
    total = sum(op["requests"] for op in per_operation.values())
    return {
        "machine": info,
        "load_avg_1m_at_end": round(os.getloadavg()[0], 2),
        "options": {
            "duration_s": options.duration_s,
            "clients": options.clients,
            "seed": options.seed,
            "mix": options.mix,
            "budget_tokens": options.budget_tokens,
        },
        "wall_s": round(wall_s, 2),
        "requests": total,
        "throughput_per_s": round(total / wall_s, 2) if wall_s else 0.0,
        "statuses": dict(sorted(all_statuses.items())),
        "server_errors": server_errors,
        "transport_errors": transport_errors,
        "skipped_writes": dict(recorder.skipped_writes),
        "evicted_working_items": recorder.evicted,
        "per_operation": per_operation,
        "read_back": read_back,
        "ok": server_errors == 0
        and transport_errors == 0
        and read_back["lost_memory_count"] == 0
        and read_back["lost_working_item_count"] == 0,
    }


def markdown(results: dict[str, Any]) -> str:
    options, read_back = results["options"], results["read_back"]
    rows = [
        [
            op,
            data["requests"],
            data["per_s"],
            data["latency_ms"]["p50"],
            data["latency_ms"]["p95"],
            data["latency_ms"]["p99"],
            ", ".join(f"{s}: {n}" for s, n in data["statuses"].items()),
        ]
        for op, data in results["per_operation"].items()
    ]
    verdict = "PASS" if results["ok"] else "FAIL"
    lost = f"{read_back['lost_memory_count']} memories, {read_back['lost_working_item_count']} working items"
    skipped = results["skipped_writes"] or "none"
    return markdown_blocks(
        f"# Load test: {options['clients']} clients, {options['duration_s']:.0f} s, mixed ({verdict})",
        f"{results['requests']} requests in {results['wall_s']} s = {results['throughput_per_s']} req/s; "
        f"5xx: {results['server_errors']}, connection errors: {results['transport_errors']}.\n"
        f"Read-back: {read_back['memories_checked']} acknowledged memory writes and "
        f"{read_back['working_items_checked']} working items checked; lost: {lost}.\n"
        f"Writes the pre-filter skipped (not acknowledged as stored): {skipped}.",
        table(["operation", "requests", "per s", "p50 ms", "p95 ms", "p99 ms", "statuses"], rows),
        f"Mix {options['mix']}, seed {options['seed']}, retrieval budget {options['budget_tokens']} "
        "tokens; the real service in a child process with its embedded engines (Qdrant Edge, "
        "redis-server), over loopback.\n" + machine_line_with_final_load(results),
    )


def write_load_outputs(results: dict[str, Any], out: Path) -> None:
    write_outputs(out, results, markdown(results))
    operations = list(results["per_operation"])
    series = {
        p: [results["per_operation"][op]["latency_ms"][p] for op in operations] for p in ("p50", "p95", "p99")
    }
    bar_plot(out / "latency.png", "Latency under mixed load", "ms", operations, series)
