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

from tests.e2e.conftest import Asker, contribution, reminder, reminders, scored, semantic, store_holding

MARCUS = Asker({"user_id": "marcus"}, "2026-03-18T09:30:00Z", {"min_confidence": 0})
FOR_DAD = {
    "Order dad's next three months of heart pills.": "2026-03-20T09:00",
    "Dad's 77th birthday: order his favourite biscuits and call him.": "2026-04-24T09:00",
}
DAD_ON_OCCASION = "Buy dad a weekly pill organiser."
CAR_AHEAD = "Book the car's MOT at the garage."
OVERDUE = {
    "Send Kelvin the draft guest list for the relatives' dinner.": "2026-03-09T13:00",
    "Submit Farhan's probation review to HR.": "2026-03-13T09:00",
    "Renew the car's road tax.": "2026-03-01T09:00",
}
FACTS = [
    "Dad lives in Penang; his helper comes Monday, Wednesday and Friday mornings.",
    "Dad prefers video calls to normal calls.",
]
MEMORIES: list[dict[str, Any]] = [
    *reminders({**FOR_DAD, **OVERDUE}),
    reminder(DAD_ON_OCCASION, trigger="next time I'm in Penang"),
    reminder(CAR_AHEAD, "2026-03-25T09:00"),
    *map(semantic, FACTS),
]

marcus = store_holding(MEMORIES, MARCUS.scope)


async def test_the_reminders_that_say_the_topic_come_first(marcus: AsyncTestClient[Any]) -> None:
    memories = await MARCUS.retrieved(marcus, "What dad-related things do I still need to do?")
    first = [m["content"] for m in memories[:3]]
    assert sorted(first) == sorted([*FOR_DAD, DAD_ON_OCCASION])
    assert contribution(memories, DAD_ON_OCCASION, "named_due") > 0
    cut = [m["content"] for m in memories if m["content"] in OVERDUE]
    assert cut and all(contribution(memories, content, "unnamed_due") < 0 for content in cut)


async def test_a_question_that_names_nothing_keeps_the_overdue_first(marcus: AsyncTestClient[Any]) -> None:
    memories = await MARCUS.retrieved(marcus, "anything I need to do?")
    assert memories[0]["content"] in OVERDUE
    assert not scored(memories, "unnamed_due")


async def test_a_window_s_reminders_that_say_the_topic_come_first(marcus: AsyncTestClient[Any]) -> None:
    memories = await MARCUS.retrieved(marcus, "dad stuff due in the next two months?")
    assert sorted(m["content"] for m in memories[:2]) == sorted(FOR_DAD)
    # Not the car's, in the window too, nor the one with no due date.
    assert scored(memories, "named_due") == set(FOR_DAD)


async def test_a_spoken_question_lists_the_topic_first(marcus: AsyncTestClient[Any]) -> None:
    memories = await MARCUS.retrieved(marcus, "um what dad stuff have i got coming up")
    assert sorted(m["content"] for m in memories[:3]) == sorted([*FOR_DAD, DAD_ON_OCCASION])
    # What is coming up is all that is ahead: the reminder waiting for an occasion is, too.
    assert scored(memories, "named_due") == {*FOR_DAD, DAD_ON_OCCASION}
