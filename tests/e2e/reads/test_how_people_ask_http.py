"""How people ask, over HTTP (real app, Qdrant Edge, MiniLM, BM25), in a store of one person's notes:
"what do I need to do" of a situation asks for the steps, not for the reminders; someone's request
passed on without a question asks leave, which a rule answers; a note's schedule answers "when do I
usually …?" and not "when did …?"."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, contribution, event, procedure, reminder, semantic, store_holding

NOW = "2027-01-27T09:30:00Z"
ASKER = Asker({"user_id": "one-person"}, NOW)
STEPS = (
    "save format change: bump SAVE_VERSION, add a migrate function, test loading an old save,"
    " note it in the changelog"
)
REMINDER = "send the new save file to the testers"
RULE = "Maya can't have dairy, so no cheese or cream in anything she eats"
SCHEDULE = "calls with my parents: Sundays at 17:00, video so they see the baby"
MEMORIES: list[dict[str, Any]] = [
    procedure(STEPS),
    reminder(REMINDER, "2027-01-20T17:00"),
    semantic(RULE),
    event("Pat made her lasagne for everyone on Sunday", "2027-01-10T19:00"),
    semantic(SCHEDULE),
    event("my parents rang about their flights", "2027-01-22T18:00"),
]
notes = store_holding(MEMORIES, ASKER.scope)


async def test_what_one_needs_to_do_of_a_situation_asks_for_the_steps(notes: AsyncTestClient[Any]) -> None:
    memories = await ASKER.retrieved(notes, "changing the save format, what do I need to do")
    assert memories[0]["content"] == STEPS
    assert contribution(memories, STEPS, "how_to") > 0
    # Not a question about one's reminders: the overdue one is not lifted by its due date.
    assert contribution(memories, REMINDER, "overdue") == 0


async def test_a_request_passed_on_asks_leave(notes: AsyncTestClient[Any]) -> None:
    memories = await ASKER.retrieved(notes, "Pat wants to make her lasagne for everyone on Monday night")
    assert contribution(memories, RULE, "preference") > 0


async def test_a_schedule_answers_when_one_usually_does_it(notes: AsyncTestClient[Any]) -> None:
    usually = await ASKER.retrieved(notes, "when do I usually call my parents?")
    assert contribution(usually, SCHEDULE, "tells_time") > 0
    assert usually[0]["content"] == SCHEDULE
    happened = await ASKER.retrieved(notes, "when did I last call my parents?")
    assert contribution(happened, SCHEDULE, "tells_time") == 0
