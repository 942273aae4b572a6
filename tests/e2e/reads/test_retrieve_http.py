"""Retrieval over HTTP: ranking, budgets, explanations, models, persistence."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from mnemo.backends.qdrant.config import QdrantConfig
from mnemo.backends.qdrant_edge.process import EdgeProcessIndex
from mnemo.backends.tokenizer import TiktokenCounter
from mnemo.memtypes.requests import RetrieveRequest
from tests.e2e.conftest import FACTS, AppFactory, write

NOW = "2025-03-02T12:00:00Z"


async def retrieve(client: AsyncTestClient[Any], **body: Any) -> dict[str, Any]:
    response = await client.post("/v1/retrieve", json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def test_retrieve_returns_the_relevant_memory_in_budget(client: AsyncTestClient[Any]) -> None:
    await write(client, FACTS)
    body = await retrieve(
        client, query="What does Alice like to drink?", scope={"user_id": "alice"}, budget_tokens=300, now=NOW
    )
    assert body["memories"][0]["content"] == FACTS[0]["content"]
    assert FACTS[0]["content"] in body["context"]
    meta = body["metadata"]
    assert meta["total_tokens"] == TiktokenCounter("cl100k_base").count(body["context"]) <= 300
    assert meta["budget"] == 300 and meta["degraded"] == []
    assert set(meta["per_type"]) == {"episodic", "semantic", "procedural", "prospective"}
    assert "## Semantic memory" in body["context"]
    assert "[2025-03-01 10:00]\n- Alice asked about flights" in body["context"]  # under its time


async def test_tiny_budget_trims_and_never_overflows(client: AsyncTestClient[Any]) -> None:
    await write(client, FACTS)
    body = await retrieve(client, query="Alice", budget_tokens=20, now=NOW)
    assert body["metadata"]["total_tokens"] <= 20
    assert body["metadata"]["trimmed_count"] >= 2


async def test_explain_matches_the_score_computed_in_qdrant(client: AsyncTestClient[Any]) -> None:
    await write(client, FACTS)
    body = await retrieve(client, query="router reset steps", budget_tokens=500, explain=True, now=NOW)
    assert body["memories"]
    for memory in body["memories"]:
        explanation = memory["explain"]
        assert abs(explanation["total"] - memory["score"]) < 1e-4
        assert "relevance" in explanation["components"]


async def test_types_and_scope_narrow_the_search(client: AsyncTestClient[Any]) -> None:
    await write(
        client,
        [
            *FACTS,
            {
                "type": "semantic",
                "content": "Bob prefers green tea too, especially in the late afternoon.",
                "scope": {"user_id": "bob"},
            },
        ],
    )
    body = await retrieve(client, query="green tea", types=["semantic"], scope={"user_id": "bob"}, now=NOW)
    assert [m["content"] for m in body["memories"]] == [
        "Bob prefers green tea too, especially in the late afternoon."
    ]
    assert set(body["metadata"]["per_type"]) == {"semantic"}


async def test_model_sets_budget_and_encoding(client: AsyncTestClient[Any]) -> None:
    await write(client, FACTS)
    body = await retrieve(client, query="tea", model="gpt-4", now=NOW)
    assert body["metadata"]["budget"] == 819 and body["metadata"]["encoding"] == "cl100k_base"
    body = await retrieve(client, query="tea", model="gpt-4o", now=NOW)
    assert body["metadata"]["encoding"] == "o200k_base"
    assert body["metadata"]["total_tokens"] == TiktokenCounter("o200k_base").count(body["context"])


async def test_recent_memory_outranks_an_old_one_of_equal_similarity(client: AsyncTestClient[Any]) -> None:
    same = "The user's favourite colour is blue."
    await write(
        client,
        [
            {
                "type": "episodic",
                "content": same,
                "id": "old",
                "occurred_at": "2024-01-01T00:00:00Z",
                "importance": 0.1,
            },
            {
                "type": "episodic",
                "content": same,
                "id": "new",
                "occurred_at": "2025-03-01T00:00:00Z",
                "importance": 0.9,
            },
        ],
        prefilter=False,  # the same text twice, on purpose
        dedup=False,
    )
    # diversity 0: keep the copy (by default the older copy would be suppressed as a near-duplicate)
    body = await retrieve(
        client, query="favourite colour", types=["episodic"], now=NOW, ranking={"diversity": 0}
    )
    assert [m["external_id"] for m in body["memories"]] == ["new", "old"]


async def test_memories_survive_a_restart(app_client: AppFactory, tmp_path: Path) -> None:
    data_dir = tmp_path / "persist"
    async with app_client(data_dir) as client:
        await write(client, FACTS)
    async with app_client(data_dir) as client:
        listing = (await client.get("/v1/memories", params={"limit": 100})).json()
        assert len(listing["memories"]) == 4
        body = await retrieve(client, query="passport renewal", now=NOW)
        assert any("passport" in m["content"] for m in body["memories"])


async def _counted_searches(client: AsyncTestClient[Any], monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The engine searches of the retrievals that follow, as the number of requests in each batch."""
    index = client.app.state.services.retriever.index
    search, calls = index.search, []

    async def counted(requests: Any) -> Any:  # the real search, its calls counted
        calls.append(len(requests))
        return await search(requests)

    monkeypatch.setattr(index, "search", counted)
    return calls


async def _counted_payload_reads(client: AsyncTestClient[Any], monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The payload reads by id (`get`) of the retrievals that follow, as the number of ids in each
    (not the reads of the best hits' vectors, for their confidence)."""
    index = client.app.state.services.retriever.index
    get, reads = index.get, []

    async def counted(memory_type: Any, ids: Any, **options: Any) -> Any:  # the real read, counted
        if not options.get("with_vector"):
            reads.append(len(ids))
        return await get(memory_type, ids, **options)

    monkeypatch.setattr(index, "get", counted)
    return reads


def _short_facts(text: str) -> list[dict[str, Any]]:
    scope = {"user_id": "alice"}
    return [{"type": "semantic", "content": text.format(i=i), "scope": scope} for i in range(300)]


async def test_a_store_of_short_facts_still_fills_the_budget(
    client: AsyncTestClient[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # ~9-token lines, while candidate lists are sized for 16-token ones: the list is too short, and
    # is deepened from what the first search ranked past its limit (its reserve), with no second one.
    # (Short facts are what the write path's pre-filter exists to drop: it is off here.)
    await write(client, _short_facts("Alice rated film{i} at {i} stars."), prefilter=False, dedup=False)
    calls = await _counted_searches(client, monkeypatch)
    reads = await _counted_payload_reads(client, monkeypatch)
    # No confidence floor: what is measured is how the lists are sized to fill the budget.
    ask = {"query": "Which films did Alice rate?", "scope": {"user_id": "alice"}, "types": ["semantic"]}
    ask["min_confidence"] = 0
    body = await retrieve(client, **ask, budget_tokens=1000)
    assert calls == [1]
    assert 900 <= body["metadata"]["total_tokens"] <= 1000
    assert body["metadata"]["per_type"]["semantic"]["count"] > 1000 // 16
    # The reserve came back without payloads; the part the deeper list used was read then, at once.
    assert len(reads) == 1 and reads[0] > 0
    assert all(m["content"].startswith("Alice rated film") for m in body["memories"])

    # The next retrieval is sized alike (a list's depth depends on the store and the request, never
    # on earlier retrievals): one search, the same reserve read, the same answer.
    again = await retrieve(client, **ask, budget_tokens=1000)
    assert calls == [1, 1] and reads == [reads[0], reads[0]]
    assert again["memories"] == body["memories"]


async def test_lines_far_shorter_than_sized_for_are_searched_again_deeper(
    client: AsyncTestClient[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # ~6-token lines: the list needs more than twice its size, more than the first search ranked.
    await write(client, _short_facts("film{i} rated {i}"), prefilter=False, dedup=False)
    calls = await _counted_searches(client, monkeypatch)
    ask = {"query": "film ratings", "scope": {"user_id": "alice"}, "types": ["semantic"], "min_confidence": 0}
    body = await retrieve(client, **ask, budget_tokens=1000)
    assert calls == [1, 1]  # sized for 16-token lines, then searched again, deeper
    assert 900 <= body["metadata"]["total_tokens"] <= 1000
    assert body["metadata"]["per_type"]["semantic"]["count"] > 2 * 1000 // 16


async def test_a_retrieval_alone_may_embed_its_query_on_every_core(
    client: AsyncTestClient[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    await write(client, FACTS)
    embedder = client.app.state.services.retriever.embedder
    embed, told = embedder.embed, []

    async def noted(texts: Any, *, alone: bool = False) -> Any:  # the real embedder, each hint noted
        told.append(alone)
        return await embed(texts, alone=alone)

    monkeypatch.setattr(embedder, "embed", noted)
    body = {"query": "What does Alice like to drink?", "scope": {"user_id": "alice"}, "now": NOW}
    await retrieve(client, **body)
    assert told == [True]
    # Two at once (both started before either embeds): neither is alone.
    retriever, request = client.app.state.services.retriever, RetrieveRequest.model_validate(body)
    await asyncio.gather(retriever.retrieve("default", request), retriever.retrieve("default", request))
    assert told == [True, False, False]


async def test_the_engine_in_a_process_of_its_own_serves_the_same_answers(app_client: AppFactory) -> None:
    """`qdrant.engine_process`: every engine call crosses to a child process and back."""
    body = {"query": "What does Alice like to drink?", "scope": {"user_id": "alice"}, "budget_tokens": 300}
    answers = []
    for engine_process in (False, True):
        async with app_client(qdrant=QdrantConfig(engine_process=engine_process)) as client:
            index = client.app.state.services.index
            assert isinstance(index, EdgeProcessIndex) is engine_process
            if engine_process:
                assert (await client.get("/ready")).status_code == 200
            else:
                await write(client, FACTS)  # the same data dir both times
            answers.append(await retrieve(client, **body, now=NOW))
        if engine_process:
            assert index._child is not None and index._child.poll() is not None  # gone with the service
    inline, child = answers
    assert [m["id"] for m in child["memories"]] == [m["id"] for m in inline["memories"]]
    assert child["context"] == inline["context"]
