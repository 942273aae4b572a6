"""Two retrievers with different ranking models over one store, in one process, on the real engine
(Qdrant Edge), MiniLM and BM25: each ranks by its own model, side by side and at the same time, and
exactly as a retriever alone with that model does. The ranking model is a value passed down to every
stage and term, not a module's state.

The store is the when-question case (test_when_questions.py): for a question that asks when, the
default model's `tells_time` term puts the turn that states a time above a closer paraphrase; the
`semantic-only` preset runs no term that reads the query, so the paraphrase leads."""

from __future__ import annotations

import asyncio
from typing import Any

from mnemo.memtypes.requests import RetrieveRequest
from mnemo.memtypes.types import MemoryType
from mnemo.retrieval.pipeline import RetrievalConfig, Retriever
from mnemo.retrieval.ranking.model import DEFAULT_MODEL, PRESETS, RankingModel, varied
from tests.backends.constructed_store import TENANT, Store
from tests.backends.test_when_questions import DATED, NOW, SCOPE, TOPICAL, WHEN
from tests.backends.test_when_questions import store as store  # the fixture: a race store per module

SEMANTIC_ONLY = PRESETS["semantic-only"]


def retriever(store: Store, model: RankingModel = DEFAULT_MODEL) -> Retriever:
    return Retriever(
        store.index, store.embedder, store.tokenizers, RetrievalConfig(), sparse=store.sparse, model=model
    )


async def ranking(retriever: Retriever, query: str = WHEN) -> list[tuple[str, float, dict[str, Any]]]:
    """Each memory retrieved, best first: its content, score and score components."""
    request = RetrieveRequest(
        query=query, scope=SCOPE, types=[MemoryType.EPISODIC], now=NOW, explain=True, min_confidence=0
    )
    response = await retriever.retrieve(TENANT, request)
    return [(m.content, m.score, dict((m.explain or {})["components"])) for m in response.memories]


def contents(ranked: list[tuple[str, float, dict[str, Any]]]) -> list[str]:
    return [content for content, _, _ in ranked]


async def test_two_retrievers_with_different_models_rank_side_by_side(store: Store) -> None:
    default, semantic = retriever(store), retriever(store, SEMANTIC_ONLY)
    # Both at once, interleaved on one event loop: neither sees the other's model.
    together = await asyncio.gather(*(ranking(r) for r in (default, semantic, default, semantic)))
    by_default, by_semantic = together[0], together[1]
    assert together[2] == by_default and together[3] == by_semantic
    assert contents(by_default)[:2] == [DATED, TOPICAL]  # the turn that says when, lifted
    assert contents(by_semantic)[:2] == [TOPICAL, DATED]  # meaning alone: the closer paraphrase
    assert any("tells_time" in components for _, _, components in by_default)
    for _, _, components in by_semantic:  # only the terms over what every memory stores
        assert set(components) <= {"relevance", "recency", "importance", "usage"}
    # Each as a retriever alone with that model ranks: the same memories, scores and explanations.
    assert await ranking(retriever(store)) == by_default
    assert await ranking(retriever(store, SEMANTIC_ONLY)) == by_semantic


async def test_a_fitted_constant_varied_on_a_copy_changes_only_that_retriever(store: Store) -> None:
    # A copy with another fitted constant (the BM25 score that counts as half a match): every fused
    # relevance moves for the retriever given it, and for no other.
    copy = varied(DEFAULT_MODEL, {"relevance.bm25_half": 50.0})
    plain, other = retriever(store), retriever(store, copy)
    before = await ranking(plain)
    changed, after = await asyncio.gather(ranking(other), ranking(plain))
    assert after == before
    assert [score for _, score, _ in changed] != [score for _, score, _ in before]
    assert DEFAULT_MODEL.relevance.bm25_half == 5.0 and copy.relevance.bm25_half == 50.0
