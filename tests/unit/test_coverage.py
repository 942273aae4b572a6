"""Coverage-aware order (mnemo.retrieval.stages.coverage): one memory per part of the question."""

from __future__ import annotations

import asyncio
import math
import random
from collections import Counter

import pytest

from mnemo.memtypes.queries import ScoredPoint
from mnemo.memtypes.types import MemoryType
from mnemo.retrieval.stages.coverage import cover_query
from mnemo.retrieval.stages.explain import with_lift
from mnemo.retrieval.stages.rank import QueryCoverage, rank_round

JOG, YOGA, WEEK = 1, 2, 3


def _hits(*scored: tuple[str, float]) -> list[ScoredPoint]:
    return [ScoredPoint(name, score, {"content": name}) for name, score in scored]


def _terms(table: dict[str, set[int]]):  # type: ignore[no-untyped-def]
    return lambda hit: table[hit.id]


def _order(hits: list[ScoredPoint]) -> list[str]:
    return [h.id for h in hits]


# "How many hours of jogging and yoga did I do last week?": two turns about the jog, then the yoga.
JOGGING = {"jog": {JOG, WEEK}, "jog again": {JOG, WEEK}, "yoga": {YOGA}, "other": set()}
RANKED = _hits(("jog", 0.60), ("jog again", 0.58), ("yoga", 0.55), ("other", 0.54))


def test_the_other_part_of_the_question_overtakes_a_repeat_of_the_first() -> None:
    ordered, lifts = cover_query(RANKED, {JOG, YOGA, WEEK}, _terms(JOGGING), 0.1)
    assert _order(ordered) == ["jog", "yoga", "jog again", "other"]
    assert set(lifts) == {"jog", "yoga"}  # the repeat covers nothing new, "other" nothing at all
    by_id = {h.id: h.score for h in ordered}
    assert by_id["yoga"] == pytest.approx(0.55 + lifts["yoga"])
    assert by_id["jog again"] == 0.58 and by_id["other"] == 0.54


def test_off_or_nothing_to_cover_keeps_the_engines_order() -> None:
    for weight, query in ((0.0, {JOG, YOGA}), (0.1, set()), (0.1, {99})):
        ordered, lifts = cover_query(RANKED, query, _terms(JOGGING), weight)
        assert _order(ordered) == _order(RANKED) and lifts == {}


def test_only_the_window_is_reordered() -> None:
    ordered, lifts = cover_query(RANKED, {JOG, YOGA, WEEK}, _terms(JOGGING), 0.1, window=2)
    assert _order(ordered) == ["jog", "jog again", "yoga", "other"]  # "yoga" is past the window
    assert set(lifts) == {"jog"}


def _greedy(hits: list[ScoredPoint], query: set[int], table: dict[str, set[int]], weight: float) -> list[str]:
    """The plain greedy the lazy one must equal: every remaining hit re-scored at every step."""
    matched = {h.id: query & table[h.id] for h in hits}
    frequency = Counter(t for terms in matched.values() for t in terms)
    idf = {t: math.log(1 + (len(hits) - f + 0.5) / (f + 0.5)) for t, f in frequency.items()}
    total = sum(idf.values())
    left, covered, order = list(hits), set(), []
    while left:
        value = {h.id: h.score + weight * sum(idf[t] for t in matched[h.id] - covered) / total for h in left}
        best = max(left, key=lambda h: (value[h.id], -left.index(h)))
        order.append(best.id)
        covered |= matched[best.id]
        left.remove(best)
    return order


@pytest.mark.parametrize("seed", range(40))
def test_the_lazy_greedy_picks_what_the_full_greedy_would(seed: int) -> None:
    rng = random.Random(seed)
    table = {f"h{i}": {t for t in range(8) if rng.random() < 0.3} for i in range(30)}
    hits = _hits(*((name, round(rng.uniform(0.2, 0.7), 6)) for name in table))
    query = {t for t in range(8) if rng.random() < 0.6}
    weight = rng.choice([0.05, 0.1, 0.3])
    ordered, _ = cover_query(hits, query, _terms(table), weight)
    assert _order(ordered) == _greedy(sorted(hits, key=lambda h: -h.score), query, table, weight)


def test_rank_round_records_each_types_lifts_and_explains_them() -> None:
    hits: dict[MemoryType, list[ScoredPoint]] = {}
    covered: dict[MemoryType, dict[str, float]] = {}
    coverage = QueryCoverage(frozenset({JOG, YOGA, WEEK}), _terms(JOGGING), 0.1)
    asyncio.run(rank_round(hits, {MemoryType.EPISODIC: RANKED}, 0.8, 0.0, coverage=coverage, covered=covered))
    assert _order(hits[MemoryType.EPISODIC]) == ["jog", "yoga", "jog again", "other"]
    lift = covered[MemoryType.EPISODIC]["yoga"]
    explained = with_lift({"total": 0.55, "components": {}}, lift, "coverage")
    assert explained["total"] == pytest.approx(0.55 + lift)
    assert explained["components"]["coverage"]["contribution"] == lift
