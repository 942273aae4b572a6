"""A question asked in the past tense is answered by what happened (real app, Qdrant Edge, MiniLM,
BM25): "how did Tyler do at hockey tryouts?" gets the event of the tryouts above the standing fact
of the team he plays for, which shares as many of its words; a question in the present ("what team
does Tyler play for?") lifts no event; "what did I want to ask them?" asks for a reminder, not an
event; and "when was my last PM?" is not answered by notes that say "last" of something else."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, contribution, event, reminder, semantic, store_holding

NOW = "2026-12-08T13:30:00Z"
ASKER = Asker({"user_id": "driver-notes"}, NOW)
TEAM = "Tyler plays squirt hockey for the Joliet Jaguars and his home rink is Inwood Ice Arena."
TRYOUTS = "Tyler made the Jaguars squirt team at tryouts this morning, he was pumped."
PM = "Luis did the PM at 513,400 miles and switched me to full synthetic."
INSPECTION = "My last annual DOT inspection was done at Luis's shop in March 2026."
BOWLING = "League tonight we beat the Pin Pals, I bowled a one ninety-eight in the last game."
ASK_DEALER = "Next time I'm at Prairie Peterbilt, ask them if there's a recall on the steering gear box."
MEMORIES: list[dict[str, Any]] = [
    semantic(TEAM, occurred_at="2026-09-05T14:00:00Z"),
    event(TRYOUTS, "2026-09-05T14:00"),
    event(PM, "2026-09-28T16:00"),
    semantic(INSPECTION, occurred_at="2026-09-28T16:00:00Z"),
    event(BOWLING, "2026-12-03T22:00"),
    event("Dropped the kids back at Tammy's new place, Tyler forgot his hockey stick.", "2026-11-01T18:00"),
    reminder(ASK_DEALER, trigger="next time I'm at Prairie Peterbilt"),
]
notes = store_holding(MEMORIES, ASKER.scope)


async def test_what_happened_is_told_by_the_event(notes: AsyncTestClient[Any]) -> None:
    memories = await ASKER.retrieved(notes, "how did tyler do at hockey tryouts")
    assert memories[0]["content"] == TRYOUTS
    assert contribution(memories, TRYOUTS, "past_events") > 0.0
    assert contribution(memories, TEAM, "past_events") == 0.0


@pytest.mark.parametrize(
    "query",
    ["what team does tyler play for", "im at the peterbilt dealer what did i want to ask em"],
    ids=["a-question-in-the-present", "what-one-meant-to-ask"],
)
async def test_a_question_not_of_what_happened_lifts_no_event(
    notes: AsyncTestClient[Any], query: str
) -> None:
    memories = await ASKER.retrieved(notes, query)
    assert all(contribution(memories, m["content"], "past_events") == 0.0 for m in memories)


async def test_the_last_occasion_is_found_by_what_it_is(notes: AsyncTestClient[Any]) -> None:
    memories = await ASKER.retrieved(notes, "when was my last pm")
    assert memories[0]["content"] == PM
