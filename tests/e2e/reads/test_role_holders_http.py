"""Who holds a role now, read over HTTP (real app, Qdrant Edge, MiniLM, BM25), without a `fact_key`: a
profile fact names the user's manager; a later event tells that the manager left and names, in one
clause, the new one from today. Asked who the manager is, the event ranks above the fact; asked when
the 1:1 with the manager is, not a who-question, the stage moves nothing.

The clock is Thursday 25 March 2027, 08:00 UTC. The facts carry no time of their own: written in one
batch with the events, as an import writes them.
"""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, contribution, event, semantic, store_holding

WORKER = Asker({"user_id": "worker"}, "2027-03-25T08:00:00Z", {"min_confidence": 0})
MANAGER = "my manager at Fernhill Labs is Greta Lindqvist, lead of the billing team. 1:1 every other Monday."
HANDOVER = (
    "Tue 2 Feb: Greta told the team she's moving to the search group. From today my manager is Tariq "
    "Haddad; our 1:1 is now Wednesdays at 10:00."
)

MEMORIES: list[dict[str, Any]] = [
    semantic(MANAGER),
    semantic("I work as a backend engineer at Fernhill Labs, mostly on invoicing services."),
    semantic("My desk is on the third floor, next to the kitchen."),
    event(HANDOVER, "2027-02-02T09:00"),
    event("Lunch with the billing team at the noodle place; Greta paid.", "2027-01-15T12:00"),
    event("Passed the on-call handbook quiz.", "2027-03-01T10:00"),
]

worker = store_holding(MEMORIES, WORKER.scope)


async def test_the_new_manager_ranks_above_the_older_fact(worker: AsyncTestClient[Any]) -> None:
    question = "who's my manager"
    contents = await WORKER.ranked(worker, question)
    assert contents.index(HANDOVER) < contents.index(MANAGER)
    memories = await WORKER.retrieved(worker, question)
    assert contribution(memories, HANDOVER, "role_holder") > 0.0


async def test_a_question_that_asks_no_person_moves_nothing(worker: AsyncTestClient[Any]) -> None:
    memories = await WORKER.retrieved(worker, "how often is my 1:1")
    assert contribution(memories, HANDOVER, "role_holder") == 0.0
