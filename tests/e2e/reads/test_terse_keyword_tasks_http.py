"""A physiotherapist's store in Cape Town, asked what is due in bare keywords with Afrikaans time
words mixed in (real app, Qdrant Edge, MiniLM, BM25): "vrydag?", "naweek plans", "volgende week
due?", and "more?", which stays English's request for more.

The clock is Wednesday 18 November 2026, 07:30 in Johannesburg (UTC+2 all year).
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, reminder, semantic, store_holding

NOW = "2026-11-18T07:30:00+02:00"
ZONE = "Africa/Johannesburg"
NADIA = Asker({"user_id": "nadia"}, NOW, {"min_confidence": 0, "timezone": ZONE})
TOMORROW = "Remind you the electrician is at the house at 08:00 to sign off the kitchen wiring."
FRIDAY = "Remind you to submit this week's claims batch on GoodX."
SATURDAY = "Remind you to buy a present for Zara's friend Amy's birthday party."
NEXT_WEEK = "Remind you to reassess Ayesha P. and send her progress report to Medshield."
MEMORIES: list[dict[str, Any]] = [
    reminder(TOMORROW, "2026-11-19T08:00+02:00"),
    reminder(FRIDAY, "2026-11-20T14:00+02:00"),
    reminder(SATURDAY, "2026-11-21T09:00+02:00"),
    reminder(NEXT_WEEK, "2026-11-26T10:00+02:00"),
    semantic("You told me your locum Ruan B. works Tuesday and Thursday afternoons."),
    semantic("You charge private patients R620 for a follow-up session."),
]

nadia = store_holding(MEMORIES, NADIA.scope)


@pytest.mark.parametrize(
    ("query", "first"),
    [("vrydag?", FRIDAY), ("naweek plans", SATURDAY), ("volgende week due?", NEXT_WEEK), ("môre?", TOMORROW)],
    ids=[
        "vrydag-is-friday",
        "naweek-is-the-coming-weekend",
        "volgende-week-is-next-week",
        "more-is-tomorrow",
    ],
)
async def test_an_afrikaans_time_word_finds_its_reminder_first(
    nadia: AsyncTestClient[Any], query: str, first: str
) -> None:
    assert await NADIA.top(nadia, query, 1) == {first}


async def test_more_without_its_accent_is_not_tomorrow(nadia: AsyncTestClient[Any]) -> None:
    assert TOMORROW not in await NADIA.top(nadia, "more?", 1)
