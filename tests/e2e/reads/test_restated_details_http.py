"""One detail told again with another value, read over HTTP (real app, Qdrant Edge, MiniLM, BM25),
without a `fact_key`: a profile fact says when Finn's rugby training is; a later event of the same
team tells the training's days and time anew, in other words and with no word of change. Asked when
training is now, the event ranks above the fact; asked who coaches the team, which the event does not
tell anew (it names the coach the fact does), it is not lifted.

The clock is Wednesday 14 April 2027, 21:40 UTC. The facts carry no time of their own: written in one
batch with the events, as an import writes them.
"""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, contribution, event, semantic, store_holding

NOW = "2027-04-14T21:40:00Z"
PARENT = Asker({"user_id": "parent"}, NOW)
TRAINING = (
    "Finn's rugby: U16A team at Mt Albert Grammar, coach Logan Tupou; training Tuesdays and Thursdays "
    "5pm at Gribblehurst Park."
)
SESSION = (
    "Coach Logan on Spond: U16A trains Mondays and Wednesdays at 5:30pm at Fowlds Park, under the lights."
)

MEMORIES: list[dict[str, Any]] = [
    semantic(TRAINING),
    semantic("Finn is 15, Year 11 at Mt Albert Grammar; plays lock."),
    semantic("Dentist: Dr Anna Petrovic at Kingsland Dental, check-ups every six months."),
    event(
        "Finn's school report: merit in maths, needs to hand science homework in on time.", "2027-03-02T06:00"
    ),
    event(SESSION, "2027-03-22T07:00"),
    event("Paid Finn's rugby subs, $180 for the season, on the Spond app.", "2027-02-10T08:00"),
]

parent = store_holding(MEMORIES, PARENT.scope)


async def test_a_later_event_telling_the_training_times_anew_ranks_above_the_fact(
    parent: AsyncTestClient[Any],
) -> None:
    question = "when does Finn have rugby training now?"
    contents = await PARENT.ranked(parent, question)
    assert contents.index(SESSION) < contents.index(TRAINING)
    memories = await PARENT.retrieved(parent, question, min_confidence=0)
    assert contribution(memories, SESSION, "restated_detail") > 0.0


async def test_a_question_of_another_detail_leaves_the_order_to_the_scores(
    parent: AsyncTestClient[Any],
) -> None:
    memories = await PARENT.retrieved(parent, "who coaches Finn's rugby team?", min_confidence=0)
    assert contribution(memories, SESSION, "restated_detail") == 0.0
