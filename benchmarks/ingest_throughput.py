"""`mnemo bench ingest`: bulk-ingestion throughput against raw embedding throughput, same texts, same run.

The embedder is the floor every write pays: the ratio of the two says how much the rest of the
write path (validation, record building, token counting, upserts, HTTP) costs on top of it.
Ingestion goes through `POST /v1/memories` of an in-process app on a fresh data dir, in batches, as
a bulk loader would; the raw figure is the same embedder class on the same texts, warmed up first.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.report import machine
from benchmarks.target import WRITE_BATCH, open_target
from memtypes.records import MemoryIn, Scope

WARMUP_TEXTS = 64


@dataclass(frozen=True)
class IngestOptions:
    batch: int = WRITE_BATCH
    repeats: int = 1  # each phase runs this many times; the best run is reported (least disturbed)


async def _raw_embedding_s(texts: Sequence[str]) -> float:
    from backends.embedder import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()
    try:
        await embedder.embed(texts[:WARMUP_TEXTS])
        started = time.perf_counter()
        await embedder.embed(texts)
        return time.perf_counter() - started
    finally:
        embedder.close()


async def _ingest_s(memories: Sequence[MemoryIn], batch: int) -> tuple[float, dict[str, int]]:
    async with open_target() as target:
        # Warm up in a scope of its own, so that nothing measured later is a duplicate of it.
        elsewhere = Scope(user_id="bench-warmup")
        await target.write([m.model_copy(update={"scope": elsewhere}) for m in memories[:WARMUP_TEXTS]])
        started = time.perf_counter()
        # The full write path, as a bulk load runs it: pre-filter and near-duplicate merging on.
        statuses = await target.write(memories, prefilter=True, dedup=True, batch=batch)
        return time.perf_counter() - started, statuses


async def run_ingest(memories: Sequence[MemoryIn], options: IngestOptions) -> dict[str, Any]:
    texts = [m.content for m in memories]
    embed_s = min([await _raw_embedding_s(texts) for _ in range(options.repeats)])
    runs = [await _ingest_s(memories, options.batch) for _ in range(options.repeats)]
    ingest_s, statuses = min(runs, key=lambda run: run[0])
    n = len(memories)
    return {
        "machine": machine(),
        "memories": n,
        "mean_chars": round(sum(len(t) for t in texts) / n, 1),
        "batch": options.batch,
        "repeats": options.repeats,
        "raw_embedding": {"seconds": round(embed_s, 2), "per_s": round(n / embed_s, 1)},
        "ingest_api": {"seconds": round(ingest_s, 2), "per_s": round(n / ingest_s, 1), "statuses": statuses},
        "ingest_vs_embedding": round(embed_s / ingest_s, 3),
        "path": f"POST /v1/memories on an in-process app (Qdrant Edge), batches of {options.batch}, "
        "pre-filter and near-duplicate merging on",
    }


def write_ingest_outputs(results: dict[str, Any], out: Path, source: str) -> None:
    from benchmarks.report import bar_plot, machine_line, table, write_json

    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "results.json", results)
    raw, api = results["raw_embedding"], results["ingest_api"]
    text = [
        "# mnemo bench ingest",
        "",
        machine_line(results["machine"]),
        "",
        f"{results['memories']} memories from {source} (mean {results['mean_chars']} characters). "
        f"Ingestion: {results['path']}.",
        "",
        table(
            ["what", "seconds", "memories/s"],
            [
                ["raw embedding (same texts)", f"{raw['seconds']:.1f}", f"{raw['per_s']:.1f}"],
                ["ingest", f"{api['seconds']:.1f}", f"{api['per_s']:.1f}"],
            ],
        ),
        "",
        f"Ingest runs at {results['ingest_vs_embedding']:.0%} of raw embedding speed. "
        f"Write statuses: {api['statuses']}.",
        "",
        "![throughput](throughput.png)",
        "",
    ]
    (out / "summary.md").write_text("\n".join(text), encoding="utf-8")
    bar_plot(
        out / "throughput.png",
        "memories per second",
        "memories/s",
        ["raw embedding", "ingest"],
        {"throughput": [raw["per_s"], api["per_s"]]},
    )
