"""A question about what to do that names its topic in plain words ("what dad-related things do I
still need to do?"; real app, Qdrant Edge, MiniLM, BM25) lists the pending reminders that say it
first, the one due in months and the one waiting for an occasion with them, and the overdue ones
about other things lose their due dates' lift; a question that names nothing keeps what is overdue
first. Asked with a window ("dad stuff due in the next two months?", or spoken: "um what dad stuff
have i got coming up"), the window's reminders that say the topic are lifted above its others; what
is coming up is all that is ahead, and the topic's reminder that waits for an occasion is too.

The clock is Wednesday 18 March 2026, 09:30 UTC.
"""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import retrieved, store_holding

NOW = "2026-03-18T09:30:00Z"
SCOPE = {"user_id": "marcus"}
FOR_DAD = {
    "Order dad's next three months of heart pills.": "2026-03-20T09:00:00Z",
    "Dad's 77th birthday: order his favourite biscuits and call him.": "2026-04-24T09:00:00Z",
}
DAD_ON_OCCASION = "Buy dad a weekly pill organiser."
CAR_AHEAD = "Book the car's MOT at the garage."
OVERDUE = {
    "Send Kelvin the draft guest list for the relatives' dinner.": "2026-03-09T13:00:00Z",
    "Submit Farhan's probation review to HR.": "2026-03-13T09:00:00Z",
    "Renew the car's road tax.": "2026-03-01T09:00:00Z",
}
FACTS = [
    "Dad lives in Penang; his helper comes Monday, Wednesday and Friday mornings.",
    "Dad prefers video calls to normal calls.",
]
MEMORIES: list[dict[str, Any]] = [
    *({"type": "prospective", "content": c, "due_at": d} for c, d in {**FOR_DAD, **OVERDUE}.items()),
    {"type": "prospective", "content": DAD_ON_OCCASION, "trigger": "next time I'm in Penang"},
    {"type": "prospective", "content": CAR_AHEAD, "due_at": "2026-03-25T09:00:00Z"},
    *({"type": "semantic", "content": c} for c in FACTS),
]

marcus = store_holding(MEMORIES, SCOPE)


async def test_the_reminders_that_say_the_topic_come_first(marcus: AsyncTestClient[Any]) -> None:
    memories = await retrieved(
        marcus, "What dad-related things do I still need to do?", SCOPE, NOW, min_confidence=0
    )
    first = [m["content"] for m in memories[:3]]
    assert sorted(first) == sorted([*FOR_DAD, DAD_ON_OCCASION])
    occasion = next(m for m in memories if m["content"] == DAD_ON_OCCASION)
    assert occasion["explain"]["components"]["named_due"]["contribution"] > 0
    cut = [m for m in memories if m["content"] in OVERDUE]
    assert cut and all(m["explain"]["components"]["unnamed_due"]["contribution"] < 0 for m in cut)


async def test_a_question_that_names_nothing_keeps_the_overdue_first(marcus: AsyncTestClient[Any]) -> None:
    memories = await retrieved(marcus, "anything I need to do?", SCOPE, NOW, min_confidence=0)
    assert memories[0]["content"] in OVERDUE
    assert all("unnamed_due" not in m["explain"]["components"] for m in memories)


async def test_a_window_s_reminders_that_say_the_topic_come_first(marcus: AsyncTestClient[Any]) -> None:
    query = "dad stuff due in the next two months?"
    memories = await retrieved(marcus, query, SCOPE, NOW, min_confidence=0)
    assert sorted(m["content"] for m in memories[:2]) == sorted(FOR_DAD)
    lifted = {m["content"] for m in memories if "named_due" in m["explain"]["components"]}
    assert lifted == set(FOR_DAD)  # not the car's, in the window too, nor the one with no due date


async def test_a_spoken_question_lists_the_topic_first(marcus: AsyncTestClient[Any]) -> None:
    query = "um what dad stuff have i got coming up"
    memories = await retrieved(marcus, query, SCOPE, NOW, min_confidence=0)
    assert sorted(m["content"] for m in memories[:3]) == sorted([*FOR_DAD, DAD_ON_OCCASION])
    lifted = {m["content"] for m in memories if "named_due" in m["explain"]["components"]}
    assert lifted == {*FOR_DAD, DAD_ON_OCCASION}  # all that is ahead: the occasion is, too
