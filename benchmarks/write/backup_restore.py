"""Backup and restore times of a running service.

`python -m mnemo.benchmarks.write.backup_restore --size 100000 --out benchmarks/results/backup-restore`

1. A store of `--size` memories is loaded the way `mnemo bench latency` loads one (real payloads and
   BM25 vectors from the write path, vectors synthesized from an embedded pool of real texts: see
   benchmarks/latency/scale_data.py), HNSW built; then the service (a `mnemo serve` child) starts on it and
   gets working-memory items and thread turns over HTTP.
2. `mnemo backup DIR --url URL` (the CLI, a process of its own) while the service serves: timed
   from start to its verified success; the records in the manifest are checked against the store.
3. `mnemo restore DIR --data-dir D`, timed; the service then starts on D and must be ready and
   answer every sampled memory id, the task and the thread.

JSON and Markdown go to `--out`, with the machine and its load average at each step.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from mnemo.lab import configured_embedder
from mnemo_client import AsyncMnemo
from mnemo_client.models import MemoryType

from ..latency.scale_data import TextPool, pool_texts, scale_points
from ..report import machine, machine_line
from ..server import serve


async def _load(n: int, data_dir: Path, seed: int, pool_size: int) -> list[str]:
    """N memories, HNSW built; answers a sample of their ids."""
    from mnemo.lab import bulk_index, bulk_upsert, point_maker

    embedder = configured_embedder()
    texts, questions = pool_texts(pool_size, seed)
    pool = TextPool(
        texts, __import__("numpy").asarray(await embedder.embed(texts), dtype="float32"), questions
    )
    edge = bulk_index(data_dir, embedder.dimension)
    await edge.open()
    make_point = point_maker(data_dir)
    sample: list[str] = []
    rng = random.Random(seed)
    async for memory_type, points, _ in scale_points(n, pool, make_point, seed):
        await bulk_upsert(edge, memory_type, points)
        sample += [p.id for p in rng.sample(points, min(20, len(points)))]
    await edge.optimize()
    await edge.close()
    embedder.close()
    return sample


def _cli(*args: str) -> tuple[int, float, str]:
    started = time.perf_counter()
    # Our own interpreter and fixed arguments.
    done = subprocess.run([sys.executable, "-m", "mnemo.cli.main", *args], capture_output=True, text=True)  # noqa: S603
    return done.returncode, time.perf_counter() - started, (done.stdout + done.stderr)[-2000:]


async def _state(url: str, tasks: int) -> dict[str, Any]:
    """Working-memory items and a thread's turns, written over HTTP (what the backup copies from Redis)."""
    async with AsyncMnemo(url, timeout=120) as client:
        for task in range(tasks):
            for item in range(3):
                body = {"content": f"task {task}: step {item}"}
                (
                    await client.request("POST", f"/v1/working/bench-{task}/items", json=body)
                ).raise_for_status()
        thread = (await client.request("POST", "/v1/threads", json={})).raise_for_status().body
        for turn in range(10):
            body = {"role": "user", "content": f"turn {turn}: what is next?"}
            (await client.request("POST", f"/v1/threads/{thread['id']}/turns", json=body)).raise_for_status()
    return {"thread": thread["id"], "tasks": tasks}


async def _check(url: str, sample: list[str], state: dict[str, Any]) -> dict[str, Any]:
    async with AsyncMnemo(url, timeout=120) as client:
        ready = (await client.request("GET", "/ready")).status
        found = sum([(await client.request("GET", f"/v1/memories/{i}")).status == 200 for i in sample])
        task = (await client.request("GET", "/v1/working/bench-0")).status
        thread = (await client.request("GET", f"/v1/threads/{state['thread']}/history")).status
    return {
        "ready": ready,
        "sampled_ids": len(sample),
        "sampled_found": found,
        "task": task,
        "thread": thread,
    }


async def run(size: int, out: Path, seed: int, pool_size: int = 2_000) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="mnemo-backup-bench-"))
    source, backup_dir, restored = work / "data", work / "backup", work / "restored"
    result: dict[str, Any] = {"size": size, "pool": pool_size, "machine": machine()}
    started = time.perf_counter()
    sample = await _load(size, source, seed, pool_size)
    result["load_s"] = round(time.perf_counter() - started, 1)
    async with serve(source, work / "serve.log") as server:
        state = await _state(server.url, 20)
        load = os.getloadavg()[0]
        code, seconds, tail = await asyncio.to_thread(
            _cli, "backup", str(backup_dir), "--url", server.url, "--json"
        )
        if code != 0:
            raise SystemExit(f"backup failed: {tail}")
        result["backup"] = {
            "seconds": round(seconds, 1),
            "load_avg_1m": round(load, 2),
            "summary": json.loads(tail),
        }
    manifest = json.loads(await asyncio.to_thread((backup_dir / "manifest.json").read_text))
    result["backup"]["records"] = {name: entry["records"] for name, entry in manifest["files"].items()}
    result["backup"]["memories"] = sum(
        manifest["files"][f"memories-{t.value}.jsonl"]["records"] for t in MemoryType
    )
    load = os.getloadavg()[0]
    trusted = result["backup"]["summary"]["public_key"]  # as the backup's client checked it
    ledger = source / "erasure-ledger.jsonl"  # the service's: no forget since the backup
    code, seconds, tail = await asyncio.to_thread(
        _cli, "restore", str(backup_dir), "--data-dir", str(restored), "--json",
        "--public-key", trusted, "--ledger", str(ledger),
    )  # fmt: skip
    if code != 0:
        raise SystemExit(f"restore failed: {tail}")
    result["restore"] = {"seconds": round(seconds, 1), "load_avg_1m": round(load, 2)}
    async with serve(restored, work / "restored.log") as server:
        result["restored_service"] = await _check(server.url, sample, state)
    await asyncio.to_thread(_write, out, result)
    return result


def _write(out: Path, result: dict[str, Any]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").write_text(json.dumps(result, indent=1))
    (out / "summary.md").write_text(_markdown(result))


def _markdown(r: dict[str, Any]) -> str:
    b, s, c = r["backup"], r["restore"], r["restored_service"]
    return "\n".join(
        [
            f"# Backup and restore at {r['size']:,} memories",
            "",
            machine_line(r["machine"]),
            "",
            "| step | seconds | load avg (1 min) | what |",
            "|---|---|---|---|",
            f"| backup (`mnemo backup`, service running) | {b['seconds']} | {b['load_avg_1m']} | "
            f"{b['memories']:,} memories, {b['summary']['bytes'] / 2**20:.0f} MiB, verified |",
            f"| restore (`mnemo restore`, new data dir) | {s['seconds']} | {s['load_avg_1m']} | "
            "records, history, Redis keys; HNSW left to the service |",
            "",
            f"Restored service: /ready {c['ready']}, {c['sampled_found']} of {c['sampled_ids']} sampled "
            f"memory ids found, task {c['task']}, thread {c['thread']}. Store loaded in {r['load_s']} s.",
            "",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/backup-restore"))
    parser.add_argument("--seed", type=int, default=39)
    parser.add_argument("--pool", type=int, default=2_000, help="real texts embedded for the vectors")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(run(args.size, args.out, args.seed, args.pool)), indent=1))


if __name__ == "__main__":
    main()
