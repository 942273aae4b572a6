"""`mnemo bench load --scenario flood`: one tenant's retrieval latency beside another tenant's flood.

Measured as an outside user would: the real service in a child process with two API
keys. Tenant `quiet` retrieves in a closed loop (one client, a 2,000-token budget); tenant `flood`
runs, from a process of its own (`python -m mnemo.benchmarks.load.flood`), `writers` clients
writing 20-memory batches and `retrievers` clients retrieving at 8,000 tokens, each backing off for
the `Retry-After` of a 429/503 (within its limits). The phases alternate (quiet alone, quiet beside
the flood, `rounds` times) so that the shared machine's own load drifts alike through both; the
result is the quiet tenant's p50 and p95 beside the flood over its own baseline, same run (targets:
p50 ≤ 3x, p95 ≤ 4x). `cpu_slots` sets the server's CPU scheduler (api/guards/scheduler.py): 0 the
default (the cores), a large number turns its bound off, for a before/after in one session.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mnemo_client import AsyncMnemo, Limits, MnemoConnectionError

from ..metrics import percentiles
from ..report import machine, machine_line, markdown_blocks, table, write_outputs
from ..server import failure_name, serve
from ..synthetic import generate

P50_TARGET, P95_TARGET = 3.0, 4.0


@dataclass(frozen=True)
class FloodOptions:
    duration_s: float = 20.0  # of each phase
    rounds: int = 2
    writers: int = 8
    retrievers: int = 24
    cpu_slots: int = 0
    seed: int = 0
    work_dir: Path | None = None


def _limits() -> Limits:
    return Limits(max_connections=200, max_keepalive_connections=100, keepalive_expiry=2.0)


async def _quiet_phase(client: AsyncMnemo, key: str, queries: list[str], until: float) -> list[float]:
    """Closed loop: one retrieval at a time until `until`; the latencies of the 200s (ms)."""
    latencies: list[float] = []
    headers = {"Authorization": f"Bearer {key}"}
    i = 0
    while time.monotonic() < until:
        body = {"query": queries[i % len(queries)], "budget_tokens": 2_000}
        i += 1
        started = time.perf_counter()
        reply = await client.request("POST", "/v1/retrieve", json=body, headers=headers)
        if reply.status == 200:
            latencies.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(0.02)
    return latencies


async def _start_flood(url: str, key: str, options: FloodOptions) -> asyncio.subprocess.Process:
    command = [sys.executable, "-m", "mnemo.benchmarks.load.flood", "--url", url, "--key", key]
    command += ["--writers", str(options.writers), "--retrievers", str(options.retrievers)]
    command += ["--seed", str(options.seed)]
    proc = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE)
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), 300)  # "ready": its first answer came
    if not line.startswith(b"ready"):
        raise RuntimeError(f"the flood process did not start: {line!r}")
    return proc


async def _stop_flood(proc: asyncio.subprocess.Process) -> dict[str, Any]:
    proc.send_signal(signal.SIGINT)
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return result


def _stats(latencies: list[float]) -> dict[str, float]:
    stats = percentiles(latencies, (50, 95))
    return {"requests": len(latencies), **{k: round(v, 1) for k, v in stats.items()}}


async def run_flood(options: FloodOptions, say: Callable[[str], None]) -> dict[str, Any]:
    keys = {t: f"bench-key-{t}-{os.urandom(6).hex()}" for t in ("quiet", "flood")}
    memories, queries = generate(300, options.seed)
    texts = [q["query"] for q in queries]
    alone: list[float] = []
    beside: list[float] = []
    flood_statuses: Counter[str] = Counter()
    flood_done = 0
    info = machine()
    loads: list[float] = []
    with tempfile.TemporaryDirectory(dir=options.work_dir, prefix="mnemo-flood-") as scratch:
        env = {"MNEMO_API_KEYS": ",".join(f"{k}:{t}" for t, k in keys.items())}
        if options.cpu_slots:
            env["MNEMO_CPU_SLOTS"] = str(options.cpu_slots)
        async with (
            serve(Path(scratch) / "data", Path(scratch) / "server.log", extra_env=env) as server,
            AsyncMnemo(server.url, timeout=120, limits=_limits()) as client,
        ):
            batch = [{k: m[k] for k in ("type", "content")} for m in memories[:200]]
            for tenant in keys:
                headers = {"Authorization": f"Bearer {keys[tenant]}"}
                reply = await client.request(
                    "POST", "/v1/memories", json={"memories": batch}, headers=headers
                )
                reply.raise_for_status()

            def phase(seconds: float) -> Any:
                return _quiet_phase(client, keys["quiet"], texts, time.monotonic() + seconds)

            await phase(3.0)  # warm-up
            for round_ in range(options.rounds):
                say(f"flood round {round_ + 1}/{options.rounds}: quiet tenant alone")
                alone += await _quiet_phase(
                    client, keys["quiet"], texts, time.monotonic() + options.duration_s
                )
                loads.append(os.getloadavg()[0])
                say(f"flood round {round_ + 1}/{options.rounds}: beside the flood")
                proc = await _start_flood(server.url, keys["flood"], options)
                beside += await _quiet_phase(
                    client, keys["quiet"], texts, time.monotonic() + options.duration_s
                )
                loads.append(os.getloadavg()[0])
                flood = await _stop_flood(proc)
                flood_statuses.update(flood["statuses"])
                flood_done += flood["answered"]
    base, under = _stats(alone), _stats(beside)
    ratios = {p: round(under[p] / max(base[p], 1e-9), 2) for p in ("p50", "p95")}
    return {
        "scenario": "flood",
        "machine": info,
        "load_avg_1m": [round(x, 2) for x in loads],
        "options": {k: v for k, v in options.__dict__.items() if k != "work_dir"},
        "quiet_alone_ms": base,
        "quiet_beside_flood_ms": under,
        "ratios": ratios,
        "targets": {"p50": P50_TARGET, "p95": P95_TARGET},
        "target_met": ratios["p50"] <= P50_TARGET and ratios["p95"] <= P95_TARGET,
        "flood": {"statuses": dict(sorted(flood_statuses.items())), "answered": flood_done},
        "ok": not any((s.startswith("5") and s != "503") or not s.isdigit() for s in flood_statuses),
    }


def markdown(results: dict[str, Any]) -> str:
    o, r = results["options"], results["ratios"]
    slots = o["cpu_slots"] or "the cores"
    rows = [
        [name, results[key]["requests"], *(f"{results[key][p]:.1f}" for p in ("p50", "p95"))]
        for name, key in (("alone", "quiet_alone_ms"), ("beside the flood", "quiet_beside_flood_ms"))
    ]
    rows.append(["ratio", "", f"{r['p50']:.2f}", f"{r['p95']:.2f}"])
    verdict = "met" if results["target_met"] else "MISSED"
    return markdown_blocks(
        f"# Flood: one tenant's retrievals beside another's flood (CPU slots: {slots})",
        f"Flood: {o['writers']} writers of 20-memory batches and {o['retrievers']} retrievers at 8,000 "
        f"tokens in a process of its own, backing off on 429/503; {o['rounds']} rounds of "
        f"{o['duration_s']:g} s per phase. Quiet tenant p50 {r['p50']}x, p95 {r['p95']}x its own "
        f"baseline (targets ≤ {P50_TARGET}x / ≤ {P95_TARGET}x: {verdict}).",
        table(["quiet tenant", "retrievals", "p50 ms", "p95 ms"], rows),
        f"Flood answers: {results['flood']['statuses']} ({results['flood']['answered']} answered).\n"
        + machine_line(results["machine"])
        + f"; load average (1 min) per phase {results['load_avg_1m']}.",
    )


def write_flood_outputs(results: dict[str, Any], out: Path) -> None:
    write_outputs(out, results, markdown(results))


# The flood itself, in its own process ---------------------------------------------------------


async def _flood(url: str, key: str, writers: int, retrievers: int, seed: int) -> dict[str, Any]:
    memories, queries = generate(300, seed)
    rng = random.Random(seed)
    statuses: Counter[str] = Counter()
    headers = {"Authorization": f"Bearer {key}"}
    stop = asyncio.Event()
    ready = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGINT, stop.set)
    sent = 0

    async def worker(client: AsyncMnemo, write: bool) -> None:
        nonlocal sent
        while not stop.is_set():
            sent += 1
            body: dict[str, Any]
            if write:
                items = [
                    {"type": "episodic", "content": f"{rng.choice(memories)['content']} #{sent}-{i}"}
                    for i in range(20)
                ]
                path, body = "/v1/memories", {"memories": items}
            else:
                path, body = "/v1/retrieve", {"query": rng.choice(queries)["query"], "budget_tokens": 8_000}
            try:
                reply = await client.request("POST", path, json=body, headers=headers)
                status = str(reply.status)
            except MnemoConnectionError as exc:
                status, reply = failure_name(exc), None
            statuses[status] += 1
            ready.set()
            if reply is not None and reply.status in (429, 503):
                await asyncio.sleep(min(5.0, float(reply.headers.get("retry-after", "1"))))

    async with AsyncMnemo(url, timeout=120, limits=_limits()) as client:
        tasks = [asyncio.create_task(worker(client, i < writers)) for i in range(writers + retrievers)]
        await ready.wait()
        print("ready", flush=True)
        await stop.wait()
        await asyncio.gather(*tasks)
    return {"statuses": dict(statuses), "answered": sum(statuses.values())}


def main() -> None:
    parser = argparse.ArgumentParser(description="one tenant's flood (mnemo bench load --scenario flood)")
    parser.add_argument("--url", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--retrievers", type=int, default=24)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    result = asyncio.run(_flood(args.url, args.key, args.writers, args.retrievers, args.seed))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
