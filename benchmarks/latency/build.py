"""`mnemo bench build`: retrieval latency over HTTP while the same service ingests and rebuilds its
HNSW indexes.

The service (a `mnemo serve` child, `benchmarks/server.py`) starts on a copy of an indexed store: the data
dir `--source` names (e.g. one `benchmarks/latency/scale_data.py` filled with 100k memories), or without one
a store of `--size` memories loaded here the way `mnemo bench latency` loads it. Then (a child
process builds each index and the shard is swapped in):

1. idle: one client's retrievals, nothing else running.
2. during: the same client's retrievals while a second client ingests memories (`POST /v1/memories`,
   embedded by the service) into `--types` until each has crossed the rebuild threshold (its minimum,
   1,000 unindexed vectors), and on until every rebuild that started has finished (the service logs
   each one). A rebuild re-indexes the type's whole shard: at 100k memories, 25k-55k vectors.
3. after: idle again, on the rebuilt shards.

The ratios during/idle of p50 and p95 are the result. The 1-minute load average is recorded beside
every phase: on a shared machine it moves the numbers as much as anything measured.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mnemo.lab import configured_embedder
from mnemo_client import AsyncMnemo, Limits, MnemoConnectionError
from mnemo_client.models import MemoryType

from ..metrics import percentiles
from ..report import machine
from ..server import failure_name, serve
from .scale_data import SCALE_USER, TextPool, load_scale_store, pool_texts, retrieve_bodies

MODE = "child"  # the one way the service builds; its runs keep the name in the report
THRESHOLD = 1_000  # the smallest rebuild threshold the settings accept
_STORED = {"created", "updated", "merged"}  # statuses that add or change a point
# What the service logs when a background build ends (backends/qdrant_edge/builder.py).
_BUILD_ENDED = re.compile(r"rebuilt shard .* is live|background rebuild of the .* failed")
_REBUILD_TIMINGS = re.compile(
    r"(\w+): rebuilt shard (\S+) \((\d+) points exported, (\d+) caught up\) is live; (.*)"
)


@dataclass(frozen=True)
class BuildOptions:
    source: Path | None = None  # a data dir holding `qdrant/` (and `questions.txt`)
    size: int = 3_000  # without a source: memories loaded here
    types: tuple[MemoryType, ...] = (MemoryType.EPISODIC, MemoryType.SEMANTIC)
    idle_requests: int = 300
    rate: float = 4.0  # retrievals a second, in every phase
    idle_max_seconds: float = 90.0
    during_max_seconds: float = 1_800.0
    ingest_batch: int = 25
    budget: int = 2_000
    pool: int = 3_000
    seed: int = 0
    work_dir: Path | None = None


class _Retrievals:
    """Retrievals sent at a fixed rate whatever the answers (open loop), each timed from the moment
    it was due: a stall of the service shows up in every request it delays, not in one slow answer
    of a client that waited instead of asking (a closed loop hides stalls: coordinated omission)."""

    def __init__(self, client: AsyncMnemo, bodies: list[dict[str, Any]], rate: float) -> None:
        self.client, self.bodies, self.interval = client, bodies, 1.0 / rate
        self.samples: list[tuple[float, float]] = []  # (when it was due, monotonic; ms)
        self.errors: list[float] = []  # when each failed one was due
        self.reasons: dict[str, int] = {}  # what failed, by status code or exception
        self._sent = 0

    async def run(self, requests: int, deadline: float, stop: asyncio.Event | None = None) -> None:
        self.samples, self.errors = [], []
        in_flight: set[asyncio.Task[None]] = set()
        due = time.monotonic()
        sent = 0
        while due < deadline and (sent < requests or stop is not None):
            if stop is not None and stop.is_set():
                break
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            task = asyncio.create_task(self._one(self.bodies[self._sent % len(self.bodies)], due))
            in_flight.add(task)
            task.add_done_callback(in_flight.discard)
            self._sent += 1
            sent += 1
            due += self.interval
        await asyncio.gather(*in_flight)

    async def _one(self, body: dict[str, Any], due: float) -> None:
        try:
            reply = await self.client.request("POST", "/v1/retrieve", json=body)
        except MnemoConnectionError as exc:
            self._failed(due, failure_name(exc))
            return
        if reply.status != 200:
            self._failed(due, str(reply.status))
            return
        self.samples.append((due, (time.monotonic() - due) * 1000))

    def _failed(self, due: float, reason: str) -> None:
        self.errors.append(due)
        self.reasons[reason] = self.reasons.get(reason, 0) + 1

    def summary(self, since: float = 0.0, until: float = float("inf")) -> dict[str, Any]:
        values = [ms for at, ms in self.samples if since <= at < until]
        return {
            "requests": len(values),
            "errors": sum(since <= at < until for at in self.errors),
            **percentiles(values),
            "max": round(max(values), 1) if values else float("nan"),
            "seconds": round(min(until, time.monotonic()) - max(since, self.samples[0][0]), 1)
            if values
            else 0,
            "over_1s": sum(v > 1_000 for v in values),
            "load_avg_1m": round(os.getloadavg()[0], 2),
        }


async def _ingest(
    client: AsyncMnemo, texts: list[str], types: tuple[MemoryType, ...], batch: int, deadline: float
) -> dict[str, Any]:
    """Memories into each type until each has stored more than the threshold (distinct texts: two
    pool texts joined, so the write path's dedup keeps them)."""
    stored = dict.fromkeys(types, 0)
    errors = 0
    written = 0
    started = time.perf_counter()
    rng = np.random.default_rng(7)
    while time.monotonic() < deadline and min(stored.values()) <= THRESHOLD * 1.1:
        memory_type = min(stored, key=lambda t: stored[t])
        memories = []
        for _ in range(batch):
            a, b = rng.choice(len(texts), 2, replace=False)
            memories.append(
                {
                    "type": memory_type.value,
                    "content": f"{texts[a]} {texts[b]}",
                    "scope": {"user_id": SCALE_USER},
                }
            )
        written += batch
        try:
            reply = await client.request("POST", "/v1/memories", json={"memories": memories}, timeout=600)
        except MnemoConnectionError:
            errors += 1
            continue
        if reply.status != 201:
            errors += 1
            continue
        stored[memory_type] += sum(r["status"] in _STORED for r in reply.body["results"])
    took = time.perf_counter() - started
    return {
        "sent": written,
        "stored": {t.value: n for t, n in stored.items()},
        "errors": errors,
        "seconds": round(took, 1),
        "memories_per_s": round(written / took, 1) if took else 0.0,
    }


def _builds_ended(log: Path) -> list[str]:
    """The messages of the service's log lines that say a build ended (JSON lines or plain text)."""
    messages = []
    for line in log.read_text(errors="replace").splitlines():
        if _BUILD_ENDED.search(line):
            try:
                messages.append(str(json.loads(line)["message"]))
            except (ValueError, KeyError, TypeError):
                messages.append(line)
    return messages


async def _mode_run(
    mode: str, store: Path, bodies: list[dict[str, Any]], texts: list[str], options: BuildOptions, work: Path
) -> dict[str, Any]:
    data_dir = work / mode
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    # Sparse copy: Edge preallocates its files (hundreds of MB apparent, little on disk).
    copy = ["cp", "-r", "--sparse=always", str(store), str(data_dir / "qdrant")]
    await asyncio.to_thread(subprocess.run, copy, check=True)
    log = work / f"server-{mode}.log"
    env = {
        "MNEMO_QDRANT__OPTIMIZE_THRESHOLD": str(THRESHOLD),
        "MNEMO_LOG_LEVEL": "INFO",  # the service logs each build's end, which ends the phase
    }
    result: dict[str, Any] = {"mode": mode}
    async with (
        serve(data_dir, log, extra_env=env) as server,
        AsyncMnemo(server.url, timeout=120, limits=Limits(max_connections=1_000)) as reader,
        AsyncMnemo(server.url, timeout=600) as writer,
    ):
        retrievals = _Retrievals(reader, bodies, options.rate)
        await retrievals.run(20, time.monotonic() + options.idle_max_seconds)  # warm-up
        await retrievals.run(options.idle_requests, time.monotonic() + options.idle_max_seconds)
        result["idle"] = retrievals.summary()
        result |= await _during_ingest_and_builds(retrievals, writer, texts, options, log)
        await retrievals.run(options.idle_requests, time.monotonic() + options.idle_max_seconds)
        result["after"] = retrievals.summary()
    idle = result["idle"]
    result["ratios"] = {
        phase: {
            p: round(result[phase][p] / idle[p], 2) if idle[p] and result[phase]["requests"] else None
            for p in ("p50", "p95")
        }
        for phase in ("ingest_phase", "build_phase", "during")
    }
    shutil.rmtree(data_dir, ignore_errors=True)
    return result


async def _during_ingest_and_builds(
    retrievals: _Retrievals, writer: AsyncMnemo, texts: list[str], options: BuildOptions, log: Path
) -> dict[str, Any]:
    """The retrievals while a second client ingests and every rebuild that started runs to its end:
    their latency by phase, the ingest's, the rebuilds' and every sample's."""
    result: dict[str, Any] = {}
    deadline = time.monotonic() + options.during_max_seconds
    stop = asyncio.Event()
    reading = asyncio.create_task(retrievals.run(0, deadline, stop))
    started = time.monotonic()
    result["started_at"] = time.time()  # the samples' zero on the clock the service logs with
    result["ingest"] = await _ingest(writer, texts, options.types, options.ingest_batch, deadline)
    ingested = time.monotonic()
    # Polled: the service's log is the only word from it that a build ended.
    while len(_builds_ended(log)) < len(options.types) and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.5)
    stop.set()
    await reading
    # While the ingest ran (its embedding competes for the cores too, and builds start in it),
    # then while only builds ran, and both together.
    result["ingest_phase"] = retrievals.summary(started, ingested)
    result["build_phase"] = retrievals.summary(ingested)
    result["during"] = retrievals.summary(started)
    ended = _builds_ended(log)
    result["failures"] = dict(retrievals.reasons)
    # Every retrieval of the phase (seconds since it began, ms), to place stalls against the
    # rebuild's steps (the service logs when each rebuild ended and how long each step took).
    result["samples"] = [(round(at - started, 2), round(ms, 1)) for at, ms in retrievals.samples]
    result["ingest_ended_s"] = round(ingested - started, 1)
    result["build_log"] = [line[:600] for line in _build_log_lines(log)]
    result["service_errors"] = _service_errors(log)
    result["builds"] = [_build_line(line) for line in ended]
    return result


def _service_errors(log: Path) -> list[str]:
    """The first errors the service logged."""
    return [
        line[:500] for line in log.read_text(errors="replace").splitlines() if '"level": "ERROR"' in line
    ][:5]


def _build_log_lines(log: Path) -> list[str]:
    keep = ("edge_builder", "mnemo.services")
    return [line for line in log.read_text(errors="replace").splitlines() if any(k in line for k in keep)]


def _build_line(line: str) -> dict[str, Any]:
    if match := _REBUILD_TIMINGS.search(line):
        memory_type, shard, exported, caught_up, phases = match.groups()
        timings = {k: float(v) for k, v in (p.split() for p in phases.split(", "))}
        return {
            "type": memory_type,
            "shard": shard,
            "exported": int(exported),
            "caught_up": int(caught_up),
            **timings,
        }
    return {"line": line[-300:]}


async def run_build(options: BuildOptions, say: Callable[[str], None]) -> dict[str, Any]:
    texts, questions = pool_texts(options.pool, options.seed)
    scratch = Path(tempfile.mkdtemp(prefix="mnemo-build-", dir=options.work_dir))
    try:
        if options.source is not None:
            store = options.source / "qdrant"
            asked = options.source / "questions.txt"
            if asked.is_file():
                questions = [q for q in asked.read_text().splitlines() if q.strip()]
            memories = "source"
        else:
            say(f"loading a store of {options.size} memories")
            embedder = configured_embedder()
            vectors = np.asarray(await embedder.embed(texts), dtype=np.float32)
            embedder.close()
            pool = TextPool(texts, vectors, questions)
            await load_scale_store(scratch / "store", options.size, pool, options.seed)
            store = scratch / "store" / "qdrant"
            memories = str(options.size)
        results: dict[str, Any] = {
            "machine": machine(),
            "store": str(options.source) if options.source else f"{memories} memories loaded here",
            "types": [t.value for t in options.types],
            "threshold": THRESHOLD,
            "rate": options.rate,
            "runs": [],
        }
        bodies = retrieve_bodies(questions, options.budget)
        say("idle, then ingest + rebuild, then idle again")
        run = await _mode_run(MODE, store, bodies, texts, options, scratch)
        results["runs"].append(run)
        idle, build = run["idle"], run["build_phase"]
        say(
            f"  idle p50/p95 {idle['p50']:.1f}/{idle['p95']:.1f} ms; while only builds ran "
            f"{build['p50']:.1f}/{build['p95']:.1f} ms; ratios {run['ratios']}"
        )
        return results
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
