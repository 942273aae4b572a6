"""A question about a time already begun asks what is still to come in it (real app, Qdrant Edge,
MiniLM, BM25): "what's on this week?" asked on Tuesday lists the reminders due from now to Sunday
first, with a confidence that keeps them in a default context; Monday's reminder, not done, is
overdue, not on this week's list, and "anything overdue?" still finds it.

The clock is Tuesday 9 March 2027, 10:00 UTC."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import retrieved, store_holding

NOW = "2027-03-09T10:00:00Z"
SCOPE = {"user_id": "week-asker"}
AHEAD = {
    "Take the recycling bins out for Wednesday's collection.": "2027-03-10T07:00:00Z",
    "Renew the parking permit online.": "2027-03-12T17:00:00Z",
    "Book the boiler service for the spring.": "2027-03-14T12:00:00Z",
}
MONDAY = "Return the library books at the branch on Elm Street."
MEMORIES: list[dict[str, Any]] = [
    *({"type": "prospective", "content": c, "due_at": d} for c, d in AHEAD.items()),
    {"type": "prospective", "content": MONDAY, "due_at": "2027-03-08T16:00:00Z"},
    {"type": "prospective", "content": "File the tax return.", "due_at": "2027-04-20T12:00:00Z"},
    {"type": "semantic", "content": "The library on Elm Street closes at six on weekdays."},
]
weekly = store_holding(MEMORIES, SCOPE)


async def test_this_week_asked_on_tuesday_is_what_is_still_to_come(weekly: AsyncTestClient[Any]) -> None:
    memories = await retrieved(weekly, "What's on this week?", SCOPE, NOW, min_confidence=0)
    assert {m["content"] for m in memories[:3]} == set(AHEAD)
    overdue = await retrieved(weekly, "Is anything overdue?", SCOPE, NOW, min_confidence=0)
    assert overdue[0]["content"] == MONDAY
