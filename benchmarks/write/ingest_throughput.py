"""`mnemo bench ingest`: `mnemo ingest` throughput against raw embedding throughput, same texts, same run.

The embedder is the floor every write pays: the ratio of the two says how much the rest of the
write path (parsing, pre-filter, duplicate checks, importance, token counting, upserts) costs on
top of it. Ingestion runs what `mnemo ingest FILE` runs in embedded mode, `ingest_file` into the
services of a fresh data dir with the write path's defaults, minus the progress bar; the HNSW build
it does at the end is timed separately. The raw figure is the same embedder on the same texts.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mnemo.lab import configured_embedder
from mnemo_client.models import MemoryIn

from ..dataset import write_jsonl
from ..report import machine

WARMUP_TEXTS = 64


@dataclass(frozen=True)
class IngestOptions:
    batch: int = 256  # `mnemo ingest --batch-size` default
    repeats: int = 1  # each phase runs this many times; the best run is reported (least disturbed)


async def _raw_embedding_s(texts: Sequence[str]) -> float:
    embedder = configured_embedder()
    try:
        await embedder.embed(texts[:WARMUP_TEXTS])
        started = time.perf_counter()
        await embedder.embed(texts)
        return time.perf_counter() - started
    finally:
        embedder.close()


async def _ingest_s(memories: Sequence[MemoryIn], batch: int) -> tuple[float, float, dict[str, Any]]:
    """Seconds of `ingest_file`, seconds of the HNSW build after it, and the ingest summary."""
    from mnemo.lab import embedded_ingest

    with tempfile.TemporaryDirectory(prefix="mnemo-bench-ingest-") as scratch:
        source = Path(scratch) / "memories.jsonl"
        write_jsonl(source, [m.model_dump(mode="json", exclude_none=True) for m in memories])
        warm = [m.content for m in memories[:WARMUP_TEXTS]]
        return await embedded_ingest(source, Path(scratch), batch, warm)


async def run_ingest(memories: Sequence[MemoryIn], options: IngestOptions) -> dict[str, Any]:
    started_on = machine()  # before the run: its load average is the one that matters
    texts = [m.content for m in memories]
    embed_s = min([await _raw_embedding_s(texts) for _ in range(options.repeats)])
    runs = [await _ingest_s(memories, options.batch) for _ in range(options.repeats)]
    ingest_s, index_s, summary = min(runs, key=lambda run: run[0])
    n = len(memories)
    return {
        "machine": started_on,
        "memories": n,
        "mean_chars": round(sum(len(t) for t in texts) / n, 1),
        "batch": options.batch,
        "repeats": options.repeats,
        "raw_embedding": {"seconds": round(embed_s, 2), "per_s": round(n / embed_s, 1)},
        "ingest": {"seconds": round(ingest_s, 2), "per_s": round(n / ingest_s, 1), "summary": summary},
        "hnsw_build_after_s": round(index_s, 2),
        "ingest_vs_embedding": round(embed_s / ingest_s, 3),
        "path": f"`mnemo ingest` in embedded mode (ingest_file into a fresh data dir), batches of "
        f"{options.batch}, pre-filter and near-duplicate merging on",
    }


def write_ingest_outputs(results: dict[str, Any], out: Path, source: str) -> None:
    from ..report import bar_plot, machine_line, table, write_json

    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "results.json", results)
    raw, ingest = results["raw_embedding"], results["ingest"]
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
                ["mnemo ingest", f"{ingest['seconds']:.1f}", f"{ingest['per_s']:.1f}"],
            ],
        ),
        "",
        f"Ingest runs at {results['ingest_vs_embedding']:.0%} of raw embedding speed; the HNSW build it "
        f"does at the end took {results['hnsw_build_after_s']:.1f} s more. Summary: created "
        f"{ingest['summary']['created']}, merged {ingest['summary']['merged']}, skipped "
        f"{ingest['summary']['skipped']}, failed {len(ingest['summary']['failed'])}.",
        "",
        "![throughput](throughput.png)",
        "",
    ]
    (out / "summary.md").write_text("\n".join(text), encoding="utf-8")
    bar_plot(
        out / "throughput.png",
        "memories per second",
        "memories/s",
        ["raw embedding", "mnemo ingest"],
        {"throughput": [raw["per_s"], ingest["per_s"]]},
    )
