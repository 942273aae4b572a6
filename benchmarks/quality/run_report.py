"""`mnemo bench quality`'s outputs: results.json, per_query.jsonl, and a summary.md of the ranking
metrics' tables, the confidence's and the plots beside them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..metrics import SESSION_KS
from .confidence import reliability_plot, summary_lines
from .run import SYSTEMS, QualityRun


def write_quality_outputs(run: QualityRun, out: Path, source: str) -> None:
    from ..dataset import write_jsonl
    from ..report import machine_line, write_json

    results = run.results
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "results.json", results)
    write_jsonl(out / "per_query.jsonl", run.per_query)
    parts = [
        "# mnemo bench quality",
        "",
        f"Dataset: {source} ({results['memories']} memories, {results['queries']} queries). "
        f"Target: {results['target']}. Write statuses: {results['write_statuses']}.",
        "",
        machine_line(results["machine"]),
        "",
        *(
            f"Not stored (the service refuses it; a question naming it counts it missed): memory "
            f"{n['id']} (line {n['line']}): {n['reason']}."
            for n in results.get("not_stored", [])
        ),
        "",
    ]
    if results["systems"]["mnemo"]:  # some query is answerable: the ranking metrics
        parts += _ranking_summary(results, out)
    parts += summary_lines(results["confidence"])
    latency = results["mnemo_request_ms"]
    parts += [
        f"mnemo request latency during the run (in whatever target ran it): p50 {latency['p50']:.1f} ms, "
        f"p95 {latency['p95']:.1f} ms. Timings (s): "
        + ", ".join(f"{k} {v:.1f}" for k, v in results["timings_s"].items()),
        "",
    ]
    (out / "summary.md").write_text("\n".join(parts), encoding="utf-8")
    reliability_plot(out / "reliability.png", results["confidence"])


def _ranking_summary(results: dict[str, Any], out: Path) -> list[str]:
    """The ranking metrics' tables (and their plots, written into `out`)."""
    from ..report import table

    ks = results["options"]["ks"]
    k_ref, b_ref = _reference_points(results)
    parts = [
        "## Overall",
        "",
        _overall_table(results),
        "",
        f"## Per category: recall@{k_ref} and budget_recall@{b_ref}",
        "",
        _category_table(results),
        "",
    ]
    if "update_order" in results:
        parts += [*_update_order_lines(results), ""]
    if "ann_vs_exact" in results:
        ann = results["ann_vs_exact"]
        parts += [
            "## Vector index (ANN) against exact search",
            "",
            "Nearest neighbours from the index, no ranking formula, against brute-force cosine over the "
            "same embeddings:",
            "",
            table(["k", *(str(k) for k in ks)], [["recall", *(ann[f"recall@{k}"] for k in ks)]]),
            "",
        ]
    parts += [
        "![recall@K](recall_at_k.png) ![budget recall](budget_recall.png) ![by category](by_category.png)",
        "",
    ]
    _ranking_plots(results, out)
    return parts


def _update_order_lines(results: dict[str, Any]) -> list[str]:
    """The knowledge updates' order: of the pairs (an outdated memory, a relevant one replacing it)
    where either is ranked, the share with the newer above."""
    from ..report import update_order_table

    depth = max(results["options"]["ks"])
    return [
        "## Knowledge updates: newer above older",
        "",
        "Pairs of an outdated memory and a relevant one that replaces it (`outdated_ids`), either in the "
        f"top {depth}: how many rank the newer above the older (`update_order`).",
        "",
        update_order_table({s: results["update_order"][s] for s in SYSTEMS}),
    ]


def _reference_points(results: dict[str, Any]) -> tuple[int, int]:
    """The K and the budget the single-column figures are read at: 10 (else the largest K) and the
    largest budget."""
    ks, budgets = results["options"]["ks"], results["options"]["budgets"]
    return (10 if 10 in ks else ks[-1]), budgets[-1]


def _overall_table(results: dict[str, Any]) -> str:
    from ..report import table

    ks, budgets = results["options"]["ks"], results["options"]["budgets"]
    overall = {s: results["systems"][s]["all"] for s in SYSTEMS}
    k_ref, b_ref = _reference_points(results)
    sessions = [
        f"session_recall_all@{k}" for k in SESSION_KS if f"session_recall_all@{k}" in overall["mnemo"]
    ]
    header = ["system", *(f"recall@{k}" for k in ks), f"recall_all@{k_ref}", f"hit@{k_ref}"]
    header += [f"ndcg@{k_ref}", *sessions, *(f"budget_recall@{b}" for b in budgets), f"tokens@{b_ref}"]
    rows = [
        [
            s,
            *(overall[s][f"recall@{k}"] for k in ks),
            overall[s][f"recall_all@{k_ref}"],
            overall[s][f"hit@{k_ref}"],
            overall[s][f"ndcg@{k_ref}"],
            *(overall[s][name] for name in sessions),
            *(overall[s][f"budget_recall@{b}"] for b in budgets),
            round(overall[s][f"tokens@{b_ref}"], 1),
        ]
        for s in SYSTEMS
    ]
    return table(header, rows)


def _category_table(results: dict[str, Any]) -> str:
    from ..report import table

    systems = results["systems"]
    k_ref, b_ref = _reference_points(results)
    by_category = [
        [c, systems["mnemo"][c]["queries"], *(systems[s][c][f"recall@{k_ref}"] for s in SYSTEMS)]
        + [systems[s][c][f"budget_recall@{b_ref}"] for s in SYSTEMS]
        for c in systems["mnemo"]
        if c != "all"
    ]
    return table(
        [
            "category",
            "queries",
            *(f"{s} r@{k_ref}" for s in SYSTEMS),
            *(f"{s} br@{b_ref}" for s in SYSTEMS),
        ],
        by_category,
    )


def _ranking_plots(results: dict[str, Any], out: Path) -> None:
    from ..report import bar_plot, line_plot

    ks, budgets = results["options"]["ks"], results["options"]["budgets"]
    systems = results["systems"]
    overall = {s: systems[s]["all"] for s in SYSTEMS}
    k_ref, _ = _reference_points(results)
    categories = [c for c in systems["mnemo"] if c != "all"]
    line_plot(
        out / "recall_at_k.png",
        "recall@K",
        "K",
        "recall",
        ks,
        {s: [overall[s][f"recall@{k}"] for k in ks] for s in SYSTEMS},
        ylim=(0, 1),
    )
    line_plot(
        out / "budget_recall.png",
        "budget_recall@B",
        "budget B (tokens)",
        "recall",
        budgets,
        {s: [overall[s][f"budget_recall@{b}"] for b in budgets] for s in SYSTEMS},
        logx=True,
        ylim=(0, 1),
    )
    bar_plot(
        out / "by_category.png",
        f"recall@{k_ref} by category",
        "recall",
        categories,
        {s: [systems[s][c][f"recall@{k_ref}"] for c in categories] for s in SYSTEMS},
    )
