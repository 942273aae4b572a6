"""The steps put first for a request that names a situation (real app, Qdrant Edge, MiniLM, BM25;
retrieval/stages/steps_first.py): "boiler pressure's low" asks nothing in words, and the event that
tells of the last time ("boiler pressure dropped again…") shares its words and carries the recency
lift a procedure has not; the procedure nearest by meaning, holding as much of the request, goes
first. A question for a detail is left as ranked.

The clock is Friday 29 January 2027, 16:00 UTC.
"""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, store_holding

NOW = "2027-01-29T16:00:00Z"
JONAS = Asker({"user_id": "jonas"}, NOW, {"min_confidence": 0})
STEPS = (
    "boiler pressure low: filling loop under the boiler, open both taps till the gauge says 1.5 bar. "
    "if it drops again text kowalski"
)
MEMORIES: list[dict[str, Any]] = [
    {"type": "procedural", "content": STEPS},
    {"type": "episodic", "content": "boiler pressure dropped again, topped up, texted kowalski"},
    {"type": "episodic", "content": "kowalski's plumber came, fixed the leak on the filling loop"},
    {
        "type": "semantic",
        "content": "landlord = mr kowalski, 07700 900411. text him dont call, he never picks up",
    },
    {"type": "episodic", "content": "marked 42 lab reports. took 3 evenings"},
]

jonas = store_holding(MEMORIES, JONAS.scope)


async def test_a_situation_gets_the_steps_first(jonas: AsyncTestClient[Any]) -> None:
    memories = await JONAS.retrieved(jonas, "boiler pressure's low")
    assert memories[0]["content"] == STEPS
    assert memories[0]["explain"]["components"]["steps_first"]["contribution"] > 0
    assert all("steps_first" not in m["explain"]["components"] for m in memories[1:])


async def test_a_question_for_a_detail_is_left_as_ranked(jonas: AsyncTestClient[Any]) -> None:
    memories = await JONAS.retrieved(jonas, "what's the landlord's number?")
    assert all("steps_first" not in m["explain"]["components"] for m in memories)
