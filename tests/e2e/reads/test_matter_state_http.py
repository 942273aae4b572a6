"""A question that asks how a matter stands keeps its past-due reminder whole (real app, Qdrant Edge,
MiniLM, BM25; retrieval/ranking/matter_state.py): for "what's going on with the mortgage", the
reminder to call the bank about the escrow shortage, due last week and not closed, is part of the
answer and keeps all its relevance; for a question that asks one detail of the mortgage it keeps only
part (`past_due`), as for any question that is not about things to do.

The clock is Tuesday 23 February 2027, 06:00 UTC.
"""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import retrieved, store_holding

NOW = "2027-02-23T06:00:00Z"
RICK = {"user_id": "rick"}
CALL_BANK = "call huntington about the escrow shortage, see if we can spread it over 12 months"
MEMORIES: list[dict[str, Any]] = [
    {"type": "prospective", "content": CALL_BANK, "due_at": "2027-02-15T12:00:00Z"},
    {"type": "semantic", "content": "mortgage is with huntington, 30 year at 6.9, payment is 2380 a month"},
    {
        "type": "episodic",
        "content": "got a letter from huntington, escrow shortage of 612 because the property taxes went up",
        "occurred_at": "2027-02-10T17:00:00Z",
    },
    {"type": "semantic", "content": "the truck is a 2019 f-150, financed through the credit union"},
    {"type": "episodic", "content": "steel started going up today, first columns on grid A by lunch"},
    {"type": "prospective", "content": "order the level 3 deck sheets", "due_at": "2027-03-01T12:00:00Z"},
]


rick = store_holding(MEMORIES, RICK)


async def reminder(client: AsyncTestClient[Any], query: str) -> tuple[int, dict[str, Any]]:
    memories = await retrieved(client, query, RICK, NOW, min_confidence=0)
    contents = [m["content"] for m in memories]
    place = contents.index(CALL_BANK)
    return place, memories[place]


async def test_a_question_how_a_matter_stands_keeps_its_past_due_reminder(rick: AsyncTestClient[Any]) -> None:
    place, call_bank = await reminder(rick, "what's going on with the mortgage")
    assert "past_due" not in call_bank["explain"]["components"]
    assert place < 4  # with the mortgage's own memories, above what is not about it


async def test_a_question_of_one_detail_keeps_part(rick: AsyncTestClient[Any]) -> None:
    _, call_bank = await reminder(rick, "what's the mortgage payment?")
    assert call_bank["explain"]["components"]["past_due"]["contribution"] < 0
