"""Hybrid retrieval end to end (write path → index → read path) on both backends, real MiniLM and BM25."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from qdrant_client import AsyncQdrantClient

from mnemo.backends.embedding.embedder import SentenceTransformerEmbedder
from mnemo.backends.embedding.sparse import Bm25Encoder
from mnemo.backends.qdrant_edge.index import EdgeVectorIndex
from mnemo.backends.qdrant_server.index import QdrantClientVectorIndex
from mnemo.backends.tokenizer import TokenizerRegistry
from mnemo.benchmarks.latency.in_process import FirstRounds, measure_engine_queries
from mnemo.ingest.pipeline import MemoryWriter, WriteOptions
from mnemo.memtypes.ports import VectorIndex
from mnemo.memtypes.records import MemoryIn, Scope
from mnemo.memtypes.requests import RankingOptions, RetrieveRequest, SearchMode
from mnemo.memtypes.types import MemoryType
from mnemo.retrieval.pipeline import RetrievalConfig, Retriever

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
SCOPE = Scope(user_id="alice")
RARE = "Gift wrapping was requested for A-7731-QX."
PARAPHRASE = "Alice cannot eat peanuts: they give her a severe allergic reaction."
DISTRACTORS = [
    "Where is order B-2209-KL? It is still at the warehouse.",  # phrased like the order query
    "Order C-5120-MT is on its way to the customer.",
    "Alice asked where her parcel order had gone.",
    "The kids ate nuts and dried fruit on the hiking trip.",  # shares a word with the allergy query
    "Alice's brother works night shifts at a logistics company.",
    "The editor changed the order of the chapters in the book.",
    "Which restaurant serves her favourite pasta is still a mystery.",
    "She felt tired after the long boat trip across the bay.",
]


@pytest.fixture(scope="module", params=["edge", "client"])
async def stack(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    embedder: SentenceTransformerEmbedder,
) -> AsyncIterator[tuple[MemoryWriter, Retriever]]:
    """One index per backend, written once: the tests only read it."""
    index: VectorIndex
    if request.param == "edge":
        index = EdgeVectorIndex(tmp_path_factory.mktemp("hybrid") / "edge", "hybrid", embedder.dimension)
    else:
        index = QdrantClientVectorIndex(AsyncQdrantClient(location=":memory:"), "hybrid", embedder.dimension)
    await index.open()
    tokenizers, sparse = TokenizerRegistry(), Bm25Encoder()
    writer = MemoryWriter(index, embedder, tokenizers, sparse=sparse)
    memories = [
        MemoryIn(type=MemoryType.SEMANTIC, content=text, scope=SCOPE, importance=0.5)
        for text in [RARE, PARAPHRASE, *DISTRACTORS]
    ]
    await writer.write("acme", memories, WriteOptions(prefilter=False, dedup=False))
    yield writer, Retriever(index, embedder, tokenizers, RetrievalConfig(), sparse=sparse)
    await index.close()


async def ranked(retriever: Retriever, query: str, **ranking: Any) -> list[dict[str, Any]]:
    request = RetrieveRequest(
        query=query,
        scope=SCOPE,
        types=[MemoryType.SEMANTIC],
        budget_tokens=2_000,
        now=NOW,
        explain=True,
        ranking=RankingOptions(**ranking),
        min_confidence=0,  # the ranking, every candidate: no confidence floor
    )
    response = await retriever.retrieve("acme", request)
    return [m.model_dump() for m in response.memories]


def position(memories: list[dict[str, Any]], content: str) -> int | None:
    return next((i for i, m in enumerate(memories) if m["content"] == content), None)


async def test_hybrid_finds_a_rare_term_dense_misses_and_a_paraphrase_bm25_misses(
    stack: tuple[MemoryWriter, Retriever],
) -> None:
    _, retriever = stack
    rare_query, paraphrase_query = "Where is order A-7731-QX now?", "Which nuts make her ill?"

    # Dense search ranks the memory phrased like the question above the one with the order number.
    assert position(await ranked(retriever, rare_query, search=SearchMode.DENSE), RARE) != 0
    # BM25 cannot see the allergy at all: not one word (after stemming) in common with the query.
    assert position(await ranked(retriever, paraphrase_query, search=SearchMode.SPARSE), PARAPHRASE) is None

    # Hybrid search, on the same index: the order number comes first; the paraphrase comes right
    # after the one memory both lists agree on (reciprocal-rank fusion favours agreement).
    assert position(await ranked(retriever, rare_query), RARE) == 0
    found = position(await ranked(retriever, paraphrase_query), PARAPHRASE)
    assert found is not None and found <= 1


@pytest.mark.parametrize("fusion", ["rrf", "dbsf"])
async def test_explanation_adds_up_to_the_engine_score_with_fusion(
    stack: tuple[MemoryWriter, Retriever], fusion: str
) -> None:
    _, retriever = stack
    memories = await ranked(retriever, "Alice ordered from the warehouse", fusion=fusion)
    assert len(memories) == 2 + len(DISTRACTORS)
    for memory in memories:
        explanation = memory["explain"]
        assert explanation["total"] == pytest.approx(memory["score"], abs=1e-4)
        relevance = explanation["components"]["relevance"]["value"]
        assert 0.0 < relevance <= 1.0 + 1e-6  # the fused score, scaled: not a cosine, not BM25


async def test_relevance_only_ranking_explains_the_stage_score(stack: tuple[MemoryWriter, Retriever]) -> None:
    _, retriever = stack
    memories = await ranked(retriever, "peanut allergy", formula=False)
    for memory in memories:
        assert set(memory["explain"]["components"]) == {"relevance"}
        assert memory["explain"]["total"] == pytest.approx(memory["score"], abs=1e-6)
    scores = [m["score"] for m in memories]
    assert scores == sorted(scores, reverse=True)


async def test_the_latency_benchmark_replays_the_first_round_a_retrieval_asked(
    stack: tuple[MemoryWriter, Retriever],
) -> None:
    """`mnemo bench latency` times the engine's part of a retrieval alone (`engine_bound_over_floor`)
    by asking the index again what each retrieval's first round asked."""
    _, retriever = stack
    recorder = FirstRounds(retriever.index)
    noting = Retriever(
        cast(VectorIndex, recorder),
        retriever.embedder,
        retriever.tokenizers,
        retriever.config,
        sparse=retriever.sparse,
    )
    request = RetrieveRequest(
        query="Where is order A-7731-QX now?", scope=SCOPE, now=NOW, types=[MemoryType.SEMANTIC]
    )
    recorder.fresh()
    response = await noting.retrieve("acme", request)
    await noting.retrieve("acme", request)  # not marked fresh: not noted
    [first_round] = recorder.rounds
    [answers] = await retriever.index.search(first_round)
    assert response.memories[0].content == RARE == answers[0].payload["content"]
    timed = await measure_engine_queries(retriever.index, recorder.rounds * 3)
    assert timed["rounds"] == 3 and timed["search_ms"]["p50"] > 0
