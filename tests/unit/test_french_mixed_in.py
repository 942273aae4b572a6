"""French mixed into English questions read in English (mnemo.memtypes.language.french), and texted
"wat"/"wats" spelt out (mnemo.memtypes.language.text.spelled_out)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from mnemo.memtypes.language.french import french_in_english
from mnemo.memtypes.language.text import spelled_out
from mnemo.retrieval.ranking.times.task_questions import task_question
from tests.unit.verdicts import answer_test

test_french_frames_and_times_are_read_in_english = answer_test(
    french_in_english,
    [
        ("c'est quand le vernissage?", "when's the vernissage?"),
        ("c'est qui l'éducatrice de léa", "who's the éducatrice de léa"),
        ("c'était quand l'atelier", "when was the atelier"),
        ("C'est quoi le plan ce weekend", "what's the plan this weekend"),
        ("c’est quoi ton numéro", "what's ton numéro"),
        ("qu'est-ce qui s'en vient en janvier", "what's coming up in january"),
        ("qu'est-ce que j'ai cette semaine", "what do I have this week"),
        ("anything due en mars?", "anything due in march?"),
        ("rien pour le mois prochain?", "rien pour next month?"),
    ],
)


@pytest.mark.parametrize(
    "text",
    [
        # English that looks French stays: a planet, a name, a French name inside English.
        "when does the mars rover land",
        "is Mai coming to the party",
        "how much did i ask the conseil des arts de montréal for",
        "what's on this weekend",
    ],
)
def test_other_text_stays(text: str) -> None:
    assert french_in_english(text) == text


def test_texted_what_is_spelt_out() -> None:
    assert spelled_out("wats on today") == "what's on today"
    assert spelled_out("wat do i owe the yard") == "what do i owe the yard"


NOW = datetime(2026, 12, 9, 8, 15, tzinfo=ZoneInfo("America/Toronto"))


@pytest.mark.parametrize(
    ("question", "first", "last"),
    [
        ("qu'est-ce qui s'en vient en janvier", (2027, 1, 1), (2027, 1, 31)),
        ("c'est quoi le plan ce weekend", (2026, 12, 12), (2026, 12, 13)),
        ("wats on today", (2026, 12, 9), (2026, 12, 9)),
    ],
)
def test_a_french_or_texted_time_asks_what_is_due_then(
    question: str, first: tuple[int, int, int], last: tuple[int, int, int]
) -> None:
    asked = task_question(question, NOW)
    assert asked is not None and asked.window is not None
    assert asked.window.start <= datetime(*first, 12, tzinfo=NOW.tzinfo) < asked.window.end
    assert asked.window.start <= datetime(*last, 12, tzinfo=NOW.tzinfo) < asked.window.end
    assert datetime(*last, 12, tzinfo=NOW.tzinfo) + timedelta(days=1) >= asked.window.end
