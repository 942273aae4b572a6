"""`python -m mnemo.benchmarks.write.batch_memory`: one big batch against a real server, and the
memory the server keeps afterwards.

A server (`benchmarks/server.py`, its own process over a fresh data dir) is warmed with one small
write, then takes one `POST /v1/memories` of `memories` texts of `chars` characters each (6 MB by
default: 1,000 of ~6 KB). Its resident memory is sampled every 50 ms from before the batch until it
has settled after it: the figures are RSS before, the peak during the batch, and RSS once settled
(the target: within 150 MiB of before). Settled: the server's own RSS has moved less than
`steady_mib` over the last `steady_s` (and, where a `kept_at_most_mib` is given, is within it), or
`settle_s` has passed, whichever comes first; a fixed wait would be too short on a loaded machine
and idle time on a quiet one. The server's own process is reported apart from its children (the
Qdrant Edge engine process, the embedded Redis). Results go to
`benchmarks/results/batch-memory/` (results.json, summary.md) with the machine and its load.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mnemo_client import AsyncMnemo

from ..report import machine, machine_line, table, write_outputs
from ..server import serve

RESULTS = Path(__file__).resolve().parents[1] / "results" / "batch-memory"
_WORDS = ("harbour", "lantern", "copper", "meadow", "violet", "engine", "ledger", "orchard", "falcon",
          "granite", "willow", "cedar", "summit", "quarry", "beacon", "walnut", "saffron")  # fmt: skip


@dataclass(frozen=True)
class BatchOptions:
    memories: int = 1_000
    chars: int = 6_000  # per memory: 6 MB in all
    settle_s: float = 30.0  # the longest wait for RSS to settle after the answer
    steady_s: float = 5.0  # settled: RSS has moved less than steady_mib over this long
    steady_mib: float = 4.0
    kept_at_most_mib: float | None = None  # settled only once RSS is within this of before, too
    seed: int = 41


def batch_texts(options: BatchOptions) -> list[str]:
    """Distinct texts (nothing for the pre-filter or dedup to drop) of about `chars` characters."""
    rng = random.Random(options.seed)
    texts = []
    for n in range(options.memories):
        words: list[str] = [f"Report {n}:"]
        length = len(words[0])
        while length < options.chars:
            word = f"{rng.choice(_WORDS)}{rng.randrange(10_000)}"
            words.append(word)
            length += len(word) + 1
        texts.append(" ".join(words)[: options.chars])
    return texts


class RssSampler:
    """The RSS (MiB) of a process and of its children, sampled in a thread every `every_s`."""

    def __init__(self, pid: int, every_s: float = 0.05) -> None:
        import psutil

        self.process = psutil.Process(pid)
        self.every_s = every_s
        self.samples: list[tuple[float, float, float]] = []  # (time, own MiB, children MiB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def now(self) -> tuple[float, float]:
        import psutil

        own = self.process.memory_info().rss / 2**20
        children = 0.0
        for child in self.process.children(recursive=True):
            with contextlib.suppress(psutil.Error):  # a child that just exited has no memory to count
                children += child.memory_info().rss / 2**20
        return own, children

    def _run(self) -> None:
        while not self._stop.is_set():
            own, children = self.now()
            self.samples.append((time.monotonic(), own, children))
            self._stop.wait(self.every_s)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def peak(self, since: float) -> tuple[float, float]:
        window = [s for s in self.samples if s[0] >= since]
        return max(s[1] for s in window), max(s[2] for s in window)

    def steady(self, over_s: float, within_mib: float) -> bool:
        """Whether the own RSS has moved less than `within_mib` over the last `over_s`, judged on
        enough samples (a starved sampler thread's one or two samples would always look steady)."""
        since = time.monotonic() - over_s
        window = [own for at, own, _ in self.samples if at >= since]
        return len(window) >= over_s / self.every_s / 10 and max(window) - min(window) < within_mib


async def settle(sampler: RssSampler, before_mib: float, options: BatchOptions) -> float:
    """Waits until the server's RSS has settled (module docstring), at most `settle_s`: the
    seconds waited."""
    start = time.monotonic()
    while (waited := time.monotonic() - start) < options.settle_s:
        await asyncio.sleep(0.25)
        if waited < options.steady_s or not sampler.steady(options.steady_s, options.steady_mib):
            continue
        limit = options.kept_at_most_mib
        if limit is None or sampler.now()[0] - before_mib <= limit:
            break
    return time.monotonic() - start


async def measure(options: BatchOptions, extra_env: dict[str, str] | None = None) -> dict[str, Any]:
    started_on = machine()
    texts = batch_texts(options)
    body = {"memories": [{"type": "episodic", "content": t} for t in texts]}
    with tempfile.TemporaryDirectory(prefix="mnemo-batch-memory-") as scratch:
        log = Path(scratch) / "serve.log"
        async with serve(Path(scratch) / "data", log, extra_env=extra_env) as server:
            async with AsyncMnemo(server.url, timeout=1_800, max_retries=0) as client:
                warm = {"memories": [{"type": "episodic", "content": "A warm-up note about tea."}]}
                (await client.request("POST", "/v1/memories", json=warm)).raise_for_status()
                await asyncio.sleep(2.0)  # the warm-up's own garbage settles
                with RssSampler(server.pid) as sampler:
                    before = sampler.now()
                    sent = time.monotonic()
                    reply = (await client.request("POST", "/v1/memories", json=body)).raise_for_status()
                    took = time.monotonic() - sent
                    peak = sampler.peak(sent)
                    settled_s = await settle(sampler, before[0], options)
                    after = sampler.now()
            created = sum(1 for r in reply.body["results"] if r["status"] == "created")
    payload_mb = sum(len(t.encode()) for t in texts) / 1e6
    return {
        "machine": started_on,
        "memories": options.memories,
        "payload_mb": round(payload_mb, 2),
        "created": created,
        "batch_s": round(took, 2),
        "memories_per_s": round(options.memories / took, 1),
        "mb_per_s": round(payload_mb / took, 3),
        "settle_s": options.settle_s,
        "settled_after_s": round(settled_s, 1),
        "server_rss_mib": {
            "before": round(before[0], 1),
            "peak": round(peak[0], 1),
            "after_settle": round(after[0], 1),
            "kept": round(after[0] - before[0], 1),
        },
        "children_rss_mib": {
            "before": round(before[1], 1),
            "peak": round(peak[1], 1),
            "after_settle": round(after[1], 1),
            "kept": round(after[1] - before[1], 1),
        },
        "load_avg_1m_after": round(os.getloadavg()[0], 2),
    }


def summary(result: dict[str, Any]) -> str:
    own, children = result["server_rss_mib"], result["children_rss_mib"]
    rows = [
        ["server process", own["before"], own["peak"], own["after_settle"], own["kept"]],
        ["its children", children["before"], children["peak"], children["after_settle"], children["kept"]],
    ]
    return "\n".join(
        [
            "# One big batch: throughput and the memory the server keeps",
            "",
            f"{result['memories']} memories, {result['payload_mb']} MB in one `POST /v1/memories`: "
            f"{result['batch_s']} s ({result['memories_per_s']} memories/s, {result['mb_per_s']} MB/s), "
            f"{result['created']} created. RSS in MiB, `after` once settled, "
            f"{result['settled_after_s']:.0f} s after the answer (the target: `kept` ≤ 150 MiB).",
            "",
            table(["process", "before", "peak", "after", "kept"], rows),
            "",
            machine_line(result["machine"]) + f"; load {result['load_avg_1m_after']} at the end.",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mnemo.benchmarks.write.batch_memory")
    parser.add_argument("--memories", type=int, default=BatchOptions.memories)
    parser.add_argument("--chars", type=int, default=BatchOptions.chars)
    parser.add_argument("--settle-s", type=float, default=BatchOptions.settle_s)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    options = BatchOptions(args.memories, args.chars, args.settle_s)
    result = asyncio.run(measure(options))
    text = summary(result)
    write_outputs(args.out, result, text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
