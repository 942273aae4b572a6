"""The value an event says it left behind (memtypes/language/changes.py), and the events lifted over
the statement that states it (stages/changed_events.py)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from mnemo.memtypes.language.changes import leaves, left_values
from mnemo.memtypes.queries import ScoredPoint
from mnemo.memtypes.types import MemoryType
from mnemo.retrieval.ranking.model import DEFAULT_MODEL
from mnemo.retrieval.stages.changed_events import lift_changed_events

BIN_DAY = "Bin day is Tuesday morning: the black bin and the recycling boxes go out on alternate weeks."
FOOD = "Juni eats Lily's Kitchen adult dry food, two scoops in the morning and two in the evening."


@pytest.mark.parametrize(
    ("event", "left", "went"),
    [
        (
            "Our black bin collection moves from Tuesday to Wednesday (they've redrawn the rounds).",
            {"tuesday"},
            {"wednesday"},
        ),
        (
            "The vet thinks it's an intolerance, so we've switched her from Lily's Kitchen to Forthglade.",
            {"lily", "kitchen"},
            {"forthglade"},
        ),
        ("Dr Mulvey has increased her levothyroxine from 75 to 88 micrograms.", {"75"}, {"88"}),
        ("Standup moved from 9:00 to 9:30.", {"9:00"}, {"9:30"}),
        ("Switched the car insurance away from Admiral.", {"admiral"}, set()),
        ("Leo no longer goes to Cubs on Mondays.", {"cub", "monday"}, set()),
    ],
)
def test_a_change_names_the_value_it_left(event: str, left: set[str], went: set[str]) -> None:
    assert left_values(event) == ((frozenset(left), frozenset(went)),)


@pytest.mark.parametrize(
    "text",
    [
        "Drove from York to Whitby for New Year.",  # a journey, no change of a value
        "The pool is open from Monday to Friday.",  # a span
        "Leo no longer takes a packed lunch.",  # no name or number to tell the value by
        "From January the squad's Tuesday session moves to Monday.",  # no value it moved from
        "Northern Mill delivered Extra Strong instead of Strong White.",  # a one-off as often as a change
    ],
)
def test_what_is_no_change_away_from_a_value(text: str) -> None:
    assert left_values(text) == ()


def test_a_statement_is_left_behind_only_if_it_states_the_old_value_and_not_the_new() -> None:
    moved = "Letter from the council: from 4 January our bin collection moves from Tuesday to Wednesday."
    assert leaves(moved, BIN_DAY)
    assert leaves(moved, "The bins go out on Tuesdays.")  # a plural is the same day
    assert not leaves(moved, "Cubs is on Monday evenings.")
    assert not leaves(moved, "Bin day moved from Tuesday to Wednesday in January.")  # it tells the change


def fact(content: str, score: float) -> ScoredPoint:
    return ScoredPoint("fact", score, {"content": content, "created_ts": 0.0, "occurred_ts": 0.0})


def event(point_id: str, content: str, score: float) -> ScoredPoint:
    return ScoredPoint(point_id, score, {"content": content, "created_ts": 0.0, "occurred_ts": 90 * 86400.0})


# The fact's vector, one less alike it than two statements must be to restate one another (a cosine
# of 0.45), and one about something else (0.1).
VECTORS = {"fact": [1.0, 0.0], "alike": [0.45, 0.893], "unlike": [0.1, 0.995]}


async def read(memory_type: MemoryType, points: Sequence[ScoredPoint]) -> dict[str, list[float]]:
    return {p.id: VECTORS[p.id] for p in points}


@pytest.mark.parametrize(
    ("statement", "told", "lead", "lifted"),
    [
        (
            FOOD,
            ("alike", "Vet visit for Juni: we've switched her from Lily's Kitchen to Forthglade."),
            0.04,
            True,
        ),
        # Naming the value left is the evidence a time between two statements is: the whole margin.
        (BIN_DAY, ("alike", "Letter from the council: our bin moves from Tuesday to Wednesday."), 0.13, True),
        (
            BIN_DAY,
            ("alike", "Letter from the council: our bin moves from Tuesday to Wednesday."),
            0.16,
            False,
        ),
        # The same day of another thing: not alike enough.
        (BIN_DAY, ("unlike", "Maya's swim session moves from Tuesday to Monday."), 0.04, False),
        # A change that names no value of the statement: it must restate it, and half the margin.
        (FOOD, ("alike", "Vet visit for Juni: we've switched her to Forthglade turkey."), 0.04, False),
    ],
)
async def test_an_event_that_leaves_a_statements_value_is_lifted_over_it(
    statement: str, told: tuple[str, str], lead: float, lifted: bool
) -> None:
    hits = {MemoryType.SEMANTIC: [fact(statement, 0.6)], MemoryType.EPISODIC: [event(*told, 0.6 - lead)]}
    margin = 0.15
    share = DEFAULT_MODEL.changed_events.share
    lifts = await lift_changed_events(hits, margin * share, read, DEFAULT_MODEL, left_reach=margin)
    assert bool(lifts) is lifted
    if lifted:
        assert hits[MemoryType.EPISODIC][0].score > 0.6
