"""A store a chat bot keeps tersely, asked as fast as it is typed (real app, Qdrant Edge, MiniLM,
BM25): months either of which will do, a window and what was missed, and a reminder a terse note
tells done.

The clock is Thursday 3 December 2026, 04:45 UTC.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, event, reminder, semantic, store_holding

NOW = "2026-12-03T04:45:00Z"
NIKHIL = Asker({"user_id": "nikhil"}, NOW, {"min_confidence": 0})
FEB = "car 2nd service (15k km) ~ feb, book at the dealer."
MARCH = "varun's 1-yr esop cliff on 1 mar — check the vesting paperwork w/ neha."
JAN = "q3 tds return due 31 jan — chase the ca."
MISSED_CAR = "fastag on the car deactivated. buy a new one + link it by 25 nov."
RENEWED = "pls remind: car insurance renewal due 18 jul."
MEMORIES: list[dict[str, Any]] = [
    reminder(FEB, "2027-02-10T04:30"),
    reminder(MARCH, "2027-03-01T04:30"),
    reminder(JAN, "2027-01-31T12:30"),
    reminder(MISSED_CAR, "2026-11-25T12:30"),
    reminder(RENEWED, "2026-07-18T04:30"),
    event("renewed car insurance w/ tata aig, ₹21,800, zero dep. done.", "2026-07-16T14:30"),
    semantic("cricket: tennis-ball, team 'baner bulls', captain sagar."),
    semantic("car loan: hdfc, emi auto-debit on the 5th."),
]


nikhil = store_holding(MEMORIES, NIKHIL.scope)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("anything due in feb or march?", {FEB, MARCH}),
        # The renewal a note tells done ("renewed car insurance … done.") is not what was missed.
        ("car related stuff pending in next 3 months, incl anything i missed", {FEB, MISSED_CAR}),
    ],
    ids=["either-of-two-months-is-both", "a-window-and-what-was-missed"],
)
async def test_a_terse_question_lists_its_reminders_first(
    nikhil: AsyncTestClient[Any], query: str, expected: set[str]
) -> None:
    listed = await NIKHIL.top(nikhil, query, len(expected))
    assert listed == expected
    assert RENEWED not in listed
