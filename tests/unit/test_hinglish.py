"""Hinglish questions read in English (mnemo.memtypes.language.hinglish.in_english)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from mnemo.memtypes.language.hinglish import in_english
from mnemo.memtypes.language.text import spelled_out
from mnemo.retrieval.ranking.times.task_questions import task_question
from tests.unit.verdicts import answer_test

test_hindi_words_are_read_in_english = answer_test(
    in_english,
    [
        ("kal kya hai?", "tomorrow what is?"),
        # "kal" looks back where the question speaks of the past.
        ("kal kya hua tha?", "yesterday what hua was?"),
        ("is wk ka todo list", "this wk todo list"),
        ("Shah-Iyer ke liye kya pending hai?", "Shah-Iyer for what is pending?"),
        ("Feb mein kya kya due hai", "Feb in what all is due"),
        ("Mehta wedding ke saare pending kaam?", "Mehta wedding all pending tasks?"),
        ("car EMI kitni hai ab?", "car EMI how much is now?"),
        ("sangeet aur pheras kahan hai?", "sangeet and pheras where is?"),
        ("Kya hai kal?", "what is tomorrow?"),
    ],
)


@pytest.mark.parametrize(
    "text",
    [
        # No Hindi word: English's "is", "par", "ab", "sab" stay.
        "what is this week's plan",
        "is week 3 on par with the ab test?",
        "sab committee notes",
        # German's "mein" alone does not make a question Hinglish.
        "was ist mein termin",
        # A name or an initialism in capitals spelt like a Hindi word.
        "remind me about school stuff like PE kit",
        "Hui Min's sessions in January – what did users struggle with?",
    ],
)
def test_other_text_stays(text: str) -> None:
    assert in_english(text) == text


def test_spelled_out_reads_hinglish_time_words() -> None:
    assert spelled_out("aaj kya karna hai?") == "today what to do?"
    assert spelled_out("is wk ka todo list pls") == "this week todo list please"


NOW = datetime(2027, 1, 20, 10, 15, tzinfo=ZoneInfo("Asia/Kolkata"))


@pytest.mark.parametrize(
    ("question", "day"),
    [
        ("kal kya hai?", (1, 21)),
        ("aaj kya karna hai?", (1, 20)),
        ("fri ko kya hai?", (1, 22)),
        ("5 feb ko kya hai?", (2, 5)),
    ],
)
def test_a_hinglish_time_alone_asks_what_is_due_then(question: str, day: tuple[int, int]) -> None:
    asked = task_question(question, NOW)
    assert asked is not None and asked.window is not None
    noon = NOW.replace(month=day[0], day=day[1], hour=12, minute=0)
    assert asked.window.start <= noon < asked.window.end


def test_the_plan_for_a_month_asks_what_is_due_in_it() -> None:
    asked = task_question("what's the plan for March?", NOW)
    assert asked is not None and asked.window is not None and asked.soonest
    assert asked.window.start.astimezone(NOW.tzinfo).month == 3
