"""What is due relative to an event ahead (real app, Qdrant Edge, MiniLM, BM25): "what do I need to do
before the move?" reads the move's date off the store, a planned event or only a reminder, and lists
the reminders due from now until it first; "after the move", those due after it; an event the store
does not hold leaves the question as it was, with no window.

The clock is Sunday 1 March 2026, 12:00 UTC; the move is on 12 March.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import AppFactory, retrieved, store_holding, write
from tests.e2e.reads.test_event_anchor_http import assert_timed_by_no_event

NOW = "2026-03-01T12:00:00Z"
SCOPE = {"user_id": "ines"}
MOVE_AT = "2026-03-12T09:00:00Z"
MOVE = "We move into the new flat in Campo de Ourique on 12 March; the removal van comes at nine."
BEFORE = {
    "Book the removal van for the move.": "2026-03-04T17:00:00Z",
    "Cancel the internet contract at the old flat.": "2026-03-09T17:00:00Z",
    "Pack the kitchen into boxes.": "2026-03-10T17:00:00Z",
}
AFTER = {
    "Register the new address with the Junta de Freguesia.": "2026-03-20T17:00:00Z",
    "Hang the pictures in the living room.": "2026-04-02T17:00:00Z",
}


def due(times: dict[str, str]) -> list[dict[str, Any]]:
    """Reminders to write: each content of `times`, due at its time."""
    return [{"type": "prospective", "scope": SCOPE, "content": c, "due_at": at} for c, at in times.items()]


def reminders() -> list[dict[str, Any]]:
    return due({**BEFORE, **AFTER})


def with_planned(event: str) -> list[dict[str, Any]]:
    """The reminders, with `event` planned: an episodic memory that occurs when the move does."""
    return [{"type": "episodic", "scope": SCOPE, "content": event, "occurred_at": MOVE_AT}, *reminders()]


# The move is a planned event: an episodic memory that occurs after now.
planned = store_holding(with_planned(MOVE))
# The move is only a reminder, due when it happens.
reminded = store_holding([*due({MOVE: MOVE_AT}), *reminders()])


async def ask(client: Any, query: str) -> list[dict[str, Any]]:
    return await retrieved(client, query, SCOPE, NOW, min_confidence=0)


async def ask_store_of(
    app_client: AppFactory, memories: list[dict[str, Any]], query: str
) -> list[dict[str, Any]]:
    """`query` asked of a store of its own that holds `memories`."""
    async with app_client() as client:
        await write(client, memories)
        return await ask(client, query)


def in_window(memories: list[dict[str, Any]]) -> dict[str, float]:
    return {
        m["content"]: m["explain"]["components"]["due_window"]["value"]
        for m in memories
        if "due_window" in m["explain"]["components"]
    }


async def test_what_is_due_before_a_planned_move_comes_first(planned: Any) -> None:
    memories = await ask(planned, "what do I need to do before the move?")
    order = [m["content"] for m in memories]
    assert set(order[:3]) == set(BEFORE)
    assert in_window(memories) == {**dict.fromkeys(BEFORE, 1.0), **dict.fromkeys(AFTER, 0.0)}
    anchor = memories[0]["explain"]["time_anchor"]
    assert anchor["phrase"] == "before the move"
    assert (anchor["event"], anchor["type"]) == (MOVE, "episodic")
    assert anchor["occurred_at"].startswith("2026-03-12T09:00:00")
    assert anchor["window"][0].startswith("2026-03-01T12:00:00")


async def test_what_is_due_after_a_move_held_as_a_reminder(reminded: Any) -> None:
    memories = await ask(reminded, "anything due after the move?")
    order = [m["content"] for m in memories]
    assert set(order[:2]) == set(AFTER)
    windowed = in_window(memories)
    assert {c: windowed[c] for c in (*AFTER, *BEFORE, MOVE)} == {
        **dict.fromkeys(AFTER, 1.0),
        **dict.fromkeys(BEFORE, 0.0),
        MOVE: 0.0,  # the reminder the question is timed by is not due after itself
    }
    anchor = memories[0]["explain"]["time_anchor"]
    assert (anchor["event"], anchor["type"]) == (MOVE, "prospective")


async def test_an_event_ahead_the_store_does_not_hold_leaves_the_question_open(planned: Any) -> None:
    memories = await ask(planned, "what do I need to do before the vet appointment?")
    assert_timed_by_no_event(memories, "due_window")


async def test_of_two_events_ahead_that_say_the_words_the_next_one_times_the_question(
    app_client: AppFactory,
) -> None:
    qbrs = {
        "QBR with Brightwater on site in Bristol.": "2026-03-11T09:00:00Z",
        "QBR with Brightwater over Teams, with the renewal numbers.": "2026-06-09T09:00:00Z",
    }
    memories = await ask_store_of(app_client, [*due(qbrs), *reminders()], "anything due before the next QBR?")
    anchor = memories[0]["explain"]["time_anchor"]
    assert anchor["event"] == "QBR with Brightwater on site in Bristol."
    windowed = in_window(memories)  # from now until the March QBR: the June one is after it
    expected = {**dict.fromkeys(BEFORE, 1.0), **dict.fromkeys(qbrs, 0.0)}
    assert {c: windowed.get(c) for c in (*BEFORE, *qbrs)} == expected


async def test_an_event_ahead_is_the_one_that_names_it_not_a_thing_of_it(app_client: AppFactory) -> None:
    # The soonest reminder that says "science fair" is a form due for it, not the fair.
    fair = {
        "Science fair check-in forms are due from students.": "2026-03-03T17:00:00Z",
        "Dunmore Science Fair on Thursday 12 March, judging 9:00 to noon.": MOVE_AT,
    }
    memories = await ask_store_of(
        app_client, [*due(fair), *reminders()], "what's on my plate before the science fair"
    )
    anchor = memories[0]["explain"]["time_anchor"]
    assert anchor["event"] == "Dunmore Science Fair on Thursday 12 March, judging 9:00 to noon."
    windowed = in_window(memories)  # from now until the fair: the forms due before it are in it
    assert {c: windowed.get(c) for c in (*BEFORE, *fair)} == {
        **dict.fromkeys(BEFORE, 1.0),
        "Science fair check-in forms are due from students.": 1.0,
        "Dunmore Science Fair on Thursday 12 March, judging 9:00 to noon.": 0.0,
    }


@pytest.mark.parametrize(
    ("event", "query", "phrase"),
    [
        # A period the calendar does not know, named by a bare noun: the store says when it begins.
        pytest.param(
            "Half term: the kids are off school from 12 March, no school runs that week.",
            "what do I need to sort out before half term?",
            "before half-term",
            id="half-term",
        ),
        # A release named by its version alone: the store's event says when it ships.
        pytest.param(
            "Release v1.2 ships to the app stores on 12 March.",
            "what do I need to ship before v1.2?",
            "before v1.2",
            id="release",
        ),
    ],
)
async def test_what_is_due_before_an_occasion_named_bare_is_timed_by_the_store_s_event(
    app_client: AppFactory, event: str, query: str, phrase: str
) -> None:
    memories = await ask_store_of(app_client, with_planned(event), query)
    assert set(m["content"] for m in memories[:3]) == set(BEFORE)
    anchor = memories[0]["explain"]["time_anchor"]
    assert (anchor["phrase"], anchor["event"]) == (phrase, event)


async def test_an_iso_date_bounds_what_is_due_as_a_named_date_does(planned: Any) -> None:
    memories = await ask(planned, "anything due before 2026-03-12?")
    assert set(m["content"] for m in memories[:3]) == set(BEFORE)
    assert in_window(memories) == {**dict.fromkeys(BEFORE, 1.0), **dict.fromkeys(AFTER, 0.0)}
