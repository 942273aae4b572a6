"""A driver's store kept by a voice assistant, asked what is due as it is spoken (real app, Qdrant
Edge, MiniLM, BM25): "gotta", what is still to do besides what was blown off, and a month named
across the change of clocks, on the asker's days in America/Chicago.

The clock is Tuesday 8 December 2026, 07:30 in Chicago (UTC-6; summer time, UTC-5, from 14 March).
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, reminder, semantic, store_holding

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
    reminder(BRACE, "2026-12-09T14:00-06:00"),
    reminder(HOCKEY, "2026-12-12T09:00-06:00"),
    reminder(NEXT_WEEK, "2026-12-15T10:00-06:00"),
    reminder(KNEE_CALL, "2026-11-20T10:00-06:00"),
    reminder(APRIL, "2027-04-01T00:30-05:00"),
    reminder(MARCH, "2027-03-31T23:30-05:00"),
    semantic("I do PT for my right knee with Jen Okafor once a week on Mondays."),
    semantic("Tyler plays hockey for the Joliet Jaguars at the Bolingbrook rink."),
    semantic("My truck parking is spot 31 at the Elwood truck yard, $150 a month."),
]

dwayne = store_holding(MEMORIES, DWAYNE.scope)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("what do i gotta do this week", {BRACE, HOCKEY}),
        ("knee stuff i still gotta do including anything i blew off", {BRACE, KNEE_CALL}),
    ],
    ids=["this-weeks-reminders", "still-to-do-besides-what-was-blown-off"],
)
async def test_what_one_gotta_do_lists_its_reminders_first(
    dwayne: AsyncTestClient[Any], query: str, expected: set[str]
) -> None:
    assert await DWAYNE.top(dwayne, query, len(expected)) == expected


async def test_a_month_after_the_change_of_clocks_is_its_own(dwayne: AsyncTestClient[Any]) -> None:
    """April starts at midnight summer time: 00:30 on 1 April is in it, 23:30 on 31 March is not
    (read at winter time's offset, April would start an hour later and hold neither)."""
    listed = await DWAYNE.contents(dwayne, "whats due in april")
    assert listed[0] == APRIL
    assert MARCH not in listed[:1]
