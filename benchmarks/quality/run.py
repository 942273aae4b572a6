"""`mnemo bench quality`: retrieval quality of mnemo and of the baselines on one dataset.

Every query goes through `/v1/retrieve` with its own `scope` and `now`: once under a budget large
enough that the top K are never trimmed (its `memories` array, best-first, is the ranking scored
@K), and once per budget B (the memories packed under B are scored by budget_recall@B). The
baselines rank the same memories with the same embeddings and are packed under the same budgets.
Each query's ids are written out (quality/run_report.py), so every reported number can be
recomputed from `per_query.jsonl`; with them each ranked memory's score and `confidence` (aligned
with `ranked`), judged by `quality/confidence.py` (calibration, abstention). A query with an empty
`relevant_ids` (nothing answers it) counts only there: the ranking metrics need something relevant.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from mnemo.lab import configured_embedder, nearest_similarities
from mnemo_client.models import MemoryType

from ..dataset import BenchQuery, Dataset
from ..metrics import (
    ann_recall,
    mean_by_group,
    percentiles,
    ranked_sessions,
    ranking_metrics,
    session_metrics,
    set_recall,
    update_order,
    update_pairs,
)
from ..progress import each
from ..report import machine
from ..target import Target, cache_counts
from .baselines import BASELINE_DEPTH, Baselines, Packed, baseline_packer, searched_types
from .confidence import score_confidence

SYSTEMS = ("mnemo", "bm25", "dense", "fusion")


@dataclass(frozen=True)
class QualityOptions:
    ks: tuple[int, ...] = (1, 5, 10, 20)
    budgets: tuple[int, ...] = (256, 512, 1024, 2048)
    types: tuple[MemoryType, ...] | None = None  # None: the API's default types
    # The budget of the ranking run: large enough that no top-K memory is ever trimmed.
    rank_budget: int = 32_000
    prefilter: bool = False
    dedup: bool = False
    # The budget runs' confidence floor (None: the service's default; 0: the budget filled).
    min_confidence: float | None = None


@dataclass
class QualityRun:
    results: dict[str, Any]
    per_query: list[dict[str, Any]] = field(default_factory=list)


def _external_ids(answer: dict[str, Any], field: str = "external_id") -> list[Any]:
    """Each memory's `field`, for the memories that have an external id (the dataset's)."""
    return [m[field] for m in answer["memories"] if m.get("external_id") is not None]


async def _mnemo(target: Target, query: BenchQuery, options: QualityOptions) -> dict[str, Any]:
    """One query through the API: the ranking run (explained, unfloored: every candidate ranked,
    with the features its confidence read), then one run per budget."""
    started = time.perf_counter()
    body = query.retrieve_body(options.rank_budget, types=options.types, unfloored=True)
    ranked_answer = await target.retrieve({**body, "explain": True})
    latency = [(time.perf_counter() - started) * 1000]
    packed: dict[str, dict[str, Any]] = {}
    floor = {} if options.min_confidence is None else {"min_confidence": options.min_confidence}
    for budget in options.budgets:
        started = time.perf_counter()
        answer = await target.retrieve({**query.retrieve_body(budget, types=options.types), **floor})
        latency.append((time.perf_counter() - started) * 1000)
        packed[str(budget)] = {"ids": _external_ids(answer), "tokens": answer["metadata"]["total_tokens"]}
    depth = max(options.ks)
    scores = _external_ids(ranked_answer, "score")[:depth]
    explained = _external_ids(ranked_answer, "explain")[:depth]
    relevant = set(query.relevant_ids)
    return {
        "ranked": _external_ids(ranked_answer)[:depth],
        "sessions": ranked_sessions(_external_ids(ranked_answer)),
        "scores": scores,
        # What the service's confidence read (ranking/confidence.py), for `mnemo bench calibrate`.
        "features": [e["confidence_features"] for e in explained],
        # ... and of every relevant memory found, however deep: what a confidence floor would keep.
        "relevant_features": {
            m["external_id"]: m["explain"]["confidence_features"]
            for m in ranked_answer["memories"]
            if m.get("external_id") in relevant
        },
        "confidence": _external_ids(ranked_answer, "confidence")[:depth],
        "top_confidence": ranked_answer["metadata"].get("top_confidence", 0.0),
        "packed": packed,
        "latency_ms": latency,
        "timings_ms": ranked_answer["metadata"].get("timings_ms", {}),
    }


def score_rows(rows: Sequence[dict[str, Any]], ks: Sequence[int], budgets: Sequence[int]) -> dict[str, Any]:
    """The report's numbers from the per-query rows alone (the recomputation a reader can repeat)."""
    systems: dict[str, Any] = {}
    answerable = [row for row in rows if row["relevant_ids"]]
    for system in SYSTEMS:
        per_query = []
        for row in answerable:
            relevant = row["relevant_ids"]
            metrics = ranking_metrics(row["ranked"][system], relevant, ks)
            if "sessions" in row:
                metrics |= session_metrics(row["sessions"][system], relevant)
            for budget in budgets:
                packed = row["packed"][system][str(budget)]
                metrics[f"budget_recall@{budget}"] = set_recall(packed["ids"], relevant)
                metrics[f"tokens@{budget}"] = float(packed["tokens"])
            per_query.append((row["category"], metrics))
        systems[system] = mean_by_group(per_query)
    out: dict[str, Any] = {"systems": systems, "confidence": score_confidence(rows)}
    updates = [row for row in answerable if row.get("outdated_ids")]
    if updates:  # knowledge updates: the newer memory above the one it replaces, in the top max(ks)
        out["update_order"] = {
            system: update_order(
                ((r["ranked"][system], r["relevant_ids"], r["outdated_ids"]) for r in updates), max(ks)
            )
            for system in SYSTEMS
        }
    ann_rows = [row for row in rows if "ann" in row]
    if ann_rows:
        out["ann_vs_exact"] = mean_by_group(
            ("all", {f"recall@{k}": ann_recall(r["ann"]["index"], r["ann"]["exact"], k) for k in ks})
            for r in ann_rows
        )["all"]
    return out


async def run_quality(
    target: Target, dataset: Dataset, options: QualityOptions, say: Callable[[str], None] = print
) -> QualityRun:
    started_on = machine()  # before the run: its load average is the one that matters
    types = options.types or searched_types()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    statuses = await target.write(dataset.memories, prefilter=options.prefilter, dedup=options.dedup)
    timings["load_s"] = time.perf_counter() - started
    say(f"loaded {len(dataset.memories)} memories in {timings['load_s']:.0f} s")

    started = time.perf_counter()
    memory_vectors, query_vectors = await _baseline_vectors(target, dataset)
    timings["baseline_embed_s"] = time.perf_counter() - started

    baselines = Baselines(dataset.memories, memory_vectors)
    pack = baseline_packer(dataset.memories)
    rows: list[dict[str, Any]] = []
    latencies: list[float] = []
    started = time.perf_counter()
    for query, vector in each(list(zip(dataset.queries, query_vectors, strict=True)), "asking", "questions"):
        row, latency_ms = await _ask(target, query, vector, baselines, pack, options, types)
        latencies.extend(latency_ms)
        rows.append(row)
    timings["queries_s"] = time.perf_counter() - started
    say(f"asked {len(rows)} questions in {timings['queries_s']:.0f} s")

    results = score_rows(rows, options.ks, options.budgets)
    results.update(
        {
            "target": target.description,
            "memories": len(dataset.memories),
            "queries": len(dataset.queries),
            "categories": dataset.categories,
            "write_statuses": statuses,
            "options": {
                "ks": list(options.ks),
                "budgets": list(options.budgets),
                "types": [t.value for t in types],
                "rank_budget": options.rank_budget,
                "prefilter": options.prefilter,
                "dedup": options.dedup,
                "baseline_depth": BASELINE_DEPTH,
            },
            "timings_s": timings,
            "machine": started_on,
            "mnemo_request_ms": percentiles(latencies),
            "embedding_cache": cache_counts(target),
        }
    )
    return QualityRun(results, rows)


async def _baseline_vectors(target: Target, dataset: Dataset) -> tuple[np.ndarray, list[list[float]]]:
    """The memories' and the queries' embeddings the baselines rank with: the app's own embedder
    (in-process), else the one configured here."""
    embedder = target.embedder or configured_embedder()
    memory_vectors = np.asarray(await embedder.embed([m.content for m in dataset.memories]), dtype=np.float32)
    query_vectors = await embedder.embed([q.query for q in dataset.queries])
    if target.embedder is None:
        embedder.close()
    return memory_vectors, query_vectors


async def _ask(
    target: Target,
    query: BenchQuery,
    vector: list[float],
    baselines: Baselines,
    pack: Callable[[Sequence[str], int], Packed],
    options: QualityOptions,
    types: Sequence[MemoryType],
) -> tuple[dict[str, Any], list[float]]:
    """One question asked of mnemo and of the baselines: its per-query row, and mnemo's latencies."""
    mnemo = await _mnemo(target, query, options)
    ranked, similarities = baselines.ranked(query.query, np.asarray(vector), query.scope, types)
    packed = {"mnemo": mnemo["packed"]}
    for system, ranking in ranked.items():
        packed[system] = {}
        for budget in options.budgets:
            result = pack(ranking, budget)
            packed[system][str(budget)] = {"ids": result.ids, "tokens": result.tokens}
    top = {"mnemo": mnemo["ranked"], **{s: r[: max(options.ks)] for s, r in ranked.items()}}
    sessions = {"mnemo": mnemo["sessions"], **{s: ranked_sessions(r) for s, r in ranked.items()}}
    row: dict[str, Any] = {
        "id": query.id,
        "category": query.category,
        "scope": query.scope.model_dump(exclude_none=True),
        "relevant_ids": query.relevant_ids,
        "ranked": top,
        # Sessions in rank order, each at its best turn's rank (LongMemEval's session metric).
        "sessions": sessions,
        "scores": {"mnemo": mnemo["scores"]},
        "features": {"mnemo": mnemo["features"]},
        "relevant_features": mnemo["relevant_features"],
        "confidence": {"mnemo": mnemo["confidence"]},
        "top_confidence": {"mnemo": mnemo["top_confidence"]},
        "packed": packed,
        # For reading, not scoring: the rank (0-based) of each relevant id each system found.
        "hits": {s: {r: ids.index(r) for r in query.relevant_ids if r in ids} for s, ids in top.items()},
        "mnemo_timings_ms": mnemo["timings_ms"],
    }
    if query.outdated_ids:  # per system: [pairs newer above older, pairs counted] in the top max(ks)
        row["outdated_ids"] = query.outdated_ids
        row["update_order"] = {
            s: list(update_pairs(ids, query.relevant_ids, query.outdated_ids, max(options.ks)))
            for s, ids in top.items()
        }
    if target.app is not None:
        # The vector index's own nearest neighbours (no ranking formula), set against exact cosine.
        scope, depth = query.scope.model_dump(exclude_none=True), max(options.ks)
        row["ann"] = {
            "index": await nearest_similarities(target.app, vector, scope, types, depth),
            "exact": similarities[: max(options.ks)],
        }
    return row, mnemo["latency_ms"]
