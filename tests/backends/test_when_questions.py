"""The when-question term (`tells_time`) on a real engine, real MiniLM and BM25: a memory that
states a time overtakes a closer paraphrase that does not, for a question that asks when and for no
other; the explanation still adds up to the engine's score, and the budget contract holds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mnemo.backends.embedding.embedder import SentenceTransformerEmbedder
from mnemo.memtypes.records import Scope
from mnemo.retrieval.pipeline import RetrievalConfig
from tests.backends.constructed_store import Store, constructed_store, contents, turn

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


@asynccontextmanager
async def race_store(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> AsyncIterator[Store]:
    """The race turns and the others, each a turn of its own, on a fresh Qdrant Edge store."""
    # Days apart, so that neither is the other's neighbour in a session.
    texts = [TOPICAL, DATED, *OTHERS]
    memories = [turn(text, SCOPE, NOW - timedelta(days=3 * i)) for i, text in enumerate(texts, start=1)]
    async with constructed_store(tmp_path_factory.mktemp("when") / "edge", embedder, memories) as built:
        yield built


@pytest.fixture(scope="module")
async def store(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> AsyncIterator[Store]:
    async with race_store(tmp_path_factory, embedder) as built:
        yield built


async def ranked(
    store: Store, query: str, weight: float, budget: int = 2_000
) -> tuple[list[dict[str, Any]], Any]:
    return await store.ranked(RetrievalConfig(tells_time_weight=weight), query, SCOPE, NOW, budget)


async def test_a_when_question_lifts_the_memory_that_states_a_time(store: Store) -> None:
    off, _ = await ranked(store, WHEN, weight=0.0)
    assert contents(off)[:2] == [TOPICAL, DATED]  # without the term the paraphrase leads
    on, _ = await ranked(store, WHEN, weight=DEFAULT)
    assert contents(on)[:2] == [DATED, TOPICAL]
    for memory in on:  # the explanation is the engine's score, the new term included
        assert memory["explain"]["total"] == pytest.approx(memory["score"], abs=1e-4)
    lifted = next(m for m in on if m["content"] == DATED)["explain"]["components"]
    assert DEFAULT > 0 and lifted["tells_time"]["contribution"] == pytest.approx(DEFAULT)


async def test_other_questions_are_ranked_as_before(store: Store) -> None:
    off, _ = await ranked(store, WHAT, weight=0.0)
    on, _ = await ranked(store, WHAT, weight=DEFAULT)
    assert contents(on) == contents(off)
    assert all("tells_time" not in m["explain"]["components"] for m in on)


@pytest.mark.parametrize("budget", [30, 60, 120, 400])
async def test_the_budget_contract_holds_with_the_term_on(store: Store, budget: int) -> None:
    _, response = await ranked(store, WHEN, weight=DEFAULT, budget=budget)
    assert store.tokens(response) <= budget
    assert response.metadata.total_tokens <= budget


async def test_a_schedule_answers_when_about_now_not_when_it_happened(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> None:
    """A note's schedule (no speaker's label) is lifted for "when do I usually …?" on the engine, by
    its flag and the formula's two cases, and not for "when did …?"."""
    schedule = "calls with my parents: Sundays at 17:00, video so they see the baby"
    others = ["my parents live in Santiago and visit every other year", "the baby's name is Tomás"]
    memories = [
        turn(text, SCOPE, NOW - timedelta(days=3 * i)) for i, text in enumerate([schedule, *others], 1)
    ]
    asked = (("when do I usually call my parents?", DEFAULT), ("when did I call my parents?", 0.0))
    async with constructed_store(tmp_path_factory.mktemp("schedule") / "edge", embedder, memories) as built:
        for query, lift in asked:
            found, _ = await ranked(built, query, weight=DEFAULT)
            components = next(m for m in found if m["content"] == schedule)["explain"]["components"]
            told = components["tells_time"]["contribution"] if "tells_time" in components else 0.0
            assert told == pytest.approx(lift)
            for memory in found:
                assert memory["explain"]["total"] == pytest.approx(memory["score"], abs=1e-4)
