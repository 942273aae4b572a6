"""Spoken questions over HTTP (real app, Qdrant Edge, MiniLM, BM25), in a store of one person's
notes: a question dictated without its apostrophes, with a hesitation and an informal "gotta", is
read as its typed form ("what do I have to do before ...?" asks for the steps, "... this week" for
the reminders due in it)."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, contribution, event, procedure, reminder, semantic, store_holding

NOW = "2026-12-08T07:30:00-06:00"
ASKER = Asker({"user_id": "one-driver"}, NOW)
STEPS = "Before a kids weekend I text Tammy by Wednesday to confirm and clean out the sleeper."
DUE = "Remind me to pick up the knee brace at Ironwood on Wednesday after two."
MEMORIES: list[dict[str, Any]] = [
    procedure(STEPS),
    reminder(DUE, "2026-12-09T14:00-06:00"),
    semantic("My PT is Jen Okafor at Ironwood Physical Therapy."),
    event("I had the kids this weekend and Tyler's team won four to two.", "2026-11-29T18:00-06:00"),
]
notes = store_holding(MEMORIES, ASKER.scope)


async def test_a_spoken_question_of_what_to_do_before_asks_for_the_steps(notes: AsyncTestClient[Any]) -> None:
    spoken = await ASKER.retrieved(notes, "uh what do i gotta do before a kids weekend")
    typed = await ASKER.retrieved(notes, "What do I have to do before a kids weekend?")
    assert spoken[0]["content"] == typed[0]["content"] == STEPS
    assert contribution(spoken, STEPS, "how_to") == contribution(typed, STEPS, "how_to") > 0


async def test_a_spoken_question_of_the_week_asks_for_what_is_due(notes: AsyncTestClient[Any]) -> None:
    spoken = await ASKER.retrieved(notes, "so what do i gotta do this week")
    assert spoken[0]["content"] == DUE
    assert contribution(spoken, DUE, "due_window") > 0
