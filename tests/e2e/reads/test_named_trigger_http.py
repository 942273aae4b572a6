"""A reminder whose trigger names whom or where a question about what to do names (real app, Qdrant
Edge, MiniLM, BM25): "talking to Helen soon, anything I wanted to raise with her?" lists the reminders
kept for "next time I speak to Helen" first, ahead of overdue ones about others, though the question
says none of the trigger's other words, and the overdue reminders about others lose their due dates' lift;
a question not about tasks that names Helen does not lift them, but news that she is on the phone
("Helen's on the phone") does, and an open question in the words of a trigger's occasion lifts its
reminder.

The clock is Wednesday 21 April 2027, 13:00 UTC.
"""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, store_holding

NOW = "2027-04-21T13:00:00Z"
NADIA = Asker({"user_id": "nadia"}, NOW, {"min_confidence": 0})
FOR_HELEN = [
    "Ask about timing for the Cork acquisition and whether the Irish entity comes onto the platform.",
    "Ask whether they would speak at the customer conference next year.",
]
OVERDUE = {
    "Chase Gail for the signed reference agreement.": "2027-02-26T17:00:00Z",
    "Book the Leicester training for the AP clerks.": "2026-12-11T17:00:00Z",
}
HELEN_DUE_LATER = "Send Helen the renewal pack before her June board meeting."
FACTS = [
    "Contact: Helen Marsh, Chief Financial Officer; economic buyer and sponsor.",
    "Helen prefers a one-page written summary before any meeting.",
]
MEMORIES: list[dict[str, Any]] = [
    *({"type": "prospective", "content": c, "trigger": "next time I speak to Helen"} for c in FOR_HELEN),
    {
        "type": "prospective",
        "content": "Bring printed quick-reference cards for the new AP clerks.",
        "trigger": "next on-site visit to Bristol",
    },
    *({"type": "prospective", "content": c, "due_at": d} for c, d in OVERDUE.items()),
    *({"type": "semantic", "content": c} for c in FACTS),
]


nadia = store_holding(MEMORIES, NADIA.scope)
# The same store, with a reminder that names Helen, due in June.
WITH_DUE = [*MEMORIES, {"type": "prospective", "content": HELEN_DUE_LATER, "due_at": "2027-06-01T09:00:00Z"}]
nadia_due = store_holding(WITH_DUE, NADIA.scope)


async def test_the_reminders_kept_for_the_person_named_come_first(nadia: AsyncTestClient[Any]) -> None:
    memories = await NADIA.retrieved(nadia, "talking to Helen soon, anything I wanted to raise with her?")
    assert sorted(m["content"] for m in memories[:2]) == sorted(FOR_HELEN)
    for memory in memories[:2]:
        assert memory["explain"]["components"]["named_trigger"]["contribution"] > 0
    lifted = [m["content"] for m in memories if "named_trigger" in m["explain"]["components"]]
    assert sorted(lifted) == sorted(FOR_HELEN)  # not Bristol's


async def test_a_question_not_about_tasks_does_not_lift_them(nadia: AsyncTestClient[Any]) -> None:
    memories = await NADIA.retrieved(nadia, "what's Helen's role?")
    assert memories[0]["content"] in FACTS
    assert all("named_trigger" not in m["explain"]["components"] for m in memories)


async def test_overdue_reminders_about_others_lose_their_lift(nadia: AsyncTestClient[Any]) -> None:
    memories = await NADIA.retrieved(nadia, "talking to Helen soon, anything I wanted to raise with her?")
    cut = {
        m["content"]: m["explain"]["components"]["unnamed_due"]["contribution"]
        for m in memories
        if "unnamed_due" in m["explain"]["components"]
    }
    assert set(cut) == set(OVERDUE) and all(c < 0 for c in cut.values())
    # A question that names nobody keeps what is overdue first.
    memories = await NADIA.retrieved(nadia, "anything I need to do?")
    assert all("unnamed_due" not in m["explain"]["components"] for m in memories)
    assert memories[0]["content"] in OVERDUE


async def test_news_that_the_person_has_come_lifts_their_reminders(nadia: AsyncTestClient[Any]) -> None:
    memories = await NADIA.retrieved(nadia, "Helen's on the phone")
    assert sorted(m["content"] for m in memories[:2]) == sorted(FOR_HELEN)
    assert all(memories[k]["explain"]["components"]["named_trigger"]["contribution"] > 0 for k in (0, 1))


async def test_an_open_question_in_the_occasion_s_words_lifts_its_reminder(
    nadia: AsyncTestClient[Any],
) -> None:
    memories = await NADIA.retrieved(nadia, "on the on-site visit to bristol, need anything?")
    assert memories[0]["content"] == "Bring printed quick-reference cards for the new AP clerks."


async def test_the_reminders_that_name_whom_an_open_question_names_come_first(
    nadia_due: AsyncTestClient[Any],
) -> None:
    memories = await NADIA.retrieved(nadia_due, "Helen's deadlines")
    contents = [m["content"] for m in memories]
    assert all(contents.index(HELEN_DUE_LATER) < contents.index(c) for c in OVERDUE)
    assert memories[contents.index(HELEN_DUE_LATER)]["explain"]["components"]["named_due"]["contribution"] > 0


async def test_news_that_someone_has_come_searches_no_reminders_where_none_are_asked_for(
    nadia: AsyncTestClient[Any],
) -> None:
    memories = await NADIA.retrieved(nadia, "Helen's on the phone", types=["semantic"])
    assert memories and {m["type"] for m in memories} == {"semantic"}
