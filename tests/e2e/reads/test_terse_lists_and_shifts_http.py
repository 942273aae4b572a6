"""A coach's store of atomic facts in the third person, asked in blunt fragments (real app, Qdrant Edge,
MiniLM, BM25): "garden stuff to sort" and "club jobs coming up" ask for the reminders on that topic, "week
of the 23rd" for what falls due in the seven days from the next 23rd; an event that says a standing slot
was "shifted", or that a car named with a number ("CX5") moved insurer, ranks above the older fact.

The clock is Thursday 12 November 2026, 16:40 in Sydney (UTC+11, daylight saving). The facts carry no time
of their own: written in one batch with the dated events, as an import writes them.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, event, reminder, semantic, store_holding

NOW = "2026-11-12T16:40:00+11:00"
COACH = Asker({"user_id": "coach"}, NOW, {"min_confidence": 0, "timezone": "Australia/Sydney"})
MULCH = "Order two cubic metres of mulch for the garden beds by Sat 21 Nov."
HEDGE = "When the trimmer is back from repair, trim the garden hedge."
SEMI = "Club semi-final Sat 28 Nov, 11am at the home ground."
CLUB_BBQ = "Run the club sausage sizzle roster for Sat 5 Dec."
OSTEO = "Standing osteo appointment with Dr Patel is Tuesdays 9am."
OSTEO_SHIFTED = "Dr Patel shifted the standing osteo slot to Thursdays at 8am."
INSURER = "CX5 is insured with AAMI comprehensive, policy AAM5520931."
INSURER_MOVED = "Moved the CX5 insurance to Youi, policy Y-7730215, saving $240 a year."
MEMORIES: list[dict[str, Any]] = [
    reminder(MULCH, "2026-11-21T09:00+11:00"),
    reminder(HEDGE),
    reminder(SEMI, "2026-11-28T11:00+11:00"),
    reminder(CLUB_BBQ, "2026-12-05T10:00+11:00"),
    semantic("The garden beds along the fence get the morning sun."),
    semantic("The club plays home games at Ridge Oval."),
    semantic(OSTEO),
    semantic(INSURER),
    event(OSTEO_SHIFTED, "2026-09-08T08:00+10:00"),
    event(INSURER_MOVED, "2026-08-25T12:00+10:00"),
]

coach = store_holding(MEMORIES, COACH.scope)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("garden stuff to sort", {MULCH, HEDGE}),
        ("club jobs coming up", {SEMI, CLUB_BBQ}),
        ("week of the 23rd", {SEMI}),
    ],
)
async def test_a_terse_list_of_work_asks_for_the_reminders(
    coach: AsyncTestClient[Any], query: str, expected: set[str]
) -> None:
    assert await COACH.top(coach, query, len(expected)) == expected


@pytest.mark.parametrize(
    ("query", "newer", "older"),
    [("osteo day and time", OSTEO_SHIFTED, OSTEO), ("car insurer", INSURER_MOVED, INSURER)],
    ids=["shifted", "named-with-a-number"],
)
async def test_an_event_that_tells_the_change_ranks_above_the_older_fact(
    coach: AsyncTestClient[Any], query: str, newer: str, older: str
) -> None:
    contents = await COACH.ranked(coach, query)
    assert contents.index(newer) < contents.index(older)
