"""One person's store of all five kinds of memory, on the real app, Qdrant Edge, MiniLM and BM25:
the question's time reaches the reminders' due dates, a reminder nobody closed stays out of
unrelated answers, the current statement of a changed fact comes first though both were written
together, and a question that asks how gets the steps before the story.

The clock is Friday 20 November 2026, 09:00 UTC: "next week" is Monday 23 to Sunday 29 November.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, store_holding

NOW = "2026-11-20T09:00:00Z"
SAM = Asker({"user_id": "sam"}, NOW, {"min_confidence": 0})
DOG = "Sam's dog is called Biscuit, a three-year-old beagle."
OLD_ADDRESS = "Sam lives at 14 Warrender Park Road, Marchmont, Edinburgh."
NEW_ADDRESS = "Since August 2026 Sam lives at 27 Iona Street, Leith, Edinburgh."
STEPS = (
    "Boiler losing pressure: with the heating off, open both filling-loop valves until the gauge "
    "reads 1.5 bar, then close them and restart the heating."
)
STORY = "The boiler lost pressure again on Saturday and the flat went cold until Sam sorted it."
NEXT_WEEK = ["Send the annual review report to the panel.", "Book the flights home for Christmas."]
JANUARY = "Renew the passport before it expires."
OVERDUE = "Register with a GP practice in Leith."
MEMORIES: list[dict[str, Any]] = [
    {"type": "semantic", "content": DOG},
    {"type": "semantic", "content": "Sam's middle name is Alexander, after his grandfather."},
    {"type": "semantic", "content": OLD_ADDRESS},
    {"type": "semantic", "content": NEW_ADDRESS},
    {"type": "semantic", "content": "Sam's weekly meeting with Ruth is on Thursdays at 14:00."},
    {"type": "semantic", "content": "Sam climbs twice a week at Alien Rock with Jonas."},
    {"type": "procedural", "content": STEPS},
    {"type": "episodic", "content": STORY, "occurred_at": "2026-10-03T19:00:00Z"},
    {
        "type": "episodic",
        "content": "Sam walked Biscuit on Portobello beach.",
        "occurred_at": "2026-11-08T10:00:00Z",
    },
    {"type": "prospective", "content": NEXT_WEEK[0], "due_at": "2026-11-25T17:00:00Z"},
    {"type": "prospective", "content": NEXT_WEEK[1], "due_at": "2026-11-27T12:00:00Z"},
    {
        "type": "prospective",
        "content": "Take Biscuit to the vet for his jab.",
        "due_at": "2026-12-03T10:00:00Z",
    },
    {"type": "prospective", "content": JANUARY, "due_at": "2027-01-14T10:00:00Z"},
    {"type": "prospective", "content": OVERDUE, "due_at": "2026-10-01T12:00:00Z"},
]


sam = store_holding(MEMORIES, SAM.scope)


async def test_the_time_a_question_names_reaches_the_due_dates(sam: AsyncTestClient[Any]) -> None:
    week = [m["content"] for m in await SAM.retrieved(sam, "what's on my plate next week?")]
    assert sorted(week[:2]) == sorted(NEXT_WEEK)  # both, before anything else, whatever their words
    # Under the service's default confidence floor too: their words alone read unlikely.
    floored = await SAM.retrieved(
        sam, "what's on my plate next week?", min_confidence=None, budget_tokens=200
    )
    assert set(NEXT_WEEK) <= {m["content"] for m in floored}
    assert next(m["content"] for m in await SAM.retrieved(sam, "anything due in January?")) == JANUARY
    overdue = await SAM.retrieved(sam, "anything overdue?")
    assert (
        overdue[0]["content"] == OVERDUE and overdue[0]["explain"]["components"]["due_window"]["value"] == 1
    )


@pytest.mark.parametrize(
    ("query", "answer"),
    [
        ("what's my dog called?", DOG),
        ("where do I live now?", NEW_ADDRESS),
        ("how do I top up the boiler pressure?", STEPS),
    ],
)
async def test_the_best_memory_wins_whatever_its_type(
    sam: AsyncTestClient[Any], query: str, answer: str
) -> None:
    memories = await SAM.retrieved(sam, query)
    contents = [m["content"] for m in memories]
    assert contents[0] == answer
    assert OVERDUE not in contents[:5]  # a reminder nobody closed stays out of unrelated answers
    shown = await SAM.retrieved(sam, query, min_confidence=None)  # what the default floor shows
    assert shown and all(m["score"] > 0.0 for m in shown)
    if answer == NEW_ADDRESS:  # both kept; the one that says it changed comes first
        assert contents.index(NEW_ADDRESS) < contents.index(OLD_ADDRESS)
    if answer == STEPS:
        assert contents.index(STEPS) < contents.index(STORY)
