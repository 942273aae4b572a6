"""The names a topic goes by in a store (mnemo.retrieval.stages.topic_names): which words of a
memory are names, and which memories' names are a topic's."""

from __future__ import annotations

import pytest

from mnemo.retrieval.ranking.times.task_questions import topic_stems
from mnemo.retrieval.stages.topic_names import text_names, topic_names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("the bike is a 1971 Triumph Bonneville T120R", {"triumph", "bonneville", "t120r"}),
        ("Vic Alvarado's the handyman who does the duplex repairs", {"alvarado"}),  # not the first word
        ("our car is the CX-5, serviced on Mondays in March", {"cx-5"}),  # nor a day or a month
        ("I told Fergus I'd pay, I'm sure", {"fergus"}),  # "I" is no name, nor "I'd"
        ("paid 4200 for a 60-minute slot", set()),  # nor a number or a measure
        ("met Carmen D. at the GP", {"carmen"}),  # nor a word under three letters
        ("Tony's quote for the back deck is $14,800", {"tony"}),  # a possessive first word is one
        ("Today's list: call Carmen back", {"carmen"}),  # not one that names nobody
    ],
)
def test_the_names_a_memory_says(text: str, names: set[str]) -> None:
    assert text_names(text) == names


FACTS = [
    "the bike is a 1971 Triumph Bonneville, kept in Eoin's garage",
    "Eoin helps with the bike on saturdays",
    "the car is a Skoda Octavia",
    "running club is Tolka Harriers",
    "my GP is Dr Kelly in Swords",
]


def test_the_memories_that_say_a_topic_give_its_names() -> None:
    assert topic_names(topic_stems("bike"), FACTS) == {"triumph", "bonneville", "eoin"}
    assert topic_names(topic_stems("cars"), FACTS) == {"skoda", "octavia"}


def test_a_topic_no_memory_says_as_a_word_or_most_say_gives_no_names() -> None:
    assert topic_names(topic_stems("boat"), FACTS) == frozenset()
    assert (
        topic_names(topic_stems("mama"), [*FACTS, "she works at Tumaini Mama Trust in Kisumu"]) == frozenset()
    )
    said_by_most = [*FACTS[:2], "the bike shop is Cycleworks"]
    assert topic_names(topic_stems("bike"), said_by_most) == frozenset()
    assert topic_names(frozenset(), FACTS) == frozenset()
