"""`mnemo bench folds`: several mnemo configurations and the baselines on one dataset load, scored per
question, then judged by leave-one-out folds and paired tests (mnemo.benchmarks.quality.folds).

A variant is `{"ranking": {request ranking options}, "config": {RetrievalConfig fields}, "preset":
"semantic-only", "model": {"expand.neighbour_decay": 0.9, ...}}` (a bare dict is ranking options).
`config`, `preset` and `model` (a copy of the ranking model, mnemo.retrieval.ranking.model: a named
preset, dotted paths into it changed) need the in-process app: they are set on it between variants,
so every variant ranks the same stored memories. The baselines (BM25, dense, RRF fusion) are scored
as systems beside the variants, exactly as `mnemo bench quality` scores them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..dataset import BenchQuery, Dataset
from ..metrics import (
    mean_by_group,
    ranked_sessions,
    ranking_metrics,
    session_metrics,
    set_recall,
    update_order,
)
from ..progress import each
from ..report import machine, machine_line, table, update_order_table, write_outputs
from ..target import BenchError, Target, cache_counts, ranking_variant
from .baselines import Baselines, baseline_packer, searched_types
from .folds import leave_one_out, paired, units

BASELINES = ("bm25", "dense", "fusion")
DEFAULT_VARIANTS: dict[str, dict[str, Any]] = {"default": {}}


@dataclass(frozen=True)
class FoldOptions:
    ks: tuple[int, ...] = (1, 5, 10, 20)
    budgets: tuple[int, ...] = (1024, 2048)
    rank_budget: int = 32_000  # as `mnemo bench quality`: the top K are never trimmed
    fold_by: str = "scope"
    metrics: tuple[str, ...] = ("recall@10", "ndcg@10", "budget_recall@2048")
    reference: str = "default"  # the variant every other one is compared with
    variants: dict[str, dict[str, Any]] = field(default_factory=lambda: dict(DEFAULT_VARIANTS))
    baselines: bool = True

    def __post_init__(self) -> None:
        check_variants(self)


VARIANT_KEYS = frozenset({"ranking", "config", "preset", "model"})


def split_variant(
    spec: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, Any], str | None, dict[str, Any]]:
    """(ranking options, RetrievalConfig overrides, ranking model preset, ranking model changes by
    dotted path) of a variant."""
    if set(spec) <= VARIANT_KEYS and spec:
        ranking, config = dict(spec.get("ranking", {})), dict(spec.get("config", {}))
        return ranking, config, spec.get("preset"), dict(spec.get("model", {}))
    return dict(spec), {}, None, {}


def _ids(answer: Mapping[str, Any]) -> list[str]:
    return [m["external_id"] for m in answer["memories"] if m.get("external_id")]


def _question_metrics(
    ranked: Sequence[str], relevant: Sequence[str], options: FoldOptions
) -> dict[str, float]:
    """One ranking's metrics at each K, and LongMemEval's session recall (`metrics.session_metrics`)."""
    return ranking_metrics(ranked, relevant, options.ks) | session_metrics(ranked_sessions(ranked), relevant)


def metric_names(options: FoldOptions) -> list[str]:
    """Every metric a run computes per question: the ones `--metrics` may judge (named by the very
    function that computes them, so the two cannot drift apart)."""
    return [*_question_metrics([], ["any"], options), *(f"budget_recall@{b}" for b in options.budgets)]


async def _score_variant(
    target: Target, queries: Sequence[BenchQuery], ranking: Mapping[str, Any], options: FoldOptions, what: str
) -> tuple[list[dict[str, float]], list[list[str]], list[float]]:
    """Per question: its metrics and its top max(ks) ids; and each ranking request's latency."""
    rows, tops, latencies = [], [], []
    for query in each(queries, what, "questions"):
        started = time.perf_counter()
        answer = await target.retrieve(
            query.retrieve_body(options.rank_budget, ranking=ranking or None, unfloored=True)
        )
        latencies.append((time.perf_counter() - started) * 1000)
        ranked = _ids(answer)
        metrics = _question_metrics(ranked, query.relevant_ids, options)
        for budget in options.budgets:
            packed = await target.retrieve(query.retrieve_body(budget, ranking=ranking or None))
            metrics[f"budget_recall@{budget}"] = set_recall(_ids(packed), query.relevant_ids)
        rows.append(metrics)
        tops.append(ranked[: max(options.ks)])
    return rows, tops, latencies


async def _score_baselines(
    target: Target, dataset: Dataset, options: FoldOptions
) -> tuple[dict[str, list[dict[str, float]]], dict[str, list[list[str]]]]:
    if target.embedder is None:
        raise BenchError("the baselines of `bench folds` need the in-process app's embedder")
    types = searched_types()
    vectors = np.asarray(await target.embedder.embed([m.content for m in dataset.memories]), dtype=np.float32)
    query_vectors = await target.embedder.embed([q.query for q in dataset.queries])
    pack = baseline_packer(dataset.memories)
    baselines = Baselines(dataset.memories, vectors)
    out: dict[str, list[dict[str, float]]] = {s: [] for s in BASELINES}
    tops: dict[str, list[list[str]]] = {s: [] for s in BASELINES}
    for query, vector in zip(dataset.queries, query_vectors, strict=True):
        ranked, _ = baselines.ranked(query.query, np.asarray(vector), query.scope, types)
        for system, ranking in ranked.items():
            metrics = _question_metrics(ranking, query.relevant_ids, options)
            for budget in options.budgets:
                metrics[f"budget_recall@{budget}"] = set_recall(pack(ranking, budget).ids, query.relevant_ids)
            out[system].append(metrics)
            tops[system].append(ranking[: max(options.ks)])
    return out, tops


def check_variants(options: FoldOptions) -> None:
    """Before anything is loaded (a dataset can take minutes): every judged metric one the run
    computes, every variant a JSON object whose ranking options the API takes, the reference among
    them, and no variant named like a baseline, whose rows would silently replace the variant's in
    every table."""
    from pydantic import ValidationError

    from mnemo_client.models import RankingOptions

    for name, spec in options.variants.items():
        if not isinstance(spec, dict):
            raise BenchError(f"variant {name!r}: expected a JSON object, got {type(spec).__name__}")
        ranking, _, preset, changes = split_variant(spec)
        try:
            RankingOptions.model_validate(ranking)
        except ValidationError as exc:
            raise BenchError(f"variant {name!r}: ranking options the API refuses: {exc}") from None
        ranking_variant(preset, changes)  # the paths and values checked, before the load
    computed = metric_names(options)
    if unknown := [m for m in options.metrics if m not in computed]:
        listed = ", ".join(computed)
        raise BenchError(f"--metrics: {', '.join(unknown)} not computed by this run; it computes {listed}")
    if options.reference not in options.variants:
        raise BenchError(f"the reference variant {options.reference!r} is not among the variants")
    if options.baselines and (taken := sorted(set(options.variants) & set(BASELINES))):
        raise BenchError(
            f"variant names {', '.join(taken)} are the baselines' ({', '.join(BASELINES)}): rename them"
        )


async def run_folds(
    target: Target, dataset: Dataset, options: FoldOptions, say: Callable[[str], None] = print
) -> dict[str, Any]:
    started_on = machine()
    started = time.perf_counter()
    statuses = await target.write(dataset.memories)
    say(f"loaded {len(dataset.memories)} memories in {time.perf_counter() - started:.0f} s")
    per_query: dict[str, list[dict[str, float]]] = {}
    rankings: dict[str, list[list[str]]] = {}
    latency: dict[str, float] = {}
    for name, spec in options.variants.items():
        ranking, config, preset, changes = split_variant(spec)
        started = time.perf_counter()
        with target.varied(config, preset, changes):
            per_query[name], rankings[name], lat = await _score_variant(
                target, dataset.queries, ranking, options, name
            )
        latency[name] = float(np.percentile(lat, 95))
        means = mean_by_group(("all", m) for m in per_query[name])["all"]
        say(
            f"{name}: "
            + ", ".join(f"{k} {means[k]:.3f}" for k in options.metrics)
            + f" ({time.perf_counter() - started:.0f} s)"
        )
    if options.baselines:
        baseline_rows, baseline_tops = await _score_baselines(target, dataset, options)
        per_query.update(baseline_rows)
        rankings.update(baseline_tops)
    results = judge(dataset, per_query, options, statuses, started_on, latency)
    results["rankings"] = rankings  # each question's top max(ks) ids, for reading the misses
    updates = [i for i, q in enumerate(dataset.queries) if q.outdated_ids]
    if updates:  # knowledge updates: the newer memory above the one it replaces, in the top max(ks)
        results["update_order"] = {
            system: update_order(
                (
                    (tops[i], dataset.queries[i].relevant_ids, dataset.queries[i].outdated_ids)
                    for i in updates
                ),
                max(options.ks),
            )
            for system, tops in rankings.items()
        }
    results["embedding_cache"] = cache_counts(target)
    return results


def judge(
    dataset: Dataset,
    per_query: Mapping[str, Sequence[Mapping[str, float]]],
    options: FoldOptions,
    statuses: Mapping[str, int] | None = None,
    started_on: Mapping[str, Any] | None = None,
    latency: Mapping[str, float] | None = None,
) -> dict[str, Any]:
    """Per-category means, leave-one-out folds and paired tests from the per-question metrics."""
    unit_of = units(dataset.queries, options.fold_by)
    categories = [q.category for q in dataset.queries]
    variants = [s for s in per_query if s not in BASELINES]
    results: dict[str, Any] = {
        "memories": len(dataset.memories),
        "queries": len(dataset.queries),
        "fold_by": options.fold_by,
        "options": {k: v for k, v in asdict(options).items() if k != "variants"},
        "variants": {v: options.variants.get(v, {}) for v in variants},
        "write_statuses": dict(statuses or {}),
        "machine": dict(started_on or {}),
        "rank_request_p95_ms": dict(latency or {}),
        "means": {s: mean_by_group(zip(categories, rows, strict=True)) for s, rows in per_query.items()},
        "folds": {},
        "paired": {},
        "per_query": {s: list(rows) for s, rows in per_query.items()},
        "question_ids": [q.id for q in dataset.queries],
        "units": unit_of,
    }
    for metric in options.metrics:
        values = {s: [row[metric] for row in rows] for s, rows in per_query.items()}
        loo = leave_one_out({v: values[v] for v in variants}, unit_of, metric)
        results["folds"][metric] = asdict(loo)
        tests = [
            paired(v, values[v], options.reference, values[options.reference])
            for v in variants
            if v != options.reference
        ]
        tests += [
            paired(options.reference, values[options.reference], b, values[b])
            for b in BASELINES
            if b in values
        ]
        results["paired"][metric] = [asdict(t) | {"significant": t.significant} for t in tests]
    return results


def folds_summary(results: Mapping[str, Any], source: str) -> str:
    metrics = list(results["folds"])
    systems = list(results["means"])
    lines = [
        "# mnemo bench folds",
        "",
        f"Dataset: {source} ({results['memories']} memories, {results['queries']} queries); "
        f"folds: leave one {results['fold_by']} out.",
        "",
        machine_line(results["machine"]) if results["machine"] else "",
        "",
        "## Means (all questions)",
        "",
        table(
            ["system", *metrics], [[s, *(results["means"][s]["all"][m] for m in metrics)] for s in systems]
        ),
        "",
    ]
    if "update_order" in results:
        lines += [
            "Knowledge updates (`update_order`): of the pairs of an outdated memory and a relevant one "
            f"replacing it, either in the top {max(results['options']['ks'])}, those with the newer above.",
            "",
            update_order_table(results["update_order"]),
            "",
        ]
    categories = [c for c in results["means"][systems[0]] if c != "all"]
    for metric in metrics:
        lines += _metric_sections(results, metric, systems, categories)
    return "\n".join(lines)


def _metric_sections(
    results: Mapping[str, Any], metric: str, systems: list[str], categories: list[str]
) -> list[str]:
    """One metric's per-category table, its leave-one-out folds and its paired comparisons."""
    lines = [f"### {metric} per category", ""]
    lines.append(
        table(
            ["system", *categories],
            [[s, *(results["means"][s][c][metric] for c in categories)] for s in systems],
        )
    )
    loo = results["folds"][metric]
    variants = list(loo["held_out_means"])
    lines += ["", f"### {metric}: leave one {results['fold_by']} out", ""]
    rows = [
        [f["held_out"], f["questions"], f["chosen"], *(f["scores"][v] for v in variants)]
        for f in loo["folds"]
    ]
    lines.append(table(["held out", "questions", "chosen on the rest", *variants], rows))
    lines += [
        "",
        f"Choosing the best variant on the other units and scoring it on the held-out one: "
        f"**{loo['chosen_mean']:.3f}** (question-weighted).",
        "",
        table(
            ["a", "b", "mean a", "mean b", "a − b", "95% CI", "wins/losses/ties", "sign p", "real?"],
            [
                [
                    t["a"],
                    t["b"],
                    t["mean_a"],
                    t["mean_b"],
                    f"{t['diff']:+.3f}",
                    f"[{t['low']:+.3f}, {t['high']:+.3f}]",
                    f"{t['wins']}/{t['losses']}/{t['ties']}",
                    f"{t['sign_p']:.3g}",
                    "yes" if t["significant"] else "no",
                ]
                for t in results["paired"][metric]
            ],
        ),
        "",
    ]
    return lines


def write_folds_outputs(results: Mapping[str, Any], out: Path, source: str) -> None:
    write_outputs(out, results, folds_summary(results, source))
