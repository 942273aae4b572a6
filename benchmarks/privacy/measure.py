"""Precision and recall of each privacy detector on the labelled set, and what screening costs a write.

`python -m mnemo.benchmarks.privacy.measure [--out DIR]` prints tables and writes `detectors.json`
(default: benchmarks/results/privacy-detectors). A detected span counts for a label when it has the
label's kind and overlaps the label's text; every other detected span is a false positive of its kind.
The cost is that of the write path's screen (`ingest/prefilter.py`, policy `tag`) per memory, timed over
the whole set and over memories of a few sizes.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

from mnemo.lab import detect, fact_screens
from mnemo_client.models import SensitiveKind

from .held_out import HELD_OUT_NEGATIVES, HELD_OUT_POSITIVES
from .labelled import SEED, Sample, build

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "results" / "privacy-detectors"


def score(samples: list[Sample]) -> dict[str, dict[str, float]]:
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for sample in samples:
        found = detect(sample.text)
        matched: set[int] = set()
        for kind, value in sample.labels:
            start = sample.text.index(value)
            end = start + len(value)
            hit = next(
                (
                    i
                    for i, f in enumerate(found)
                    if f.kind == kind and f.start < end and start < f.end and i not in matched
                ),
                None,
            )
            if hit is None:
                fn[kind] += 1
            else:
                tp[kind] += 1
                matched.add(hit)
        for i, f in enumerate(found):
            if i not in matched:
                fp[f.kind.value] += 1
    out: dict[str, dict[str, float]] = {}
    for kind in [k.value for k in SensitiveKind]:
        p_den, r_den = tp[kind] + fp[kind], tp[kind] + fn[kind]
        out[kind] = {
            "labels": r_den,
            "true_positives": tp[kind],
            "false_positives": fp[kind],
            "false_negatives": fn[kind],
            "precision": round(tp[kind] / p_den, 4) if p_den else 1.0,
            "recall": round(tp[kind] / r_den, 4) if r_den else 1.0,
        }
    return out


def held_out() -> list[Sample]:
    return [Sample(text, [(kind, value)]) for text, kind, value in HELD_OUT_POSITIVES] + [
        Sample(text) for text in HELD_OUT_NEGATIVES
    ]


def cost(samples: list[Sample], repeats: int = 5) -> dict[str, Any]:
    """Microseconds the write path's screen adds per memory."""
    screens = fact_screens([s.text for s in samples])
    per_item: list[float] = []
    for _ in range(repeats):
        for screen in screens:
            started = time.perf_counter()
            screen()
            per_item.append((time.perf_counter() - started) * 1e6)
    by_size: dict[str, float] = {}
    filler = " ".join(s.text for s in samples[:400])
    for size in (200, 2_000, 8_000, 32_000):
        [screen] = fact_screens([filler[:size]])
        times = []
        for _ in range(repeats * 4):
            started = time.perf_counter()
            screen()
            times.append((time.perf_counter() - started) * 1e6)
        by_size[str(size)] = round(statistics.median(times), 1)
    per_item.sort()
    return {
        "memories": len(screens),
        "mean_chars": round(statistics.mean(len(s.text) for s in samples), 1),
        "us_per_memory_mean": round(statistics.mean(per_item), 1),
        "us_per_memory_p50": round(per_item[len(per_item) // 2], 1),
        "us_per_memory_p99": round(per_item[int(len(per_item) * 0.99)], 1),
        "us_median_by_chars": by_size,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where detectors.json goes")
    args = parser.parse_args(argv)
    samples = build()
    positives = sum(1 for s in samples if s.labels)
    per_kind, held = score(samples), score(held_out())
    result: dict[str, Any] = {
        "seed": SEED,
        "samples": len(samples),
        "positive_memories": positives,
        "labels": sum(len(s.labels) for s in samples),
        "negative_memories": len(samples) - positives,
        "per_kind": per_kind,
        "held_out": {
            "positive_memories": len(HELD_OUT_POSITIVES),
            "negative_memories": len(HELD_OUT_NEGATIVES),
            "per_kind": held,
        },
        "cost": cost(samples),
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "detectors.json").write_text(json.dumps(result, separators=(",", ":")) + "\n")
    for title, rows in (("the labelled set", per_kind), ("held out", held)):
        print(
            f"{title}\n{'kind':<12} {'labels':>6} {'TP':>4} {'FP':>4} {'FN':>4} "
            f"{'precision':>9} {'recall':>7}"
        )
        for kind, row in rows.items():
            print(
                f"{kind:<12} {row['labels']:>6} {row['true_positives']:>4} {row['false_positives']:>4} "
                f"{row['false_negatives']:>4} {row['precision']:>9.3f} {row['recall']:>7.3f}"
            )
    print(json.dumps(result["cost"], indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
