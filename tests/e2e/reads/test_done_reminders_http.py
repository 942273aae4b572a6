"""A reminder past its due date that an event says was done is not overdue (real app, Qdrant Edge,
MiniLM, BM25): "anything overdue?" lists what is still to do first; a reminder an event only talks
about ("asked for her box back", "never booked") stays listed.

The clock is Monday 15 June 2026, 08:30 UTC.
"""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import AppFactory, Asker, event, holding, reminder, store_holding

NOW = "2026-06-15T08:30:00Z"
INES = Asker({"user_id": "ines"}, NOW, {"min_confidence": 0})
PAID = "Pay the 2026 road tax (IUC) for the Clio in the Portal das Finanças."
STILL_OPEN = [
    "Return Joana's box of tile samples to her studio in Santos.",
    "Book the on-site training for the new bookkeeper.",
]
MEMORIES: list[dict[str, Any]] = [
    reminder(PAID, "2026-03-31T18:00"),
    reminder(STILL_OPEN[0], "2026-06-05T18:00"),
    reminder(STILL_OPEN[1], "2026-05-20T18:00"),
    event(
        "Inês paid the 2026 road tax (IUC) for the Clio, €141.20, in the Portal das Finanças.",
        "2026-03-24T20:00",
    ),
    event(
        "Joana asked for her box of tile samples back; she needs them for another client.", "2026-06-02T11:00"
    ),
    event("The bookkeeper asked again about the on-site training (never booked).", "2026-06-10T11:00"),
    event("Inês renewed the car's citizen parking badge at the EMEL office.", "2026-05-02T10:00"),
]


ines = store_holding(MEMORIES, INES.scope)


async def test_a_reminder_an_event_says_was_done_is_not_overdue(ines: AsyncTestClient[Any]) -> None:
    overdue = await INES.retrieved(ines, "anything overdue?")
    contents = [m["content"] for m in overdue]
    assert sorted(contents[:2]) == sorted(STILL_OPEN)  # what is still to do, first
    assert PAID in contents[2:]
    done = next(m for m in overdue if m["content"] == PAID)
    assert done["explain"]["components"]["done_by_event"]["contribution"] < 0
    assert done["score"] >= 0  # it loses its due date's lift, not its relevance
    # The confidence a reminder due in the window asked about is given (its words alone say little of
    # "anything overdue?") is not given to the one an event says was done.
    confidence = {m["content"]: m["confidence"] for m in overdue}
    assert all(confidence[c] >= 0.5 for c in STILL_OPEN) and confidence[PAID] < 0.1


async def test_a_call_about_another_thing_does_not_tell_a_call_done(app_client: AppFactory) -> None:
    # One person is called about many things: a call for a quote weeks before is not the call that
    # fixes the fit-off date, which is still to do.
    ring = "Ring Minh Hoang to lock in the fit-off date."
    memories = [
        reminder(ring, "2026-06-12T05:00"),
        event(
            "Gary rang, the rough-in is pushed back again. Rang Minh Hoang for a second quote.",
            "2026-05-01T09:00",
        ),
    ]
    async with holding(app_client, memories, INES.scope) as client:
        overdue = await INES.retrieved(client, "anything overdue?")
    listed = next(m for m in overdue if m["content"] == ring)
    assert overdue[0]["content"] == ring
    assert "done_by_event" not in listed["explain"]["components"] or (
        listed["explain"]["components"]["done_by_event"]["contribution"] == 0
    )
