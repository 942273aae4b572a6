"""A store written as dictation (lower case, values said in words) on the real app (MiniLM, BM25,
Qdrant Edge, the shipped confidence): a question for a code, a price or a clock time finds its value
said in words ("three one eight five", "twenty two dollars an hour", "at seven sharp"), so its
default context keeps the answer and what else shares its meaning, not only the best memory, as a
question whose detail no memory holds does. A reminder kept for the next visit to someone's house
is found by a question that says the house by the possessive alone ("over at gran's")."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, event, reminder, semantic, store_holding

NOW = "2027-03-10T15:00:00Z"
PARENT = Asker({"user_id": "dictating-parent"}, NOW)
GATE_OLD = "there's a key safe by mum's back gate with the spare key, the code is four four two nine"
GATE_NEW = "changed the key safe code at mum's to three one eight five because the neighbours all knew it"
SITTER = "our sitter is hannah from the agency, she comes tuesdays and it's twenty two dollars an hour"
BUS = "the school bus came at seven sharp again today, the kids were at the stop with a minute to spare"
FOR_GRAN = "check the freezer and throw out the old stuff, and find the spare remote for the telly"
MEMORIES: list[dict[str, Any]] = [
    semantic(GATE_OLD),
    semantic(GATE_NEW),
    semantic(SITTER),
    semantic("mum lives on her own in the bungalow on elm road and still drives to church"),
    semantic("the kids go to st anne's primary, the bus stop is at the end of our road"),
    event(BUS, "2027-03-09T13:10"),
    reminder(FOR_GRAN, trigger="next time i'm over at gran's house"),
    reminder("renew the car insurance", "2027-03-01T09:00"),
]
dictated = store_holding(MEMORIES, PARENT.scope)


@pytest.mark.parametrize(
    ("query", "answer"),
    [
        ("What's the code for the key safe at mum's?", GATE_NEW),
        ("How much does the sitter charge?", SITTER),
        ("What time does the school bus come?", BUS),
    ],
)
async def test_a_value_said_in_words_answers_and_keeps_a_default_context(
    dictated: AsyncTestClient[Any], query: str, answer: str
) -> None:
    packed = await PARENT.contents(dictated, query)  # the default context
    assert answer in packed
    assert len(packed) > 1  # not the near miss's context of its best memory alone


async def test_a_trigger_at_someones_house_is_said_by_the_possessive_alone(
    dictated: AsyncTestClient[Any],
) -> None:
    contents = await PARENT.contents(dictated, "Next time I'm over at gran's, what did I want to do there?")
    assert contents[0] == FOR_GRAN
