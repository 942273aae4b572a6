"""A question about a time already begun asks what is still to come in it (real app, Qdrant Edge,
MiniLM, BM25): "what's on this week?" asked on Tuesday lists the reminders due from now to Sunday
first, with a confidence that keeps them in a default context; Monday's reminder, not done, is
overdue, not on this week's list, and "anything overdue?" still finds it.

The clock is Tuesday 9 March 2027, 10:00 UTC."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, reminder, semantic, store_holding

NOW = "2027-03-09T10:00:00Z"
ASKER = Asker({"user_id": "week-asker"}, NOW, {"min_confidence": 0})
AHEAD = {
    "Take the recycling bins out for Wednesday's collection.": "2027-03-10T07:00",
    "Renew the parking permit online.": "2027-03-12T17:00",
    "Book the boiler service for the spring.": "2027-03-14T12:00",
}
MONDAY = "Return the library books at the branch on Elm Street."
MEMORIES: list[dict[str, Any]] = [
    *(reminder(c, d) for c, d in AHEAD.items()),
    reminder(MONDAY, "2027-03-08T16:00"),
    reminder("File the tax return.", "2027-04-20T12:00"),
    semantic("The library on Elm Street closes at six on weekdays."),
]
weekly = store_holding(MEMORIES, ASKER.scope)


async def test_this_week_asked_on_tuesday_is_what_is_still_to_come(weekly: AsyncTestClient[Any]) -> None:
    assert await ASKER.top(weekly, "What's on this week?", len(AHEAD)) == set(AHEAD)
    assert await ASKER.top(weekly, "Is anything overdue?", 1) == {MONDAY}
