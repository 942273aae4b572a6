"""A memory that says the asked thing in other words, kept near the top (real app, Qdrant Edge,
MiniLM, BM25; retrieval/stages/dense_floor.py): for "Lorna's collecting dietary requirements for the
lab Christmas lunch", "Marco is lactose intolerant" shares no word with the question and its half of
relevance from BM25 is missing, while memories that name Lorna, the lab or Christmas have it; meaning
ranks it among the first five, and the floor keeps it within two places below that. A question of
fewer words is left as ranked.

The clock is Friday 20 November 2026, 09:00 UTC.
"""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, store_holding

NOW = "2026-11-20T09:00:00Z"
MARCO = Asker({"user_id": "marco"}, NOW, {"min_confidence": 0})
LACTOSE = "Marco is lactose intolerant. On conference and catering forms he asks for lactose-free, not vegan."
SHARING = [
    "Lorna Baxter is the Okafor group administrator: the lab's social events go through her.",
    "Registered for the Heidelberg workshop; Lorna paid the fee on the lab card.",
    "For Christmas Marco flies home to Bologna with KLM via Amsterdam.",
    "Giulia called on Christmas Day: she's engaged to Matteo.",
    "Marco does his best coding in the afternoon and prefers meetings before lunch.",
    "Fiona wants to see a full draft before Christmas; she'll be in Edinburgh in January.",
    "The lab meeting is on Mondays at 11:00 in the seminar room.",
    "Lorna books travel over £1,000 for the lab.",
]
MEMORIES: list[dict[str, Any]] = [{"type": "semantic", "content": c} for c in [LACTOSE, *SHARING]]


marco = store_holding(MEMORIES, MARCO.scope)


async def test_a_memory_in_other_words_is_kept_near_the_top(marco: AsyncTestClient[Any]) -> None:
    memories = await MARCO.retrieved(
        marco, "Lorna's collecting dietary requirements for the lab Christmas lunch, what do I tell her?"
    )
    contents = [m["content"] for m in memories]
    lactose = memories[contents.index(LACTOSE)]
    lift = lactose["explain"]["components"]["dense_floor"]["contribution"]
    place = contents.index(LACTOSE)
    # Among the first five by meaning, kept within two places below that: among the first seven; and
    # without the lift it was below the memory now just under it.
    assert lift > 0 and place < 7
    assert lactose["score"] - lift < memories[place + 1]["score"]
    assert all("dense_floor" not in m["explain"]["components"] for m in memories if m["content"] != LACTOSE)


async def test_a_question_of_few_words_is_left_as_ranked(marco: AsyncTestClient[Any]) -> None:
    memories = await MARCO.retrieved(marco, "any allergies?")
    assert all("dense_floor" not in m["explain"]["components"] for m in memories)
