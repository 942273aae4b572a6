"""Who said a turn, and whom a query asks about (mnemo.memtypes.language.speakers)."""

from __future__ import annotations

import pytest

from mnemo.memtypes.language.speakers import MAX_QUERY_KEYS, speaker_of, speakers_asked_about


@pytest.mark.parametrize(
    ("content", "speaker"),
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
def test_a_turn_names_its_speaker(content: str, speaker: list[str]) -> None:
    assert speaker_of(content) == speaker


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
