"""Calibrated confidence over HTTP: each returned memory's `confidence`, the response's
`top_confidence`, and `min_confidence` (abstention), on the real app and engines."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from mnemo.retrieval.ranking.confidence import FEATURES, shipped_calibration
from tests.e2e.conftest import FACTS, write

NOW = "2025-03-02T12:00:00Z"
ALICE = {"user_id": "alice"}


async def retrieve(client: AsyncTestClient[Any], **body: Any) -> dict[str, Any]:
    response = await client.post("/v1/retrieve", json={"now": NOW, "scope": ALICE, **body})
    assert response.status_code == 200, response.text
    return response.json()


async def test_every_memory_carries_a_confidence_and_the_top_one_is_reported(
    client: AsyncTestClient[Any],
) -> None:
    await write(client, FACTS)
    body = await retrieve(client, query="What does Alice like to drink?", budget_tokens=500, min_confidence=0)
    memories = body["memories"]
    assert memories and memories[0]["content"] == FACTS[0]["content"]
    confidences = [m["confidence"] for m in memories]
    assert all(0.0 <= c <= 1.0 for c in confidences)
    # Not always in rank order: a lower hit holding more of the query's words may be likelier.
    assert body["metadata"]["top_confidence"] == max(confidences)
    # The answer is far more likely relevant than a turn about flights.
    flights = next(m for m in memories if "Lisbon" in m["content"])
    assert memories[0]["confidence"] > flights["confidence"]


async def test_each_confidence_is_the_shipped_model_over_what_the_benchmark_records(
    client: AsyncTestClient[Any],
) -> None:
    """`mnemo bench calibrate` fits on the features `mnemo bench quality` records from an explained
    response; they must be the very ones the confidence was computed from."""
    await write(client, FACTS)
    model = shipped_calibration()
    for query in ("What does Alice like to drink?", "Did Bob fly to Lisbon or to Porto?"):
        body = await retrieve(client, query=query, budget_tokens=4000, explain=True, min_confidence=0)
        memories = body["memories"]
        assert memories
        for m in memories:
            features = m["explain"]["confidence_features"]
            assert set(features) == set(FEATURES)
            assert m["confidence"] == model.probability(features)


async def test_the_answer_is_more_confident_than_the_best_of_an_unrelated_question(
    client: AsyncTestClient[Any],
) -> None:
    await write(client, FACTS)
    answered = await retrieve(client, query="Does Alice prefer green tea or coffee?")
    unrelated = await retrieve(client, query="Which football team won the 1998 world cup final?")
    assert answered["metadata"]["top_confidence"] > unrelated["metadata"]["top_confidence"]


async def test_min_confidence_leaves_out_what_is_less_likely_and_keeps_the_budget_contract(
    client: AsyncTestClient[Any],
) -> None:
    await write(client, FACTS)
    everything = await retrieve(
        client, query="What does Alice like to drink?", budget_tokens=500, min_confidence=0
    )
    floor = everything["memories"][0]["confidence"]
    kept = await retrieve(
        client, query="What does Alice like to drink?", budget_tokens=500, min_confidence=floor
    )
    assert kept["memories"] and all(m["confidence"] >= floor for m in kept["memories"])
    assert len(kept["memories"]) < len(everything["memories"])
    assert "Lisbon" not in kept["context"] and FACTS[0]["content"] in kept["context"]
    assert kept["metadata"]["top_confidence"] == everything["metadata"]["top_confidence"]
    assert sum(t["tokens"] for t in kept["metadata"]["per_type"].values()) <= kept["metadata"]["total_tokens"]

    # Above every memory's confidence: nothing is returned, and the response says how close it came.
    none = await retrieve(client, query="What does Alice like to drink?", min_confidence=1.0)
    if floor < 1.0:
        assert none["memories"] == [] and none["context"] == ""
        assert none["metadata"]["top_confidence"] == floor
        assert none["metadata"]["total_tokens"] == 0


async def test_by_default_a_budget_is_a_cap_and_zero_fills_it(client: AsyncTestClient[Any]) -> None:
    """The default floor packs what may be relevant, not whatever fits: a memory sharing nothing with
    the query is left out, and says why; `min_confidence: 0` packs whatever fits, as a budget alone
    would."""
    await write(client, FACTS)
    query = "Does Alice prefer green tea or coffee?"
    capped = await retrieve(client, query=query, budget_tokens=2000, explain=True)
    filled = await retrieve(client, query=query, budget_tokens=2000, min_confidence=0)
    assert FACTS[0]["content"] in capped["context"]
    assert len(filled["memories"]) == len(FACTS)  # all four fit
    assert len(capped["memories"]) < len(filled["memories"])
    assert capped["metadata"]["total_tokens"] < filled["metadata"]["total_tokens"]
    router = next(m for m in capped["left_out"] if "router" in m["content"])
    assert router["reason"] == "below_floor" and "confidence" in router["detail"]


async def test_working_memory_is_kept_whatever_the_floor(client: AsyncTestClient[Any]) -> None:
    await write(client, FACTS)
    response = await client.post(
        "/v1/working/task-1/items", json={"content": "step 2: compare fares", "scope": ALICE}
    )
    assert response.status_code in (200, 201), response.text
    body = await retrieve(client, query="Lisbon flights", task_id="task-1", min_confidence=1.0)
    working = [m for m in body["memories"] if m["type"] == "working"]
    assert [m["content"] for m in working] == ["step 2: compare fares"]
    assert working[0]["confidence"] == 1.0


@pytest.mark.parametrize("value", [-0.1, 1.5, "high", "0.5", True, [0.5]])
async def test_a_bad_min_confidence_is_a_problem_naming_the_field(
    client: AsyncTestClient[Any], value: Any
) -> None:
    response = await client.post("/v1/retrieve", json={"query": "Alice", "min_confidence": value})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert any(e["field"].endswith("min_confidence") for e in problem["errors"]), problem
