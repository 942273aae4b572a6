"""Who said a turn, and whom a query asks about (mnemo.memtypes.language.speakers)."""

from __future__ import annotations

import pytest

from mnemo.memtypes.language.speakers import (
    MAX_NAMES,
    MAX_QUERY_KEYS,
    names_in,
    speaker_of,
    speakers_asked_about,
    without_names,
)
from tests.unit.verdicts import answer_test

test_a_turn_names_its_speaker = answer_test(
    speaker_of,
    [
        ("Caroline: I went to a support group yesterday.", ["caroline"]),
        ("John Smith: the lease is signed", ["john", "smith"]),
        ("user: how do I bake bread?", ["user"]),
        ("assistant:\nHere are three recipes", ["assistant"]),
        ("Human: hello", ["user"]),  # the same two parties under other role names
        ("AI: hi there", ["assistant"]),
        ("  Mel: padded", ["mel"]),
        ("O'Brien: fine", ["o'brien"]),
    ],
)


@pytest.mark.parametrize(
    "content",
    [
        "Bob is allergic to peanuts.",
        "10:30 standup moved to 11",  # a time, not a name
        "https://example.com/x is the link",  # no space after the colon
        "Step 1: preheat the oven",  # a label with a number
        "The plan: leave at noon and drive north",  # more than a name before the colon
        "Caroline:no space",
        "",
    ],
)
def test_other_texts_name_no_speaker(content: str) -> None:
    assert speaker_of(content) == []


def test_a_question_names_a_person_by_any_of_its_words() -> None:
    keys = speakers_asked_about("When did Caroline go to the LGBTQ support group?")
    assert "caroline" in keys
    assert "user" not in keys and "assistant" not in keys
    assert "melanie" in speakers_asked_about("What are Melanie's kids like?")  # possessive


@pytest.mark.parametrize(
    ("query", "user", "assistant"),
    [
        ("How many short stories have I written?", True, False),
        ("What did my sister give me for my birthday?", True, False),
        ("any documentary recommendations?", False, False),
        ("Can you remind me what the 7th job in the list you provided was?", True, True),
        ("What was your suggestion for the hike?", False, True),
        ("I think we discussed jobs for seniors earlier", True, True),  # either party
        ("Can you recommend a film?", False, False),  # a request, not what the assistant said
    ],
)
def test_first_and_second_person(query: str, user: bool, assistant: bool) -> None:
    keys = speakers_asked_about(query)
    assert ("user" in keys) is user
    assert ("assistant" in keys) is assistant


def test_a_long_prompt_is_cut_to_its_first_words() -> None:
    words = [f"word{i}" for i in range(500)]
    keys = speakers_asked_about("Ask Zed: " + " ".join(words))
    assert len(keys) == MAX_QUERY_KEYS
    assert keys[:2] == ("ask", "zed")


def test_a_word_longer_than_any_name_is_no_key() -> None:
    assert speakers_asked_about("x" * 100 + " Caroline") == ("caroline",)


test_names_in_a_query_are_its_capitalised_words = answer_test(
    names_in,
    [
        ("What is Caroline's identity?", ("caroline",)),
        ("When did Melanie and Caroline go hiking in Sweden?", ("melanie", "caroline", "sweden")),
        ("What do Jon' kids like?", ("jon",)),
        ("How long have I been living in my apartment?", ()),  # "How", "I": sentence furniture
        ("what did caroline say?", ()),  # only capitalised words are asked about
        ("Can you remind me what the User said?", ()),  # roles are not names
    ],
)


def test_a_long_prompt_asks_about_its_first_few_names() -> None:
    query = " ".join(f"Name{i}" for i in range(3 * MAX_NAMES))
    assert names_in(query) == tuple(f"name{i}" for i in range(MAX_NAMES))


test_names_are_taken_out_of_a_query = answer_test(
    without_names,
    [
        ("What is Caroline's identity?", ["caroline"], "What is identity?"),
        (
            "When did Melanie and Caroline go hiking in Sweden?",
            ["melanie", "caroline"],
            "When did go hiking in Sweden?",
        ),
        ("Did Jon, Gina and Tim meet?", ["jon", "gina", "tim"], "Did meet?"),
        ("What does MELANIE like?", ["melanie"], "What does like?"),  # any case
        ("What did Caroline tell Melanie?", ["caroline"], "What did tell Melanie?"),  # only those given
        ("Carolines and Caroline's cat", ["caroline"], "Carolines and cat"),  # whole words only
        ("Caroline?", ["caroline"], "Caroline?"),  # nothing but furniture would be left
        ("What is Caroline doing?", [], "What is Caroline doing?"),
    ],
)
