"""Working-memory latency: append and read p50/p95, and what a `task_id` adds to `/v1/retrieve`.

Runs the real app in-process (Litestar's ASGI test client: the whole request path without a TCP
hop) on a fresh data dir, with the embedded redis-server unless `--redis-url` names another one,
and writes `working_memory.json` and `working_memory.md` into `--out`. A report, not a test: the
target (working memory adds ≤ 2 ms p95 to a retrieval) is checked and stated, never asserted.

    python -m mnemo.benchmarks.latency.working_memory --out benchmarks/out
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import platform
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from ..target import in_process_client

TARGET_ADDED_P95_MS = 2.0
TOPICS = ["flights", "hotels", "invoices", "deploys", "recipes", "meetings", "tickets", "backups"]


def machine() -> dict[str, Any]:
    def first(path: str, key: str) -> str:
        try:
            for line in Path(path).read_text().splitlines():
                if line.startswith(key):
                    return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "unknown"

    return {
        "nproc": os.cpu_count(),
        "ram": first("/proc/meminfo", "MemTotal"),
        "cpu": first("/proc/cpuinfo", "model name"),
        "python": platform.python_version(),
        "platform": platform.platform(),
        # Other work on the machine moves every number here: say how busy it was.
        "load_average_1m_at_end": round(os.getloadavg()[0], 2),
    }


def summary(samples_s: list[float]) -> dict[str, float]:
    ms = sorted(s * 1000 for s in samples_s)
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return {
        "n": len(ms),
        "p50_ms": round(q[49], 3),
        "p95_ms": round(q[94], 3),
        "mean_ms": round(statistics.fmean(ms), 3),
    }


async def timed(call: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    reply = await call()
    elapsed = time.perf_counter() - started
    if reply.status >= 400:
        raise RuntimeError(f"benchmark request failed: {reply.status} {reply.text[:300]}")
    return elapsed


async def run(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(7)
    with (
        tempfile.TemporaryDirectory(prefix="mnemo-bench-") as data_dir,
        tempfile.TemporaryDirectory(prefix="mnemo-bench-acked-") as acked_dir,
    ):
        async with contextlib.AsyncExitStack() as stack:
            client, acked = await _clients(stack, args, rng, Path(data_dir), Path(acked_dir))
            await _write_memories(client, args, rng)
            tasks = [f"task-{t}" for t in range(args.tasks)]
            working = await _time_working_memory(client, acked, tasks, args, rng)
            retrievals = await _time_retrievals(client, tasks, args, rng)

    results: dict[str, Any] = {
        "machine": machine(),
        "redis": (("Redis Cluster via " if args.redis_cluster else "") + args.redis_url)
        if args.redis_url
        else "embedded redis-server (unix socket)",
        "setup": {
            "memories": args.memories,
            "tasks": args.tasks,
            "items_per_task": args.items,
            "requests": args.n,
            "client": "in-process ASGI (Litestar AsyncTestClient)",
        },
        **working,
        **retrievals,
    }
    added = results["retrieve_with_task"]["p95_ms"] - results["retrieve_without_task"]["p95_ms"]
    results["added_p95_ms"] = round(added, 3)
    results["added_p50_ms"] = round(
        results["retrieve_with_task"]["p50_ms"] - results["retrieve_without_task"]["p50_ms"], 3
    )
    results["target_met"] = added <= TARGET_ADDED_P95_MS
    if args.ack_replicas and args.redis_url:
        results["transaction"] = await transaction_costs(args)
    return results


async def _clients(
    stack: contextlib.AsyncExitStack,
    args: argparse.Namespace,
    rng: random.Random,
    data_dir: Path,
    acked_dir: Path,
) -> tuple[Any, Any]:
    """The app's client and, with --ack-replicas, a second app's on the same Redis whose appends wait
    for replicas (WAIT), its appends alternating with the first's so that both see the same load."""
    from mnemo.lab import configured_app

    # The settings' groups as MNEMO_REDIS__* and MNEMO_WORKING__* would set them.
    redis = {
        "url": args.redis_url,
        "cluster": args.redis_cluster,
        "key_prefix": f"bench{rng.randrange(10**6)}",
    }
    app = configured_app(
        data_dir=data_dir,
        redis=redis,
        working={"max_tokens": 1_000_000},  # measure appends, not evictions
    )
    client = await stack.enter_async_context(in_process_client(app))
    acked = None
    if args.ack_replicas:
        acked_app = configured_app(
            data_dir=acked_dir,
            redis=redis,
            working={
                "max_tokens": 1_000_000,
                "ack_replicas": args.ack_replicas,
                "ack_timeout_ms": args.ack_timeout_ms,
            },
        )
        acked = await stack.enter_async_context(in_process_client(acked_app))
    return client, acked


async def _write_memories(client: Any, args: argparse.Namespace, rng: random.Random) -> None:
    memories = [
        {
            "type": "semantic",
            "content": f"Note {i} about {rng.choice(TOPICS)}: item {rng.random():.6f}.",
        }
        for i in range(args.memories)
    ]
    for start in range(0, len(memories), 500):
        # Synthetic notes are short and alike: keep them all (no pre-filter, no merging).
        batch = {"memories": memories[start : start + 500], "prefilter": False, "dedup": False}
        written = await client.request("POST", "/v1/memories", json=batch)
        assert written.status == 201, written.text


async def _time_working_memory(
    client: Any, acked: Any, tasks: list[str], args: argparse.Namespace, rng: random.Random
) -> dict[str, Any]:
    """Appends (and acknowledged appends, alternating with them) and reads: the results' working
    memory rows."""
    replications: list[dict[str, int]] = []  # the acked appends' answers: were they acknowledged?

    def append(task: str, i: int, via: Any = client) -> Callable[[], Awaitable[Any]]:
        body = {"content": f"Step {i}: checked the {rng.choice(TOPICS)} report and noted the result."}

        async def call() -> Any:
            reply = await via.request("POST", f"/v1/working/{task}/items", json=body)
            if reply.status < 400 and (replication := reply.body.get("replication")):
                replications.append(replication)
            return reply

        return call

    for i in range(args.warmup):
        await timed(append("warmup", i))
        await timed(functools.partial(client.request, "GET", "/v1/working/warmup"))
        if acked is not None:
            await timed(append("warmup-acked", i, acked))
    appends: list[float] = []
    acked_appends: list[float] = []
    for i in range(args.tasks * args.items):
        task = tasks[i % len(tasks)]
        pair = [(appends, append(task, i))]
        if acked is not None:  # alternate which goes first: drift and order hit both alike
            pair.append((acked_appends, append(f"{task}-acked", i, acked)))
        for samples_of, call in pair if i % 2 else pair[::-1]:
            samples_of.append(await timed(call))
    reads = [
        await timed(functools.partial(client.request, "GET", f"/v1/working/{tasks[i % len(tasks)]}"))
        for i in range(args.n)
    ]
    if not acked_appends:
        return {"append": summary(appends), "read": summary(reads)}
    return {
        "append": summary(appends),
        "append_acknowledged": summary(acked_appends),
        "ack": {
            "replicas": args.ack_replicas,
            "timeout_ms": args.ack_timeout_ms,
            "answers": len(replications),
            "short": sum(r["acknowledged"] < r["asked"] for r in replications),
        },
        "read": summary(reads),
    }


async def _time_retrievals(
    client: Any, tasks: list[str], args: argparse.Namespace, rng: random.Random
) -> dict[str, Any]:
    """The same query with and without task_id: the results' retrieval rows and stage means."""
    # Pairs, alternating which goes first, so that drift (caches, other load on the machine) and
    # order effects hit both sides alike.
    samples: dict[str, list[float]] = {"plain": [], "task": []}
    stages: dict[str, list[dict[str, float]]] = {"plain": [], "task": []}
    for i in range(args.warmup + args.n):
        query = {"query": f"what happened with the {rng.choice(TOPICS)}?", "budget_tokens": 1000}
        variants = {"plain": query, "task": dict(query, task_id=tasks[i % len(tasks)])}
        for name in sorted(variants, reverse=bool(i % 2)):
            started = time.perf_counter()
            reply = await client.request("POST", "/v1/retrieve", json=variants[name])
            elapsed = time.perf_counter() - started
            meta = reply.body["metadata"]
            if name == "task":
                assert meta["per_type"]["working"]["count"] > 0 and not meta["degraded"]
            if i >= args.warmup:
                samples[name].append(elapsed)
                stages[name].append(meta["timings_ms"])
    return {
        "retrieve_without_task": summary(samples["plain"]),
        "retrieve_with_task": summary(samples["task"]),
        "paired_difference": summary([t - p for t, p in zip(samples["task"], samples["plain"], strict=True)]),
        # What working memory puts on the request's critical path inside the pipeline: packing and
        # rendering its section (its Redis read overlaps the embedding). Robust to machine noise,
        # unlike the end-to-end difference; excludes serializing the extra items into the response.
        "critical_path_added": summary(
            [
                (t["pack_ms"] - p["pack_ms"]) / 1000
                for t, p in zip(stages["task"], stages["plain"], strict=True)
            ]
        ),
        "stages_mean_ms": {
            name: {k: round(statistics.fmean(s.get(k, 0.0) for s in rows), 3) for k in rows[0]}
            for name, rows in stages.items()
        },
    }


async def transaction_costs(args: argparse.Namespace) -> dict[str, Any]:
    """The Redis part of an append alone, three ways, alternating: redis-py's transaction pipeline
    (what appends use without acknowledgement), the same commands with WAIT 0 on a held connection
    (how acknowledged writes are sent; WAIT 0 answers at once), and with WAIT N. The difference
    between the last two is what waiting for replicas costs; between the first two, the transport."""
    from mnemo.lab import redis_client, run_transaction, transaction_acknowledged

    client = redis_client(args.redis_url, args.redis_cluster)
    key, deadlines = "bench-tx:{bench-tx}", "bench-tx:deadlines:{bench-tx}"
    commands = [("SET", key, "x" * 600, "PX", 60_000), ("ZADD", deadlines, 1.0, "task")]
    variants: dict[str, Callable[[], Awaitable[Any]]] = {
        "pipeline": lambda: run_transaction(client, commands),
        "held_wait_0": lambda: transaction_acknowledged(client, commands, 0, args.ack_timeout_ms),
        f"held_wait_{args.ack_replicas}": lambda: transaction_acknowledged(
            client, commands, args.ack_replicas, args.ack_timeout_ms
        ),
    }
    samples: dict[str, list[float]] = {name: [] for name in variants}
    try:
        for i in range(args.warmup + 3 * args.n):
            names = list(variants)
            for name in names[i % 3 :] + names[: i % 3]:  # each variant first in turn
                started = time.perf_counter()
                await variants[name]()
                if i >= args.warmup:
                    samples[name].append(time.perf_counter() - started)
        await client.delete(key)
        await client.delete(deadlines)
    finally:
        await client.aclose()
    return {name: summary(rows) for name, rows in samples.items()}


def markdown(results: dict[str, Any]) -> str:
    m, s = results["machine"], results["setup"]
    lines = [
        "## Working memory latency",
        "",
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['ram']} RAM, Python {m['python']}, "
        f"load average {m['load_average_1m_at_end']} when it finished. "
        f"Redis: {results['redis']}. Client: {s['client']}. {s['memories']} semantic memories in Qdrant "
        f"Edge; {s['tasks']} tasks of {s['items_per_task']} items; {s['requests']} timed requests per row.",
        "",
        *_operations_table(results),
        *_acknowledgement_lines(results),
        *_transaction_table(results),
        "",
        f"Working memory adds **{results['added_p95_ms']} ms at p95** ({results['added_p50_ms']} ms at p50) "
        f"to a retrieval (target ≤ {TARGET_ADDED_P95_MS} ms p95: "
        f"{'met' if results['target_met'] else 'NOT met'}).",
        "",
        "Mean time per stage inside the pipeline (`metadata.timings_ms`); the Redis read (`working_ms`) "
        "runs concurrently with the query embedding, so only packing the extra section is on the "
        "critical path:",
        "",
        *_stages_table(results),
        "",
    ]
    return "\n".join(lines)


def _operations_table(results: dict[str, Any]) -> list[str]:
    rows = [
        ("working-memory append (POST /v1/working/{task}/items)", results["append"]),
        *(
            [
                (
                    f"append waiting for {results['ack']['replicas']} replica(s) (WAIT)",
                    results["append_acknowledged"],
                )
            ]
            if "append_acknowledged" in results
            else []
        ),
        ("working-memory read (GET /v1/working/{task})", results["read"]),
        ("POST /v1/retrieve without task_id", results["retrieve_without_task"]),
        ("POST /v1/retrieve with task_id", results["retrieve_with_task"]),
        ("paired difference (with − without, same query)", results["paired_difference"]),
        ("critical path added in the pipeline (pack_ms with − without)", results["critical_path_added"]),
    ]
    return [
        "| operation | n | p50 ms | p95 ms | mean ms |",
        "|---|---:|---:|---:|---:|",
        *(f"| {name} | {r['n']} | {r['p50_ms']} | {r['p95_ms']} | {r['mean_ms']} |" for name, r in rows),
    ]


def _acknowledgement_lines(results: dict[str, Any]) -> list[str]:
    if "ack" not in results:
        return []
    return [
        "",
        f"Appends waiting for replicas: {results['ack']['short']} of {results['ack']['answers']} "
        f"answered with fewer acknowledgements than asked "
        f"(timeout {results['ack']['timeout_ms']} ms).",
    ]


def _transaction_table(results: dict[str, Any]) -> list[str]:
    if "transaction" not in results:
        return []
    return [
        "",
        "The Redis part of an append alone (SET + ZADD in MULTI/EXEC), alternating:",
        "",
        "| sent as | n | p50 ms | p95 ms | mean ms |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {name} | {r['n']} | {r['p50_ms']} | {r['p95_ms']} | {r['mean_ms']} |"
            for name, r in results["transaction"].items()
        ),
    ]


def _stages_table(results: dict[str, Any]) -> list[str]:
    stages = results["stages_mean_ms"]
    return [
        "| stage | without task_id | with task_id |",
        "|---|---:|---:|",
        *(
            f"| {name} | " + " | ".join(str(stages[v].get(name, "–")) for v in ("plain", "task")) + " |"
            for name in ("embed_ms", "working_ms", "search_ms", "pack_ms")
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mnemo.benchmarks.latency.working_memory", description=__doc__
    )
    parser.add_argument("--out", required=True, type=Path, help="directory for the JSON and Markdown reports")
    parser.add_argument("--redis-url", default=None, help="a Redis server (default: the embedded one)")
    parser.add_argument("--redis-cluster", action="store_true", help="--redis-url names a Redis Cluster node")
    parser.add_argument("--memories", type=int, default=2_000, help="semantic memories to retrieve from")
    parser.add_argument("--tasks", type=int, default=20)
    parser.add_argument("--items", type=int, default=25, help="items appended to each task")
    parser.add_argument("-n", type=int, default=300, help="timed reads and retrievals")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument(
        "--ack-replicas",
        type=int,
        default=0,
        help="also time appends that wait for this many replicas (MNEMO_WORKING__ACK_REPLICAS), alternating",
    )
    parser.add_argument("--ack-timeout-ms", type=int, default=100, help="their WAIT timeout")
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    results = asyncio.run(run(args))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "working_memory.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.out / "working_memory.md").write_text(markdown(results))
    print(markdown(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
