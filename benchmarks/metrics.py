"""Retrieval metrics over ranked id lists (binary relevance), and latency percentiles.

Pure functions on plain lists, so a test (or a reader) can recompute every number of a report from
its per-query output.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence

ANN_TOLERANCE = 1e-4  # float32 cosines from two engines agree to ~1e-6; within this they are a tie


def recall_at(ranked: Sequence[str], relevant: Collection[str], k: int) -> float:
    """Share of the relevant ids found among the first `k` ranked ids."""
    if not relevant:
        raise ValueError("recall needs at least one relevant id")
    return len(set(ranked[:k]) & set(relevant)) / len(set(relevant))


def hit_at(ranked: Sequence[str], relevant: Collection[str], k: int) -> float:
    """1.0 when any relevant id is among the first `k`, else 0.0."""
    return 1.0 if set(ranked[:k]) & set(relevant) else 0.0


def recall_all_at(ranked: Sequence[str], relevant: Collection[str], k: int) -> float:
    """1.0 when every relevant id is among the first `k` (a question answered by several memories
    needs them all: LongMemEval's recall_all), else 0.0."""
    if not relevant:
        raise ValueError("recall_all needs at least one relevant id")
    return 1.0 if set(relevant) <= set(ranked[:k]) else 0.0


def ndcg_at(ranked: Sequence[str], relevant: Collection[str], k: int) -> float:
    """Normalized discounted cumulative gain at `k`, binary gains (a repeated id counts once)."""
    wanted = set(relevant)
    if not wanted:
        raise ValueError("ndcg needs at least one relevant id")
    seen: set[str] = set()
    dcg = 0.0
    for position, item in enumerate(ranked[:k]):
        if item in wanted and item not in seen:
            dcg += 1.0 / math.log2(position + 2)
        seen.add(item)
    ideal = sum(1.0 / math.log2(position + 2) for position in range(min(k, len(wanted))))
    return dcg / ideal


def set_recall(returned: Iterable[str], relevant: Collection[str]) -> float:
    """Share of the relevant ids inside an unordered set (e.g. the memories packed under a budget)."""
    if not relevant:
        raise ValueError("recall needs at least one relevant id")
    return len(set(returned) & set(relevant)) / len(set(relevant))


def ranking_metrics(ranked: Sequence[str], relevant: Collection[str], ks: Iterable[int]) -> dict[str, float]:
    out: dict[str, float] = {}
    for k in ks:
        out[f"recall@{k}"] = recall_at(ranked, relevant, k)
        out[f"hit@{k}"] = hit_at(ranked, relevant, k)
        out[f"recall_all@{k}"] = recall_all_at(ranked, relevant, k)
        out[f"ndcg@{k}"] = ndcg_at(ranked, relevant, k)
    return out


def update_pairs(
    ranked: Sequence[str], relevant: Iterable[str], outdated: Iterable[str], depth: int
) -> tuple[int, int]:
    """Knowledge updates in one ranking: of the pairs (an outdated memory, a relevant one that replaces
    it) where either is among the first `depth`, how many rank the newer above the older; answers
    (newer above, pairs counted). A pair neither of which is ranked says nothing about their order."""
    rank = {memory_id: i for i, memory_id in reversed(list(enumerate(ranked[:depth])))}
    above = counted = 0
    for old in outdated:
        for new in relevant:
            old_rank, new_rank = rank.get(old), rank.get(new)
            if old_rank is None and new_rank is None:
                continue
            counted += 1
            above += new_rank is not None and (old_rank is None or new_rank < old_rank)
    return above, counted


def update_order(
    questions: Iterable[tuple[Sequence[str], Sequence[str], Sequence[str]]], depth: int
) -> dict[str, float | int | None]:
    """`update_pairs` summed over questions, each (its ranking, its relevant ids, its outdated ids):
    the pairs newer above older, the pairs counted, and their share (None: no pair counted)."""
    above = counted = 0
    for ranked, relevant, outdated in questions:
        right, pairs = update_pairs(ranked, relevant, outdated, depth)
        above, counted = above + right, counted + pairs
    return {"newer_above": above, "pairs": counted, "share": above / counted if counted else None}


SESSION_KS = (5, 10)


def session_of(memory_id: str) -> str:
    """A conversation turn's session, by the datasets' id convention `<conversation>:<session>:<turn>`
    (LongMemEval, LoCoMo): the id without its last part. An id without one is its own session."""
    head, sep, _ = memory_id.rpartition(":")
    return head if sep and head else memory_id


def ranked_sessions(ranked: Iterable[str], depth: int = max(SESSION_KS)) -> list[str]:
    """The sessions of a ranking, each at the rank of its best turn, the first `depth` of them."""
    sessions: list[str] = []
    for memory_id in ranked:
        session = session_of(memory_id)
        if session not in sessions:
            sessions.append(session)
            if len(sessions) == depth:
                break
    return sessions


def session_metrics(sessions: Sequence[str], relevant: Collection[str]) -> dict[str, float]:
    """LongMemEval's own retrieval metric: `session_recall_all@k`, 1 when every session holding a
    relevant turn is among the first k sessions (`ranked_sessions`), else 0."""
    wanted = {session_of(r) for r in relevant}
    return {f"session_recall_all@{k}": float(wanted <= set(sessions[:k])) for k in SESSION_KS}


def ann_recall(found: Sequence[float], exact: Sequence[float], k: int) -> float:
    """Share of the exact top-k that the approximate search also found, counted by similarity.

    Counting by similarity rather than by id makes ties (identical texts, identical vectors) count
    as found whichever of the tied ids the index returned.
    """
    if not exact:
        return 1.0
    kth = exact[: min(k, len(exact))][-1]
    return sum(1 for s in found[:k] if s >= kth - ANN_TOLERANCE) / min(k, len(exact))


def mean_by_group(rows: Iterable[tuple[str, Mapping[str, float]]]) -> dict[str, dict[str, float]]:
    """Average each metric over the rows, overall (`"all"`) and per group; also counts the rows."""
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    counts: dict[str, int] = defaultdict(int)
    for group, metrics in rows:
        for key in ("all", group):
            counts[key] += 1
            for name, value in metrics.items():
                sums[key][name] += value
    return {
        key: {"queries": counts[key], **{name: total / counts[key] for name, total in sums[key].items()}}
        for key in sorted(sums, key=lambda g: (g != "all", g))
    }


def percentiles(values: Sequence[float], points: Iterable[int] = (50, 95, 99)) -> dict[str, float]:
    """Nearest-rank percentiles (the smallest value with at least p% of the values at or below it)."""
    if not values:
        return {f"p{p}": float("nan") for p in points}
    ordered = sorted(values)
    out: dict[str, float] = {}
    for p in points:
        rank = max(1, math.ceil(p / 100 * len(ordered)))
        out[f"p{p}"] = ordered[rank - 1]
    out["mean"] = sum(ordered) / len(ordered)
    return out
