"""The when-question term (`tells_time`) on a real engine, real MiniLM and BM25: a memory that
states a time overtakes a closer paraphrase that does not, for a question that asks when and for no
other; the explanation still adds up to the engine's score, and the budget contract holds."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from backends.embedder import SentenceTransformerEmbedder
from backends.qdrant_edge import EdgeVectorIndex
from backends.sparse import Bm25Encoder
from backends.tokenizer import TokenizerRegistry
from ingest.pipeline import MemoryWriter, WriteOptions
from memtypes.records import MemoryIn, Scope
from memtypes.requests import RetrieveRequest
from memtypes.types import MemoryType
from retrieval.pipeline import RetrievalConfig, Retriever

NOW = datetime(2023, 6, 1, 12, tzinfo=UTC)
SCOPE = Scope(user_id="mel")
# The closer match in words, but it does not say when; the answer says when ("last Saturday").
TOPICAL = "Melanie: I ran the charity race for mental health! Running for mental health felt great."
DATED = "Melanie: I ran a charity race last Saturday, it was for mental health."
OTHERS = [
    "Caroline: I painted a lake at sunrise and hung it in the hallway.",
    "Caroline: My friends took me to a pottery class, it was so much fun.",
    "Melanie: The kids want to go camping in the mountains this summer.",
]
WHEN = "When did Melanie run the charity race for mental health?"
WHAT = "What did Melanie think of the charity race for mental health?"
DEFAULT = RetrievalConfig().tells_time_weight  # the term as the service runs it


@pytest.fixture(scope="module")
def embedder() -> Iterator[SentenceTransformerEmbedder]:
    model = SentenceTransformerEmbedder()
    yield model
    model.close()


@pytest.fixture(scope="module")
async def stack(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> AsyncIterator[tuple[EdgeVectorIndex, TokenizerRegistry, Bm25Encoder]]:
    index = EdgeVectorIndex(tmp_path_factory.mktemp("when") / "edge", "when", embedder.dimension)
    await index.open()
    tokenizers, sparse = TokenizerRegistry(), Bm25Encoder()
    writer = MemoryWriter(index, embedder, tokenizers, sparse=sparse)
    # Days apart, so that neither is the other's neighbour in a session.
    memories = [
        MemoryIn(type=MemoryType.EPISODIC, content=text, scope=SCOPE, occurred_at=NOW - timedelta(days=3 * i))
        for i, text in enumerate([TOPICAL, DATED, *OTHERS], start=1)
    ]
    await writer.write("acme", memories, WriteOptions(prefilter=False, dedup=False))
    yield index, tokenizers, sparse
    await index.close()


async def ranked(
    stack: tuple[EdgeVectorIndex, TokenizerRegistry, Bm25Encoder],
    embedder: SentenceTransformerEmbedder,
    query: str,
    weight: float,
    budget: int = 2_000,
) -> tuple[list[dict[str, Any]], Any]:
    index, tokenizers, sparse = stack
    retriever = Retriever(
        index, embedder, tokenizers, RetrievalConfig(tells_time_weight=weight), sparse=sparse
    )
    request = RetrieveRequest(
        query=query, scope=SCOPE, types=[MemoryType.EPISODIC], budget_tokens=budget, now=NOW, explain=True
    )
    response = await retriever.retrieve("acme", request)
    return [m.model_dump() for m in response.memories], response


def contents(memories: list[dict[str, Any]]) -> list[str]:
    return [m["content"] for m in memories]


async def test_a_when_question_lifts_the_memory_that_states_a_time(
    stack: tuple[EdgeVectorIndex, TokenizerRegistry, Bm25Encoder], embedder: SentenceTransformerEmbedder
) -> None:
    off, _ = await ranked(stack, embedder, WHEN, weight=0.0)
    assert contents(off)[:2] == [TOPICAL, DATED]  # without the term the paraphrase leads
    on, _ = await ranked(stack, embedder, WHEN, weight=DEFAULT)
    assert contents(on)[:2] == [DATED, TOPICAL]
    for memory in on:  # the explanation is the engine's score, the new term included
        assert memory["explain"]["total"] == pytest.approx(memory["score"], abs=1e-4)
    lifted = next(m for m in on if m["content"] == DATED)["explain"]["components"]
    assert DEFAULT > 0 and lifted["tells_time"]["contribution"] == pytest.approx(DEFAULT)


async def test_other_questions_are_ranked_as_before(
    stack: tuple[EdgeVectorIndex, TokenizerRegistry, Bm25Encoder], embedder: SentenceTransformerEmbedder
) -> None:
    off, _ = await ranked(stack, embedder, WHAT, weight=0.0)
    on, _ = await ranked(stack, embedder, WHAT, weight=DEFAULT)
    assert contents(on) == contents(off)
    assert all("tells_time" not in m["explain"]["components"] for m in on)


@pytest.mark.parametrize("budget", [30, 60, 120, 400])
async def test_the_budget_contract_holds_with_the_term_on(
    stack: tuple[EdgeVectorIndex, TokenizerRegistry, Bm25Encoder],
    embedder: SentenceTransformerEmbedder,
    budget: int,
) -> None:
    _, tokenizers, _ = stack
    _, response = await ranked(stack, embedder, WHEN, weight=DEFAULT, budget=budget)
    used = tokenizers.get(response.metadata.encoding).count(response.context)
    assert used <= budget
    assert response.metadata.total_tokens <= budget
