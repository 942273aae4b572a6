"""A driver's store kept by a voice assistant, asked what is due as it is spoken (real app, Qdrant
Edge, MiniLM, BM25): "gotta", what is still to do besides what was blown off, and a month named
across the change of clocks, on the asker's days in America/Chicago.

The clock is Tuesday 8 December 2026, 07:30 in Chicago (UTC-6; summer time, UTC-5, from 14 March).
"""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, store_holding

NOW = "2026-12-08T07:30:00-06:00"
ZONE = "America/Chicago"
DWAYNE = Asker({"user_id": "dwayne"}, NOW, {"min_confidence": 0, "timezone": ZONE})
BRACE = "Remind me to pick up my custom knee brace at Ironwood on Wednesday after two."
HOCKEY = "Remind me to take Tyler to his hockey game in Bolingbrook Saturday at nine."
NEXT_WEEK = "Remind me to get the reefer unit serviced at Luis's shop next Tuesday."
KNEE_CALL = "Remind me to call Dr. Reyes's office to set up the knee follow-up by November twentieth."
APRIL = "Remind me to renew the IRP cab card online right after midnight."
MARCH = "Remind me to send Carol the fuel receipts before I go to bed."
MEMORIES: list[dict[str, Any]] = [
    {"type": "prospective", "content": BRACE, "due_at": "2026-12-09T14:00:00-06:00"},
    {"type": "prospective", "content": HOCKEY, "due_at": "2026-12-12T09:00:00-06:00"},
    {"type": "prospective", "content": NEXT_WEEK, "due_at": "2026-12-15T10:00:00-06:00"},
    {"type": "prospective", "content": KNEE_CALL, "due_at": "2026-11-20T10:00:00-06:00"},
    {"type": "prospective", "content": APRIL, "due_at": "2027-04-01T00:30:00-05:00"},
    {"type": "prospective", "content": MARCH, "due_at": "2027-03-31T23:30:00-05:00"},
    {"type": "semantic", "content": "I do PT for my right knee with Jen Okafor once a week on Mondays."},
    {"type": "semantic", "content": "Tyler plays hockey for the Joliet Jaguars at the Bolingbrook rink."},
    {"type": "semantic", "content": "My truck parking is spot 31 at the Elwood truck yard, $150 a month."},
]

dwayne = store_holding(MEMORIES, DWAYNE.scope)


async def test_what_one_gotta_do_this_week_is_this_weeks_reminders(dwayne: AsyncTestClient[Any]) -> None:
    listed = await DWAYNE.contents(dwayne, "what do i gotta do this week")
    assert sorted(listed[:2]) == sorted([BRACE, HOCKEY])


async def test_what_is_still_to_do_besides_what_was_blown_off(dwayne: AsyncTestClient[Any]) -> None:
    listed = await DWAYNE.contents(dwayne, "knee stuff i still gotta do including anything i blew off")
    assert sorted(listed[:2]) == sorted([BRACE, KNEE_CALL])


async def test_a_month_after_the_change_of_clocks_is_its_own(dwayne: AsyncTestClient[Any]) -> None:
    """April starts at midnight summer time: 00:30 on 1 April is in it, 23:30 on 31 March is not
    (read at winter time's offset, April would start an hour later and hold neither)."""
    listed = await DWAYNE.contents(dwayne, "whats due in april")
    assert listed[0] == APRIL
    assert MARCH not in listed[:1]
