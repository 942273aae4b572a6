"""Questions answered by several turns, on a real engine, real MiniLM and BM25: a question
for several things gets a turn of each conversation (sessions spread, stages/session_spread.py), and a
question that names a speaker is embedded without the name, which the speaker term serves
(stages/search.py), as the speaker index of its scope says."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from mnemo.backends.embedding.embedder import SentenceTransformerEmbedder
from mnemo.memtypes.queries import MemoryFilter
from mnemo.memtypes.records import Scope
from mnemo.memtypes.requests import RetrieveRequest
from mnemo.memtypes.types import MemoryType
from mnemo.retrieval.pipeline import RetrievalConfig, Retriever
from tests.backends.constructed_store import TENANT, Store, constructed_store, contents, turn

NOW = datetime(2023, 6, 1, 12, tzinfo=UTC)
CHAT, FRIENDS = Scope(user_id="chat"), Scope(user_id="friends")
# Another user's conversation in the same store: every question here is scoped away from it.
JOG = "user: Last week I went jogging for two hours around the neighborhood."
JOG_AGAIN = "user: Jogging for hours last week wore out my jogging shoes."
YOGA = "user: Tuesday evening was a stretch session at the yoga studio, 45 minutes."
CHAT_TURNS = [
    "user: How many hours of jogging a week are healthy for me?",
    JOG,
    JOG_AGAIN,
    YOGA,
    "assistant: Yoga improves flexibility and balance.",
    "assistant: Jogging a few hours a week is a great habit.",
    "user: Can you suggest a healthy breakfast for busy mornings?",
]
TRIPS = Scope(user_id="trips")
# "How many hours in total did I spend driving on my road trips?": one conversation about the first
# trip, four turns that all match, and the other trip, weeks before, told in one turn: it ranks fifth.
FIRST_TRIP = [
    "user: I spent five hours driving to Yosemite on my road trip.",
    "user: The drive to Yosemite on that road trip took five hours of driving each way.",
    "user: Driving for hours on the road trip to Yosemite was tiring.",
    "user: On the Yosemite road trip I also spent hours driving around the valley.",
]
SECOND_TRIP = "user: Big Sur was my other road trip, three hours of driving along the coast."
SEVERAL = "How many hours in total did I spend driving on my road trips?"
FRIENDS_TURNS = [
    "Caroline: Researching adoption agencies; giving a kid a loving home has been my dream.",
    "Melanie: We go to the beach in Sweden every summer, the kids love it.",
]


@pytest.fixture(scope="module")
async def store(
    tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder
) -> AsyncIterator[Store]:
    # Days apart: no turn is another's neighbour, so the order is the ranking's alone.
    memories = [turn(t, CHAT, NOW - timedelta(days=3 * i + 1)) for i, t in enumerate(CHAT_TURNS)]
    memories += [turn(t, FRIENDS, NOW - timedelta(days=3 * i + 1)) for i, t in enumerate(FRIENDS_TURNS)]
    memories.append(turn("Jon: I lost my job as a banker.", Scope(user_id="others"), NOW))
    first = NOW - timedelta(days=10)
    memories += [turn(t, TRIPS, first + timedelta(minutes=i)) for i, t in enumerate(FIRST_TRIP)]
    memories.append(turn(SECOND_TRIP, TRIPS, first - timedelta(days=40)))
    async with constructed_store(tmp_path_factory.mktemp("evidence") / "edge", embedder, memories) as built:
        yield built


async def top(store: Store, query: str, scope: Scope, k: int, **config: object) -> list[str]:
    memories, _ = await store.ranked(RetrievalConfig(**config), query, scope, NOW)  # type: ignore[arg-type]
    return contents(memories)[:k]


async def test_a_question_for_several_things_gets_a_turn_of_each_conversation(store: Store) -> None:
    off = await top(store, SEVERAL, TRIPS, 3, session_spread=0.0)
    on = await top(store, SEVERAL, TRIPS, 3)
    assert SECOND_TRIP not in off and set(off) <= set(FIRST_TRIP)
    assert SECOND_TRIP in on  # the first trip's third turn yields to it
    memories, _ = await store.ranked(RetrievalConfig(), SEVERAL, TRIPS, NOW)
    moved = {
        m["content"]: m["explain"]["components"]["session_spread"]["contribution"]
        for m in memories
        if "session_spread" in m["explain"]["components"]
    }
    assert moved[SECOND_TRIP] > 0 and all(moved[t] < 0 for t in moved if t != SECOND_TRIP)
    for memory in memories:
        parts = memory["explain"]["components"].values()
        assert sum(c["contribution"] for c in parts) == pytest.approx(memory["score"], abs=1e-4)
    # A question for one thing is left as ranked.
    assert await top(store, "When did I drive to Yosemite?", TRIPS, 3) == await top(
        store, "When did I drive to Yosemite?", TRIPS, 3, session_spread=0.0
    )


class Recording:
    """The store's embedder, noting each text it is asked to embed."""

    def __init__(self, inner: SentenceTransformerEmbedder) -> None:
        self.inner, self.texts = inner, []  # type: ignore[var-annotated]
        self.dimension = inner.dimension

    async def embed(self, texts: list[str], *, alone: bool = False) -> list[list[float]]:
        self.texts.extend(texts)
        return await self.inner.embed(texts, alone=alone)


@pytest.mark.parametrize(
    ("query", "weight", "embedded"),
    [
        ("What are Caroline's plans for the summer?", None, "What are plans for the summer?"),
        ("Did Melanie and Caroline go to Sweden?", None, "Did go to Sweden?"),  # Sweden speaks nowhere
        # Without the speaker term nothing serves the name: the query keeps it.
        ("What are Caroline's plans for the summer?", 0.0, "What are Caroline's plans for the summer?"),
        ("What does Jon like?", None, "What does Jon like?"),  # Jon speaks in another scope only
    ],
)
async def test_the_dense_query_leaves_out_who_speaks_in_scope(
    store: Store, query: str, weight: float | None, embedded: str
) -> None:
    recording = Recording(store.embedder)
    other = Store(store.index, recording, store.tokenizers, store.sparse)  # type: ignore[arg-type]
    config = RetrievalConfig() if weight is None else RetrievalConfig(speaker_weight=weight)
    memories, _ = await other.ranked(config, query, FRIENDS, NOW)
    assert recording.texts == [embedded]
    assert memories  # and it still ranks the scope's turns


async def test_a_name_found_speaking_is_not_counted_again(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Who speaks in scope is one exact count a name; a name found speaking stands for a while (its
    turns only go by deletes), a name not found is counted at every question (a write may add it)."""
    counted: list[tuple[str, ...]] = []
    count = store.index.count

    async def noting(memory_type: MemoryType, flt: MemoryFilter, *, exact: bool = True) -> int:
        if flt.speakers:
            counted.append(flt.speakers)
        return await count(memory_type, flt, exact=exact)

    monkeypatch.setattr(store.index, "count", noting)
    recording = Recording(store.embedder)
    retriever = Retriever(store.index, recording, store.tokenizers, RetrievalConfig(), sparse=store.sparse)  # type: ignore[arg-type]
    request = RetrieveRequest(
        query="Did Caroline and Jon go to Sweden?", scope=FRIENDS, types=[MemoryType.EPISODIC], now=NOW
    )
    for _ in range(2):
        await retriever.retrieve(TENANT, request)
    assert sorted(counted) == [("caroline",), ("jon",), ("jon",), ("sweden",), ("sweden",)]
    first, second = recording.texts
    assert first == second and "Caroline" not in first and "Jon" in first
