"""`mnemo bench ablation`: mnemo's retrieval with parts switched off or on, one dataset load for all.

Each variant is a set of `ranking` options of `POST /v1/retrieve` (the request field users set),
so every row goes through the same API and harness as `mnemo bench quality`; a `--variants` file is
the format `mnemo bench folds` reads (`config`, a ranking model `preset` and `model` changes beside
`ranking`, in-process only).
Per variant and query: one ranking run under a budget large enough that nothing is trimmed (scored
@K), and one run per budget (scored by budget_recall@B and the tokens it used). Latency is each
request's wall time through the in-process app (the embedding of the query included)."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..dataset import BenchQuery, Dataset
from ..metrics import mean_by_group, percentiles, ranking_metrics, set_recall
from ..progress import each
from ..report import machine, machine_line, table, write_outputs
from ..target import Target
from .fold_runner import split_variant

# The ladder of the issue: each row adds one part to the row above it; the last is the default.
# Rows that leave an option out take the service's default (`MNEMO_*` settings).
_BARE = {"formula": False, "diversity": 0.0, "neighbours": 0, "temporal": False}
VARIANTS: dict[str, dict[str, Any]] = {
    "dense only": {**_BARE, "search": "dense"},
    "sparse (BM25) only": {**_BARE, "search": "sparse"},
    "+ fusion (rrf)": {**_BARE, "search": "hybrid", "fusion": "rrf"},
    "+ fusion (dbsf)": {**_BARE, "search": "hybrid", "fusion": "dbsf"},
    "+ fusion (linear)": {**_BARE, "search": "hybrid", "fusion": "linear"},
    "+ formula": {"formula": True, "diversity": 0.0, "neighbours": 0, "temporal": False},
    "+ temporal": {"diversity": 0.0, "neighbours": 0},
    "+ near-duplicate suppression": {"neighbours": 0},
    "+ expansion = default": {},
}


@dataclass(frozen=True)
class AblationOptions:
    ks: tuple[int, ...] = (5, 10, 20)
    budgets: tuple[int, ...] = (1024, 2048)
    # The ranking run's budget: ~90 LoCoMo turns, so the top 20 are never trimmed, while responses
    # stay small enough to run 9 variants over HTTP in minutes.
    rank_budget: int = 4_096
    variants: dict[str, dict[str, Any]] = field(default_factory=lambda: dict(VARIANTS))


async def _variant(
    target: Target,
    queries: Sequence[BenchQuery],
    ranking: dict[str, Any],
    options: AblationOptions,
    what: str,
) -> dict[str, Any]:
    rows: list[tuple[str, dict[str, float]]] = []
    latencies: list[float] = []
    for query in each(queries, what, "questions"):
        started = time.perf_counter()
        answer = await target.retrieve(
            query.retrieve_body(options.rank_budget, ranking=ranking, unfloored=True)
        )
        latencies.append((time.perf_counter() - started) * 1000)
        ranked = [m["external_id"] for m in answer["memories"] if m.get("external_id")]
        metrics = ranking_metrics(ranked, query.relevant_ids, options.ks)
        for budget in options.budgets:
            started = time.perf_counter()
            packed = await target.retrieve(query.retrieve_body(budget, ranking=ranking))
            latencies.append((time.perf_counter() - started) * 1000)
            ids = [m["external_id"] for m in packed["memories"] if m.get("external_id")]
            metrics[f"budget_recall@{budget}"] = set_recall(ids, query.relevant_ids)
            metrics[f"tokens@{budget}"] = float(packed["metadata"]["total_tokens"])
        rows.append((query.category, metrics))
    return {"metrics": mean_by_group(rows), "latency_ms": percentiles(latencies)}


async def run_ablation(
    target: Target, dataset: Dataset, options: AblationOptions, say: Any = print
) -> dict[str, Any]:
    started = time.perf_counter()
    statuses = await target.write(dataset.memories)
    load_s = time.perf_counter() - started
    variants = {}
    for name, spec in options.variants.items():
        ranking, config, preset, changes = split_variant(spec)
        started = time.perf_counter()
        with target.varied(config, preset, changes):
            variants[name] = {
                "ranking": ranking,
                **await _variant(target, dataset.queries, ranking, options, name),
            }
        overall = variants[name]["metrics"]["all"]
        say(
            f"{name}: recall@10 {overall.get('recall@10', float('nan')):.3f}, "
            f"budget_recall@{options.budgets[-1]} {overall[f'budget_recall@{options.budgets[-1]}']:.3f} "
            f"({time.perf_counter() - started:.0f} s)"
        )
    return {
        "memories": len(dataset.memories),
        "queries": len(dataset.queries),
        "write_statuses": statuses,
        "options": {
            "ks": list(options.ks),
            "budgets": list(options.budgets),
            "rank_budget": options.rank_budget,
        },
        "load_s": load_s,
        "machine": machine(),
        "variants": variants,
    }


def ablation_tables(results: dict[str, Any]) -> str:
    ks, budgets = results["options"]["ks"], results["options"]["budgets"]
    header = ["variant", *(f"recall@{k}" for k in ks), *(f"budget_recall@{b}" for b in budgets)]
    header += [f"mean tokens@{budgets[-1]}", "p50 ms", "p95 ms"]
    rows = []
    for name, v in results["variants"].items():
        m = v["metrics"]["all"]
        latency = v["latency_ms"]
        rows.append(
            [
                name,
                *(m[f"recall@{k}"] for k in ks),
                *(m[f"budget_recall@{b}"] for b in budgets),
                round(m[f"tokens@{budgets[-1]}"], 1),
                round(latency["p50"], 1),
                round(latency["p95"], 1),
            ]
        )
    first = next(iter(results["variants"].values()))
    categories = [c for c in first["metrics"] if c != "all"]
    k_ref, b_ref = (10 if 10 in ks else ks[-1]), budgets[-1]
    by_category = [
        [name, *(f"{v['metrics'][c][f'recall@{k_ref}']:.3f} / {v['metrics'][c][f'budget_recall@{b_ref}']:.3f}"
                 for c in categories)]
        for name, v in results["variants"].items()
    ]  # fmt: skip
    sizes = ", ".join(f"{c}: {first['metrics'][c]['queries']} queries" for c in categories)
    return "\n".join(
        [
            table(header, rows),
            "",
            f"Per category, recall@{k_ref} / budget_recall@{b_ref} ({sizes}):",
            "",
            table(["variant", *categories], by_category),
        ]
    )


def write_ablation_outputs(results: dict[str, Any], out: Path, source: str) -> None:
    summary = [
        "# mnemo bench ablation",
        "",
        f"Dataset: {source} ({results['memories']} memories, {results['queries']} queries).",
        "",
        machine_line(results["machine"]),
        "",
        "Variants (`ranking` options of each request):",
        "",
        *(f"- {name}: `{json.dumps(v['ranking'])}`" for name, v in results["variants"].items()),
        "",
        ablation_tables(results),
        "",
    ]
    write_outputs(out, results, "\n".join(summary))
