"""The current fact first, read over HTTP (real app, Qdrant Edge, MiniLM, BM25), without a `fact_key`:

- a later event naming someone "acting" in the role a who-question asks ranks above the older fact
  naming the holder on leave (stages/role_holders.py);
- of two statements written in one batch, the one that says it gave up the other's place ("I gave up
  the Harbour Road bay") ranks above it (a value left: memtypes/language/changes.py, stages/rank.py);
- a later event that moves an older event's date "now … instead of" it ranks above that event
  (stages/rank.py: an event that names the older's value as the one it left).

The clock is Thursday 25 March 2027, 08:00 UTC. The facts carry no time of their own: written in one
batch with the events, as an import writes them.
"""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, contribution, event, semantic, store_holding

TEACHER = Asker({"user_id": "teacher"}, "2027-03-25T08:00:00Z", {"min_confidence": 0})
HEAD = "Head of science at Lakeview High is Karen Yip."
ACTING = "Term 3 started; Daniel Osei is acting head of science while Karen Yip is on leave."
PARKED = "I park the van at the Harbour Road lot in bay twelve for ninety a month."
MOVED = "The van lives at the Mill Lane yard now, bay four, eighty a month; I gave up the Harbour Road bay."
PLACE = "Fri 15 Jan: the Little Oaks nursery called, they have a place for Tomi starting 1 April! Signed."
LATER = "Tue 16 Mar: Little Oaks emailed — Tomi's settling-in now starts Monday 12 April instead of 1 April."

MEMORIES: list[dict[str, Any]] = [
    semantic(HEAD),
    semantic("I teach chemistry and Year 10 science at Lakeview High."),
    semantic(PARKED),
    semantic("The van is a 2018 Transit Custom, white, reg ending 4KX."),
    event(PLACE, "2027-01-15T13:00"),
    event("Submitted the Year 10 science marks.", "2027-03-01T15:00"),
    event(ACTING, "2027-02-01T08:30"),
    event("Tomi's first swimming lesson at the leisure centre.", "2027-03-06T10:00"),
    event(LATER, "2027-03-16T12:00"),
    semantic(MOVED),
]

teacher = store_holding(MEMORIES, TEACHER.scope)


async def test_the_acting_holder_ranks_above_the_holder_on_leave(teacher: AsyncTestClient[Any]) -> None:
    question = "who's head of science"
    contents = await TEACHER.ranked(teacher, question)
    assert contents.index(ACTING) < contents.index(HEAD)
    assert contribution(await TEACHER.retrieved(teacher, question), ACTING, "role_holder") > 0.0


async def test_the_statement_that_gave_up_the_place_ranks_above_it(teacher: AsyncTestClient[Any]) -> None:
    question = "where's the van parked"
    contents = await TEACHER.ranked(teacher, question)
    assert contents.index(MOVED) < contents.index(PARKED)
    assert contribution(await TEACHER.retrieved(teacher, question), MOVED, "newer_statement") > 0.0


async def test_the_event_that_moved_the_date_ranks_above_it(teacher: AsyncTestClient[Any]) -> None:
    question = "when does Tomi start nursery"
    contents = await TEACHER.ranked(teacher, question)
    assert contents.index(LATER) < contents.index(PLACE)
    assert contribution(await TEACHER.retrieved(teacher, question), LATER, "newer_statement") > 0.0
