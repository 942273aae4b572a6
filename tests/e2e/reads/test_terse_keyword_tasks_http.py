"""A physiotherapist's store in Cape Town, asked what is due in bare keywords with Afrikaans time
words mixed in (real app, Qdrant Edge, MiniLM, BM25): "vrydag?", "naweek plans", "volgende week
due?", and "more?", which stays English's request for more.

The clock is Wednesday 18 November 2026, 07:30 in Johannesburg (UTC+2 all year).
"""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, store_holding

NOW = "2026-11-18T07:30:00+02:00"
ZONE = "Africa/Johannesburg"
NADIA = Asker({"user_id": "nadia"}, NOW, {"min_confidence": 0, "timezone": ZONE})
TOMORROW = "Remind you the electrician is at the house at 08:00 to sign off the kitchen wiring."
FRIDAY = "Remind you to submit this week's claims batch on GoodX."
SATURDAY = "Remind you to buy a present for Zara's friend Amy's birthday party."
NEXT_WEEK = "Remind you to reassess Ayesha P. and send her progress report to Medshield."
MEMORIES: list[dict[str, Any]] = [
    {"type": "prospective", "content": TOMORROW, "due_at": "2026-11-19T08:00:00+02:00"},
    {"type": "prospective", "content": FRIDAY, "due_at": "2026-11-20T14:00:00+02:00"},
    {"type": "prospective", "content": SATURDAY, "due_at": "2026-11-21T09:00:00+02:00"},
    {"type": "prospective", "content": NEXT_WEEK, "due_at": "2026-11-26T10:00:00+02:00"},
    {"type": "semantic", "content": "You told me your locum Ruan B. works Tuesday and Thursday afternoons."},
    {"type": "semantic", "content": "You charge private patients R620 for a follow-up session."},
]

nadia = store_holding(MEMORIES, NADIA.scope)


async def test_vrydag_is_friday(nadia: AsyncTestClient[Any]) -> None:
    assert (await NADIA.contents(nadia, "vrydag?"))[0] == FRIDAY


async def test_naweek_plans_are_the_coming_weekend(nadia: AsyncTestClient[Any]) -> None:
    assert (await NADIA.contents(nadia, "naweek plans"))[0] == SATURDAY


async def test_volgende_week_due_is_next_week(nadia: AsyncTestClient[Any]) -> None:
    assert (await NADIA.contents(nadia, "volgende week due?"))[0] == NEXT_WEEK


async def test_more_without_its_accent_is_not_tomorrow(nadia: AsyncTestClient[Any]) -> None:
    assert (await NADIA.contents(nadia, "môre?"))[0] == TOMORROW
    assert (await NADIA.contents(nadia, "more?"))[:1] != [TOMORROW]
