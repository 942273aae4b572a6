"""The speaker term on a real engine, real MiniLM and BM25: for a question that names a person, that
person's answer overtakes the other speaker's turns that match its words better (as a hit, and as
the neighbour of the question that was asked them); a first-person question prefers the user's
turns; the explanation adds up to the score, and the budget contract holds."""

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
SCOPE = Scope(user_id="friends")
CHAT = Scope(user_id="chat")
ASKED = "Caroline: How do you unwind after a long week at work, Melanie?"
ANSWER = "Melanie: Running in the park, reading, and playing my violin."
# Caroline's own words about unwinding: closer to the question than Melanie's answer is.
OTHERS = [
    "Caroline: After a long week at work I unwind with a hot bath.",
    "Caroline: Work was a long week again, I need to unwind this weekend.",
    "Caroline: Melanie, a long week at work always makes me want to unwind with pottery.",
]
QUESTION = "How does Melanie unwind after a long week at work?"
# A user-assistant chat: the assistant's turn matches the words, the user's says what they collect.
TOLD = "user: My collection is old jazz vinyl, mostly Blue Note records."
EXPLAINED = "assistant: Many people collect vinyl records; which kind do collectors like most?"
FIRST_PERSON = "What kind of vinyl records do I collect?"
DEFAULT = RetrievalConfig().speaker_weight  # the term as the service runs it


@pytest.fixture(scope="module")
def embedder() -> Iterator[SentenceTransformerEmbedder]:
    model = SentenceTransformerEmbedder()
    yield model
    model.close()


@pytest.fixture(scope="module")
async def stack(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> AsyncIterator[tuple[EdgeVectorIndex, TokenizerRegistry, Bm25Encoder]]:
    index = EdgeVectorIndex(tmp_path_factory.mktemp("speaker") / "edge", "speaker", embedder.dimension)
    await index.open()
    tokenizers, sparse = TokenizerRegistry(), Bm25Encoder()
    writer = MemoryWriter(index, embedder, tokenizers, sparse=sparse)
    # The question and its answer in one session; the others days apart (no one's neighbours).
    memories = [
        MemoryIn(type=MemoryType.EPISODIC, content=text, scope=SCOPE, occurred_at=NOW - timedelta(days=30))
        for text in (ASKED, ANSWER)
    ] + [
        MemoryIn(type=MemoryType.EPISODIC, content=text, scope=SCOPE, occurred_at=NOW - timedelta(days=3 * i))
        for i, text in enumerate(OTHERS, start=1)
    ]
    memories += [
        MemoryIn(type=MemoryType.EPISODIC, content=text, scope=CHAT, occurred_at=NOW - timedelta(days=10 * i))
        for i, text in enumerate((TOLD, EXPLAINED), start=1)
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
    scope: Scope = SCOPE,
) -> tuple[list[dict[str, Any]], Any]:
    index, tokenizers, sparse = stack
    retriever = Retriever(index, embedder, tokenizers, RetrievalConfig(speaker_weight=weight), sparse=sparse)
    request = RetrieveRequest(
        query=query, scope=scope, types=[MemoryType.EPISODIC], budget_tokens=budget, now=NOW, explain=True
    )
    response = await retriever.retrieve("acme", request)
    return [m.model_dump() for m in response.memories], response


def contents(memories: list[dict[str, Any]]) -> list[str]:
    return [m["content"] for m in memories]


async def test_the_named_persons_answer_overtakes_the_other_speakers_turns(
    stack: tuple[EdgeVectorIndex, TokenizerRegistry, Bm25Encoder], embedder: SentenceTransformerEmbedder
) -> None:
    off, _ = await ranked(stack, embedder, QUESTION, weight=0.0)
    on, _ = await ranked(stack, embedder, QUESTION, weight=DEFAULT)
    assert contents(off)[:2] == [ASKED, ANSWER]  # without the term the question leads its answer
    assert contents(on)[:2] == [ANSWER, ASKED]
    for memory in on:  # the explanation is the score, the new term included
        assert memory["explain"]["total"] == pytest.approx(memory["score"], abs=1e-4)
        parts = memory["explain"]["components"].values()
        assert sum(c["contribution"] for c in parts) == pytest.approx(memory["score"], abs=1e-4)
    answer = next(m for m in on if m["content"] == ANSWER)["explain"]
    assert DEFAULT > 0 and answer["components"]["speaker"]["contribution"] == pytest.approx(DEFAULT)


async def test_a_first_person_question_prefers_what_the_user_said(
    stack: tuple[EdgeVectorIndex, TokenizerRegistry, Bm25Encoder], embedder: SentenceTransformerEmbedder
) -> None:
    off, _ = await ranked(stack, embedder, FIRST_PERSON, weight=0.0, scope=CHAT)
    assert contents(off) == [EXPLAINED, TOLD]
    # The assistant's turn leads by more than the default lift here: a larger one shows the order flip.
    on, _ = await ranked(stack, embedder, FIRST_PERSON, weight=0.2, scope=CHAT)
    assert contents(on) == [TOLD, EXPLAINED]
    lifted = [m["explain"]["components"]["speaker"]["value"] for m in on]
    assert lifted == [1.0, 0.0]


@pytest.mark.parametrize("budget", [30, 60, 120, 400])
async def test_the_budget_contract_holds_with_the_term_on(
    stack: tuple[EdgeVectorIndex, TokenizerRegistry, Bm25Encoder],
    embedder: SentenceTransformerEmbedder,
    budget: int,
) -> None:
    _, tokenizers, _ = stack
    _, response = await ranked(stack, embedder, QUESTION, weight=DEFAULT, budget=budget)
    used = tokenizers.get(response.metadata.encoding).count(response.context)
    assert used <= budget
    assert response.metadata.total_tokens <= budget
