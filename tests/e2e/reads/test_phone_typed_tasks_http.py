"""A coordinator's store in Nairobi, asked what is due as typed quickly on a phone (real app, Qdrant
Edge, MiniLM, BM25): a little Swahili ("kesho", "wiki ijayo"), a date in figures read day-first in
her zone and month-first in Chicago's, and reminders written "Remind Achieng to …", told done by
an event that says she did it.

The clock is Wednesday 17 February 2027, 08:15 in Nairobi (UTC+3 all year).
"""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, store_holding

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
    {"type": "prospective", "content": TOMORROW, "due_at": "2027-02-18T10:00:00+03:00"},
    {"type": "prospective", "content": NEXT_WEEK, "due_at": "2027-02-24T09:00:00+03:00"},
    {"type": "prospective", "content": MARCH_FOURTH, "due_at": "2027-03-04T12:00:00+03:00"},
    {"type": "prospective", "content": APRIL_THIRD, "due_at": "2027-04-03T12:00:00+03:00"},
    {"type": "prospective", "content": LET_SLIP, "due_at": "2027-02-10T17:00:00+03:00"},
    {"type": "prospective", "content": PAID, "due_at": "2027-02-05T17:00:00+03:00"},
    {
        "type": "episodic",
        "content": "Achieng paid Grace's SHA contribution for January by M-Pesa.",
        "occurred_at": "2027-02-03T19:00:00+03:00",
    },
    {"type": "semantic", "content": "Achieng's office is House 14, Othaya Road, Lavington."},
    {
        "type": "semantic",
        "content": "The Lindqvist Foundation funds the programme: USD 180,000 over two years.",
    },
]

achieng = store_holding(MEMORIES, ACHIENG.scope)


async def test_kesho_is_tomorrow(achieng: AsyncTestClient[Any]) -> None:
    assert (await ACHIENG.contents(achieng, "what do i have kesho"))[0] == TOMORROW


async def test_wiki_ijayo_is_next_week(achieng: AsyncTestClient[Any]) -> None:
    assert (await ACHIENG.contents(achieng, "whats on wiki ijayo"))[0] == NEXT_WEEK


async def test_a_date_in_figures_is_read_in_the_askers_order(achieng: AsyncTestClient[Any]) -> None:
    assert (await ACHIENG.contents(achieng, "anything due 3/4"))[0] == APRIL_THIRD
    assert (await ACHIENG.contents(achieng, "anything due 3/4", timezone="America/Chicago"))[
        0
    ] == MARCH_FOURTH


async def test_a_reminder_she_did_is_not_overdue(achieng: AsyncTestClient[Any]) -> None:
    listed = await ACHIENG.contents(achieng, "anything overdue")
    assert listed[0] == LET_SLIP
    assert PAID not in listed[:1]
