"""Which texts state a time, and which queries ask when (mnemo.memtypes.language.time_mentions)."""

from __future__ import annotations

import pytest

from mnemo.memtypes.language.time_mentions import asks_when, mentions_time


@pytest.mark.parametrize(
    "text",
    [
        "I went to a support group yesterday and it was powerful.",
        "We're going camping next month!",
        "I ran a charity race last Saturday.",
        "That was two weeks ago, I think.",
        "A few days ago I painted a sunrise.",
        "On Friday we signed the lease.",
        "I started in March and loved it.",
        "Back in 2019 I lived in Osaka.",
        "See you tonight.",
        "We met over the weekend.",
        "Since May I've been running daily.",
        "Mel's birthday is on 12/07.",
        "last summer we went to the lake",
        "this morning I fed the cat",
    ],
)
def test_stated_times_are_found(text: str) -> None:
    assert mentions_time(text)


@pytest.mark.parametrize(
    "text",
    [
        "The charity race was really well organised.",
        "May I ask you something?",  # "may" the verb
        "It took a week to finish.",  # a duration, not a time
        "I love painting sunrises.",
        "Order 17 arrived damaged.",
        "You may want to try yoga.",
    ],
)
def test_texts_without_a_stated_time(text: str) -> None:
    assert not mentions_time(text)


@pytest.mark.parametrize(
    "query",
    [
        "When did Melanie run a charity race?",
        "What year did John start surfing?",
        "Which month did they move?",
        "In what year was the house built?",
        "How long ago was Caroline's 18th birthday?",
        "How many days passed between the two trips?",
        "How many weeks ago did I read the book?",
        "I forgot, when was the concert?",
        "What date is the wedding?",
    ],
)
def test_when_questions(query: str) -> None:
    assert asks_when(query)


@pytest.mark.parametrize(
    "query",
    [
        "What did Melanie paint?",
        "How many days did I spend in Rome?",  # a duration
        "Where did I buy my bookshelf?",
        "What time management tips did you give me?",
        "Tell me what happens whenever I skip breakfast.",
    ],
)
def test_other_questions(query: str) -> None:
    assert not asks_when(query)
