"""Questions answered by several turns, on a real engine, real MiniLM and BM25 (issue 38.1): a
two-part question gets the turn of each part (coverage-aware order, stages/coverage.py), and a
question that names a speaker is embedded without the name, which the speaker term serves
(`dense_without_speakers`, stages/search.py). Each case fails with its mechanism off."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from mnemo.backends.embedding.embedder import SentenceTransformerEmbedder
from mnemo.memtypes.records import Scope
from mnemo.retrieval.pipeline import RetrievalConfig
from tests.backends.constructed_store import Store, constructed_store, contents, turn

NOW = datetime(2023, 6, 1, 12, tzinfo=UTC)
CHAT, FRIENDS = Scope(user_id="chat"), Scope(user_id="friends")
# "How many hours of jogging and yoga did I do last week?": the jog is told twice, the yoga once.
JOG = "user: I went for a 30-minute jog around the neighborhood on Saturday."
JOG_AGAIN = "user: Jogging around the neighborhood again, I want to jog every Saturday."
YOGA = "user: I also did a 45-minute yoga class on Tuesday."
CHAT_TURNS = [
    JOG,
    JOG_AGAIN,
    YOGA,
    "assistant: Jogging in your neighborhood is a great habit; tracking each jog helps you improve.",
    "user: Can you suggest a healthy breakfast for busy mornings?",
]
TWO_PARTS = "How many hours of jogging and yoga did I do last week?"
# Melanie's hobby, and turns that say her name without saying what she does.
POTTERY = "Melanie: I just signed up for a pottery class, it's like therapy for me."
FRIENDS_TURNS = [
    POTTERY,
    "Caroline: Thanks, Melanie! You're the best, Melanie.",
    "Caroline: Melanie, good to see you! How have you been, Melanie?",
    "Melanie: Hey Caroline! Good to see you too.",
    "Caroline: I went to a support group yesterday.",
]
NAMED = "What hobbies does Melanie do?"


@pytest.fixture(scope="module")
async def store(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> AsyncIterator[Store]:
    # Days apart: no turn is another's neighbour, so the order is the ranking's alone.
    memories = [turn(t, CHAT, NOW - timedelta(days=3 * i + 1)) for i, t in enumerate(CHAT_TURNS)]
    memories += [turn(t, FRIENDS, NOW - timedelta(days=3 * i + 1)) for i, t in enumerate(FRIENDS_TURNS)]
    async with constructed_store(tmp_path_factory.mktemp("evidence") / "edge", embedder, memories) as built:
        yield built


async def top(store: Store, query: str, scope: Scope, k: int, **config: object) -> list[str]:
    memories, _ = await store.ranked(RetrievalConfig(**config), query, scope, NOW)  # type: ignore[arg-type]
    return contents(memories)[:k]


async def test_a_two_part_question_gets_a_turn_of_each_part(store: Store) -> None:
    off = await top(store, TWO_PARTS, CHAT, 2)
    on = await top(store, TWO_PARTS, CHAT, 2, coverage_weight=0.2)
    print(off, on)
    assert YOGA not in off
    assert set(on) == {JOG, YOGA} or set(on) == {JOG_AGAIN, YOGA}


async def test_the_coverage_lift_is_explained(store: Store) -> None:
    memories, _ = await store.ranked(RetrievalConfig(coverage_weight=0.2), TWO_PARTS, CHAT, NOW)
    yoga = next(m for m in memories if m["content"] == YOGA)["explain"]
    assert yoga["components"]["coverage"]["contribution"] > 0
    for memory in memories:
        parts = memory["explain"]["components"].values()
        assert sum(c["contribution"] for c in parts) == pytest.approx(memory["score"], abs=1e-4)


async def test_a_named_speakers_answer_is_found_by_its_meaning(store: Store) -> None:
    off = await top(store, NAMED, FRIENDS, 1)
    on = await top(store, NAMED, FRIENDS, 1, dense_without_speakers=True)
    print(off, on)
    assert off != [POTTERY]
    assert on == [POTTERY]
