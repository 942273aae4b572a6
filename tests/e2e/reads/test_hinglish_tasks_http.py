"""A planner's store in Mumbai, asked what is due in Hinglish as typed on a phone (real app, Qdrant
Edge, MiniLM, BM25): "kal kya hai?", "is wk ka todo list pls", "X ke liye kya pending hai?".

The clock is Wednesday 20 January 2027, 10:15 in Mumbai (UTC+5:30 all year).
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, reminder, semantic, store_holding

NOW = "2027-01-20T10:15:00+05:30"
PLANNER = Asker({"user_id": "planner"}, NOW, {"min_confidence": 0, "timezone": "Asia/Kolkata"})
TODAY = "Send the accountant the December purchase invoices"
TOMORROW = "Pay the caterer's advance for the Rao reception"
SATURDAY = "Site visit at the Alibaug resort with the couple"
NEXT_MONTH = "Rao reception – team at the venue by noon"
MEMORIES: list[dict[str, Any]] = [
    reminder(TODAY, "2027-01-20T17:00+05:30"),
    reminder(TOMORROW, "2027-01-21T12:00+05:30"),
    reminder(SATURDAY, "2027-01-23T08:30+05:30"),
    reminder(NEXT_MONTH, "2027-02-06T12:00+05:30"),
    semantic("Rao reception – 6 Feb, Sea Princess, Juhu; 300 guests"),
    semantic("Caterer – Annapurna Caterers: Suresh 98200 11111, ₹1,400/plate veg"),
]

planner = store_holding(MEMORIES, PLANNER.scope)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kal kya hai?", {TOMORROW}),
        ("aaj kya karna hai?", {TODAY}),
        ("is wk ka todo list pls", {TODAY, TOMORROW, SATURDAY}),
        ("Rao reception ke liye kya pending hai?", {TOMORROW, NEXT_MONTH}),
    ],
    ids=["kal-is-tomorrow", "aaj-is-today", "is-wk-is-this-week", "pending-for-a-matter"],
)
async def test_a_hinglish_question_lists_its_reminders_first(
    planner: AsyncTestClient[Any], query: str, expected: set[str]
) -> None:
    assert await PLANNER.top(planner, query, len(expected)) == expected
