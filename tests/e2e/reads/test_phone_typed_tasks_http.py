"""A coordinator's store in Nairobi, asked what is due as typed quickly on a phone (real app, Qdrant
Edge, MiniLM, BM25): a little Swahili ("kesho", "wiki ijayo"), a date in figures read day-first in
her zone and month-first in Chicago's, and reminders written "Remind Achieng to …", told done by
an event that says she did it.

The clock is Wednesday 17 February 2027, 08:15 in Nairobi (UTC+3 all year).
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, event, reminder, semantic, store_holding

NOW = "2027-02-17T08:15:00+03:00"
ZONE = "Africa/Nairobi"
ACHIENG = Asker({"user_id": "achieng"}, NOW, {"min_confidence": 0, "timezone": ZONE})
TOMORROW = "Reminder for Achieng: collect the printed partograph forms from Kilimani Print."
NEXT_WEEK = "Remind Achieng to book the Land Cruiser for the Machakos field visit."
MARCH_FOURTH = "Remind Achieng to send the Q1 data pack to the M&E lead."
APRIL_THIRD = "Remind Achieng to renew the NHIF cover for the driver."
LET_SLIP = "Remind Achieng to send Lindqvist the revised Year 2 budget."
PAID = "Remind Achieng to pay Grace's SHA contribution for January."
MEMORIES: list[dict[str, Any]] = [
    reminder(TOMORROW, "2027-02-18T10:00+03:00"),
    reminder(NEXT_WEEK, "2027-02-24T09:00+03:00"),
    reminder(MARCH_FOURTH, "2027-03-04T12:00+03:00"),
    reminder(APRIL_THIRD, "2027-04-03T12:00+03:00"),
    reminder(LET_SLIP, "2027-02-10T17:00+03:00"),
    reminder(PAID, "2027-02-05T17:00+03:00"),
    event("Achieng paid Grace's SHA contribution for January by M-Pesa.", "2027-02-03T19:00+03:00"),
    semantic("Achieng's office is House 14, Othaya Road, Lavington."),
    semantic("The Lindqvist Foundation funds the programme: USD 180,000 over two years."),
]

achieng = store_holding(MEMORIES, ACHIENG.scope)


@pytest.mark.parametrize(
    ("query", "zone", "first"),
    [
        ("what do i have kesho", ZONE, TOMORROW),
        ("whats on wiki ijayo", ZONE, NEXT_WEEK),
        # A date in figures is read in the asker's order: day first in Nairobi, month first in Chicago.
        ("anything due 3/4", ZONE, APRIL_THIRD),
        ("anything due 3/4", "America/Chicago", MARCH_FOURTH),
    ],
    ids=["kesho-is-tomorrow", "wiki-ijayo-is-next-week", "day-first", "month-first"],
)
async def test_a_question_typed_on_a_phone_finds_its_reminder_first(
    achieng: AsyncTestClient[Any], query: str, zone: str, first: str
) -> None:
    assert await ACHIENG.top(achieng, query, 1, timezone=zone) == {first}


async def test_a_reminder_she_did_is_not_overdue(achieng: AsyncTestClient[Any]) -> None:
    listed = await ACHIENG.contents(achieng, "anything overdue")
    assert listed[0] == LET_SLIP
    assert PAID not in listed[:1]
