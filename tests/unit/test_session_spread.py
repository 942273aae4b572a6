"""Sessions spread (mnemo.retrieval.stages.session_spread): a question for several things gets a turn from
each of several conversations."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from mnemo.memtypes.queries import ScoredPoint
from mnemo.memtypes.types import MemoryType
from mnemo.retrieval.options import RetrievalConfig
from mnemo.retrieval.stages.session_spread import session_keys, spread_question, spread_sessions

HOUR = 3600.0


def _turn(name: str, score: float, at: float | None, user: str = "u") -> ScoredPoint:
    payload: dict[str, object] = {"content": name, "user_id": user}
    if at is not None:
        payload["occurred_ts"] = at
    return ScoredPoint(name, score, payload)


def _order(hits: list[ScoredPoint]) -> list[str]:
    return [h.id for h in hits]


# One conversation's three turns about jogging (and a neighbour), then a week later the yoga.
JOGGING = [
    _turn("jog", 0.60, 0.0),
    _turn("jog again", 0.59, 60.0),
    _turn("jog neighbour", 0.58, 120.0),
    _turn("jog shoes", 0.57, 180.0),
    _turn("yoga", 0.52, 7 * 24 * HOUR),
]


def test_a_third_turn_of_one_session_yields_to_another_session() -> None:
    ordered, moved = spread_sessions(JOGGING, weight=0.1, free=2)
    assert _order(ordered) == ["jog", "jog again", "yoga", "jog neighbour", "jog shoes"]
    assert [h.score for h in ordered] == [h.score for h in JOGGING]  # the same scores, dealt again
    assert moved == {
        "yoga": pytest.approx(0.06),
        "jog neighbour": pytest.approx(-0.01),
        "jog shoes": pytest.approx(-0.05),
    }


def test_off_too_few_or_spread_already_keeps_the_order() -> None:
    for weight, free in ((0.0, 2), (0.1, 5)):
        ordered, moved = spread_sessions(JOGGING, weight, free)
        assert _order(ordered) == _order(JOGGING) and moved == {}
    apart = [_turn(f"t{i}", 0.6 - i / 100, i * 2 * HOUR) for i in range(6)]  # two hours apart
    ordered, moved = spread_sessions(apart, 0.1, 1)
    assert _order(ordered) == _order(apart) and moved == {}


def test_sessions_are_runs_of_one_scopes_turns_without_an_hours_gap() -> None:
    hits = [
        _turn("a", 0.9, 0.0),
        _turn("b", 0.8, 0.5 * HOUR),
        _turn("c", 0.7, 1.2 * HOUR),  # 42 minutes after b: the same run
        _turn("d", 0.6, 2.5 * HOUR),  # 78 minutes after c: a new one
        _turn("e", 0.5, 0.1 * HOUR, user="other"),  # another scope at the same time
        _turn("f", 0.4, None),  # no time: alone
        _turn("g", 0.3, None),
    ]
    keys = session_keys(hits, HOUR)
    assert keys[0] == keys[1] == keys[2]
    assert len({keys[0], keys[3], keys[4], keys[5], keys[6]}) == 5


def test_only_the_window_is_reordered() -> None:
    ordered, moved = spread_sessions(JOGGING, 0.1, 2, window=4)
    assert _order(ordered) == _order(JOGGING) and moved == {}  # the yoga is past the window
    ordered, moved = spread_sessions([*JOGGING, _turn("later", 0.3, 30 * 24 * HOUR)], 0.1, 2, window=5)
    assert _order(ordered)[2:] == ["yoga", "jog neighbour", "jog shoes", "later"] and "later" not in moved


def _greedy(hits: list[ScoredPoint], weight: float, free: int) -> list[str]:
    """The plain greedy the lazy one must equal: every remaining hit re-scored at every step."""
    keys = dict(zip((h.id for h in hits), session_keys(hits, HOUR), strict=True))
    left, placed, order = list(hits), Counter[object](), []
    while left:
        value = {h.id: h.score - weight * max(0, placed[keys[h.id]] - free + 1) for h in left}
        best = max(left, key=lambda h: (value[h.id], -left.index(h)))
        order.append(best.id)
        placed[keys[best.id]] += 1
        left.remove(best)
    return order


@pytest.mark.parametrize("seed", range(40))
def test_the_lazy_greedy_places_what_the_full_greedy_would(seed: int) -> None:
    rng = random.Random(seed)
    hits = [_turn(f"h{i}", round(rng.uniform(0.2, 0.7), 6), rng.randrange(5) * 3 * HOUR) for i in range(30)]
    weight, free = rng.choice([0.02, 0.05, 0.1, 0.3]), rng.choice([1, 2, 3])
    ordered, _ = spread_sessions(hits, weight, free)
    assert _order(ordered) == _greedy(sorted(hits, key=lambda h: -h.score), weight, free)


def test_only_questions_for_several_things_are_spread() -> None:
    weight = RetrievalConfig().session_spread

    def run(question: str, weight: float = weight) -> dict[str, float]:
        return spread_question({MemoryType.EPISODIC: list(JOGGING)}, question, weight)

    moved = {"yoga", "jog neighbour", "jog shoes"}
    assert set(run("How many hours of jogging and yoga did I do last week?")) == moved
    assert run("When did I go jogging?") == {}
    assert run("How many hours of jogging and yoga did I do?", weight=0.0) == {}
    assert spread_question({MemoryType.SEMANTIC: list(JOGGING)}, "How many jogs?", weight) == {}
