"""Questions about what someone feels or what suits them, in a store of notes about a parent (real
app, Qdrant Edge, MiniLM, BM25): "how does my father feel about ...?" asks no steps, so the note of
what dad wants ranks above a how-to that shares the question's words, and "my father" finds notes
that say "dad"; "should I book his appointments in the morning or the afternoon?" is answered by the
note of when he does better, a preference, above a note about appointments on another day."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import event, procedure, retrieved, semantic, store_holding

NOW = "2027-03-16T17:30:00Z"
SCOPE = {"user_id": "parent-notes"}
WANTS_TO_STAY = "dad wants to stay in his own flat as long as he can, he told us straight out he won't move"
MORNINGS = "dad does much better in the mornings, he gets muddled after tea so book things before noon"
MEMORIES: list[dict[str, Any]] = [
    semantic(WANTS_TO_STAY),
    semantic(MORNINGS),
    procedure("to move a care facility visit: ring the office, give the resident's name, pick a slot"),
    semantic("no appointments or errands on sunday afternoons, that's family dinner"),
    event("toured the care facility in town, the rooms are small", "2027-03-01T15:00"),
]
notes = store_holding(MEMORIES, SCOPE)


async def test_how_someone_feels_is_told_by_what_they_want(notes: AsyncTestClient[Any]) -> None:
    memories = await retrieved(
        notes, "How does my father feel about moving into a care facility?", SCOPE, NOW
    )
    assert memories[0]["content"] == WANTS_TO_STAY
    # No steps are asked: the how-to term lifts nothing.
    assert not any(m["explain"]["components"].get("how_to", {}).get("contribution") for m in memories)


async def test_what_suits_someone_better_answers_when_to_book(notes: AsyncTestClient[Any]) -> None:
    query = "Should I try to get dad's appointments in the morning or the afternoon?"
    memories = await retrieved(notes, query, SCOPE, NOW)
    assert memories[0]["content"] == MORNINGS
