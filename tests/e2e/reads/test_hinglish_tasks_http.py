"""A planner's store in Mumbai, asked what is due in Hinglish as typed on a phone (real app, Qdrant
Edge, MiniLM, BM25): "kal kya hai?", "is wk ka todo list pls", "X ke liye kya pending hai?".

The clock is Wednesday 20 January 2027, 10:15 in Mumbai (UTC+5:30 all year).
"""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, store_holding

NOW = "2027-01-20T10:15:00+05:30"
PLANNER = Asker({"user_id": "planner"}, NOW, {"min_confidence": 0, "timezone": "Asia/Kolkata"})
TODAY = "Send the accountant the December purchase invoices"
TOMORROW = "Pay the caterer's advance for the Rao reception"
SATURDAY = "Site visit at the Alibaug resort with the couple"
NEXT_MONTH = "Rao reception – team at the venue by noon"
MEMORIES: list[dict[str, Any]] = [
    {"type": "prospective", "content": TODAY, "due_at": "2027-01-20T17:00:00+05:30"},
    {"type": "prospective", "content": TOMORROW, "due_at": "2027-01-21T12:00:00+05:30"},
    {"type": "prospective", "content": SATURDAY, "due_at": "2027-01-23T08:30:00+05:30"},
    {"type": "prospective", "content": NEXT_MONTH, "due_at": "2027-02-06T12:00:00+05:30"},
    {"type": "semantic", "content": "Rao reception – 6 Feb, Sea Princess, Juhu; 300 guests"},
    {"type": "semantic", "content": "Caterer – Annapurna Caterers: Suresh 98200 11111, ₹1,400/plate veg"},
]

planner = store_holding(MEMORIES, PLANNER.scope)


async def test_kal_is_tomorrow(planner: AsyncTestClient[Any]) -> None:
    assert (await PLANNER.contents(planner, "kal kya hai?"))[0] == TOMORROW


async def test_aaj_is_today(planner: AsyncTestClient[Any]) -> None:
    assert (await PLANNER.contents(planner, "aaj kya karna hai?"))[0] == TODAY


async def test_is_wk_is_this_week(planner: AsyncTestClient[Any]) -> None:
    listed = await PLANNER.contents(planner, "is wk ka todo list pls")
    assert set(listed[:3]) == {TODAY, TOMORROW, SATURDAY}


async def test_what_is_pending_for_a_matter(planner: AsyncTestClient[Any]) -> None:
    listed = await PLANNER.contents(planner, "Rao reception ke liye kya pending hai?")
    assert set(listed[:2]) == {TOMORROW, NEXT_MONTH}
