"""The speaker term on a real engine, real MiniLM and BM25: for a question that names a person, that
person's answer overtakes the other speaker's question it sits beside (it is that question's
neighbour, and carries its own speaker term); a first-person question prefers the user's turns; the
explanation adds up to the score, and the budget contract holds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mnemo.backends.embedding.embedder import SentenceTransformerEmbedder
from mnemo.memtypes.records import Scope
from mnemo.retrieval.pipeline import RetrievalConfig
from tests.backends.constructed_store import Store, constructed_store, contents, turn

NOW = datetime(2023, 6, 1, 12, tzinfo=UTC)
FRIENDS = Scope(user_id="friends")
CHAT = Scope(user_id="chat")
ASKED = "Caroline: How do you unwind after a long week at work, Melanie?"
ANSWER = "Melanie: Running in the park, reading, and playing my violin."
# Caroline's own words about unwinding, in other sessions.
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
async def store(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> AsyncIterator[Store]:
    def days_ago(days: int) -> datetime:
        return NOW - timedelta(days=days)

    # The question and its answer in one session; the others days apart (no one's neighbours).
    memories = [turn(ASKED, FRIENDS, days_ago(30)), turn(ANSWER, FRIENDS, days_ago(30))]
    memories += [turn(text, FRIENDS, days_ago(3 * i)) for i, text in enumerate(OTHERS, start=1)]
    memories += [turn(TOLD, CHAT, days_ago(10)), turn(EXPLAINED, CHAT, days_ago(20))]
    async with constructed_store(tmp_path_factory.mktemp("speaker") / "edge", embedder, memories) as built:
        yield built


async def ranked(
    store: Store, query: str, weight: float, scope: Scope = FRIENDS, budget: int = 2_000
) -> tuple[list[dict[str, Any]], Any]:
    return await store.ranked(RetrievalConfig(speaker_weight=weight), query, scope, NOW, budget)


async def test_the_named_persons_answer_overtakes_the_question_beside_it(store: Store) -> None:
    off, _ = await ranked(store, QUESTION, weight=0.0)
    on, _ = await ranked(store, QUESTION, weight=DEFAULT)
    assert contents(off)[:2] == [ASKED, ANSWER]  # without the term the question leads its answer
    assert contents(on)[:2] == [ANSWER, ASKED]
    for memory in on:  # the explanation is the score, the new term included
        assert memory["explain"]["total"] == pytest.approx(memory["score"], abs=1e-4)
        parts = memory["explain"]["components"].values()
        assert sum(c["contribution"] for c in parts) == pytest.approx(memory["score"], abs=1e-4)
    answer = next(m for m in on if m["content"] == ANSWER)["explain"]
    assert answer["neighbour_of"]  # reached as the question's neighbour, with its own lift
    assert DEFAULT > 0 and answer["components"]["speaker"]["contribution"] == pytest.approx(DEFAULT)


async def test_a_first_person_question_prefers_what_the_user_said(store: Store) -> None:
    off, _ = await ranked(store, FIRST_PERSON, weight=0.0, scope=CHAT)
    assert contents(off) == [EXPLAINED, TOLD]
    # The assistant's turn leads by more than the default lift here: a larger one shows the order flip.
    on, _ = await ranked(store, FIRST_PERSON, weight=0.2, scope=CHAT)
    assert contents(on) == [TOLD, EXPLAINED]
    assert [m["explain"]["components"]["speaker"]["value"] for m in on] == [1.0, 0.0]


@pytest.mark.parametrize("budget", [30, 60, 120, 400])
async def test_the_budget_contract_holds_with_the_term_on(store: Store, budget: int) -> None:
    _, response = await ranked(store, QUESTION, weight=DEFAULT, budget=budget)
    assert store.tokens(response) <= budget
    assert response.metadata.total_tokens <= budget
