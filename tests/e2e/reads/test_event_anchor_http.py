"""A time named by an event (real app, Qdrant Edge, MiniLM, BM25): "since we moved" is read off the
store, from the move's own date, and ranks what happened after it above what happened before; an
event the store does not hold names no time, and the query is ranked as if it named none.

The clock is Friday 12 June 2026, 12:00 UTC; the move to Porto was on 14 March.
"""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import AppFactory, retrieved, store_holding, write

NOW = "2026-06-12T12:00:00Z"
SCOPE = {"user_id": "rosa"}
MOVE = "We moved from Lisbon to Porto and got the keys to our new flat in Bonfim."
BEFORE = {
    "We had the neighbours in Lisbon over for a farewell dinner on the terrace.": "2026-01-10T19:00:00Z",
    "We sold the old sofa and packed up the books in boxes.": "2026-02-21T10:00:00Z",
}
AFTER = {
    "We joined a running club that meets by the Douro on Saturday mornings.": "2026-04-04T08:00:00Z",
    "We had friends over for a francesinha dinner in the new flat.": "2026-05-02T20:00:00Z",
}


EVENTS = {MOVE: "2026-03-14T09:00:00Z", **BEFORE, **AFTER}
rosa = store_holding(
    [{"type": "episodic", "content": c, "occurred_at": at} for c, at in EVENTS.items()], SCOPE
)


async def ask(client: Any, query: str) -> list[dict[str, Any]]:
    return await retrieved(client, query, SCOPE, NOW, min_confidence=0)


async def test_what_happened_since_the_move_ranks_above_what_happened_before(rosa: Any) -> None:
    memories = await ask(rosa, "what have we done since we moved?")
    order = [m["content"] for m in memories]
    assert set(order) >= {MOVE, *BEFORE, *AFTER}
    assert max(order.index(c) for c in AFTER) < min(order.index(c) for c in BEFORE)
    time_of = {m["content"]: m["explain"]["components"]["time"]["value"] for m in memories}
    assert {c: time_of[c] for c in (*AFTER, *BEFORE, MOVE)} == {
        **dict.fromkeys(AFTER, 1.0),
        **dict.fromkeys(BEFORE, 0.0),
        MOVE: 0.0,  # the event the question is timed by is not of the time after it
    }
    anchor = memories[0]["explain"]["time_anchor"]
    assert anchor["phrase"] == "since we moved"
    assert anchor["event"] == MOVE
    assert anchor["occurred_at"].startswith("2026-03-14T09:00:00")
    for memory in memories:  # the engine scored what `explain` says: the same formula
        assert abs(memory["explain"]["total"] - memory["score"]) < 1e-4


async def test_before_the_move_is_the_time_until_it(rosa: Any) -> None:
    memories = await ask(rosa, "what did we do before we moved to Porto?")
    time_of = {m["content"]: m["explain"]["components"]["time"]["value"] for m in memories}
    expected = {**dict.fromkeys(BEFORE, 1.0), **dict.fromkeys(AFTER, 0.0)}
    assert {c: time_of[c] for c in (*BEFORE, *AFTER)} == expected


def assert_timed_by_no_event(memories: list[dict[str, Any]], component: str) -> None:
    """No memory's explanation names an event, and none scores the `component` an event would time."""
    assert memories
    for memory in memories:
        assert component not in memory["explain"]["components"]
        assert "time_anchor" not in memory["explain"]


async def test_an_event_the_store_does_not_hold_names_no_time(rosa: Any) -> None:
    assert_timed_by_no_event(await ask(rosa, "what have we done since we adopted the cat?"), "time")


async def test_the_words_that_time_a_question_are_not_what_it_asks_for(rosa: Any) -> None:
    # Porto is in many memories about anything: matched as a word of the question, it would lift
    # them above the one memory the question asks for.
    concert = "We went to a fado concert at Casa da Música with Inês."
    about_porto = {
        "Porto water bill: the Porto water company raised the Porto tariff.": "2026-04-11T16:00:00Z",
        "Porto council letter about Porto parking permits for Porto residents.": "2026-05-09T10:00:00Z",
    }
    events = {concert: "2026-05-16T21:00:00Z", **about_porto}
    rows = [{"type": "episodic", "scope": SCOPE, "content": c, "occurred_at": at} for c, at in events.items()]
    await write(rosa, rows)
    memories = await ask(rosa, "what shows have we seen since we moved to Porto?")
    assert memories[0]["content"] == concert
    assert memories[0]["explain"]["time_anchor"]["event"] == MOVE


async def test_in_a_transcript_the_clause_is_what_the_question_asks_about(app_client: AppFactory) -> None:
    # A turn that says "I started going to the gym" is the question's topic, not its time: no
    # window from it, and its words still count in the lexical search.
    turns = {
        "user: I started going to the gym in January, three mornings a week.": "2026-01-05T08:00:00Z",
        "assistant: A great habit. How are the early starts?": "2026-01-05T08:01:00Z",
        "user: I've lost 12 pounds since I started going to the gym.": "2026-05-20T08:00:00Z",
        "user: Can you suggest a dinner recipe with lentils and spinach?": "2026-05-21T19:00:00Z",
        "assistant: Try a lentil and spinach dal with cumin and lemon.": "2026-05-21T19:01:00Z",
    }
    rows = [{"type": "episodic", "scope": SCOPE, "content": c, "occurred_at": at} for c, at in turns.items()]
    async with app_client() as client:
        await write(client, rows)
        memories = await ask(client, "how much weight have I lost since I started going to the gym?")
        untimed = await ask(client, "how much weight have I lost, I started going to the gym?")
    assert memories[0]["content"].startswith("user: I've lost 12 pounds")
    for memory in memories:
        assert "time_anchor" not in memory["explain"]

    # The clause's words are searched as the question's own: the turn that says them is as relevant
    # as to the same question not timed by them.
    def relevance_of_the_start(found: list[dict[str, Any]]) -> float:
        [start] = [m for m in found if m["content"].startswith("user: I started going to the gym")]
        return float(start["explain"]["components"]["relevance"]["value"])

    relevance = {"timed": relevance_of_the_start(memories), "untimed": relevance_of_the_start(untimed)}
    assert relevance["timed"] > 0.9 * relevance["untimed"]
