"""Questions about tasks typed as bare keywords, with an Afrikaans time word mixed in ("next wk due",
"overdue?", "vrydag?", "naweek plans"), each read as a task question with its window
(mnemo.retrieval.ranking.times.task_questions). Pinned to Wednesday 18 November 2026, 07:30 in
Johannesburg (UTC+2 all year)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from mnemo.retrieval.ranking.times.task_questions import task_question

ZONE = ZoneInfo("Africa/Johannesburg")
NOW = datetime(2026, 11, 18, 7, 30, tzinfo=ZONE)


def day(month: int, day_of_month: int) -> datetime:
    return datetime(2026, month, day_of_month, tzinfo=ZONE)


@pytest.mark.parametrize(
    ("query", "start", "end"),
    [
        ("next wk due", day(11, 23), day(11, 30)),
        ("due this wk", NOW, day(11, 23)),
        ("this wk due", NOW, day(11, 23)),
        ("friday?", day(11, 20), day(11, 21)),
        ("tomorrow?", day(11, 19), day(11, 20)),
        # Afrikaans: today, tomorrow (with its accent), Friday, next week, the weekend.
        ("vandag?", NOW, day(11, 19)),
        ("môre?", day(11, 19), day(11, 20)),
        ("vrydag?", day(11, 20), day(11, 21)),
        ("volgende week due?", day(11, 23), day(11, 30)),
        ("naweek plans", day(11, 21), day(11, 23)),
        # "weekend" opening a terse question is the coming one; "plans" beside a time asks what is on.
        ("weekend?", day(11, 21), day(11, 23)),
        ("friday plans", day(11, 20), day(11, 21)),
    ],
)
def test_a_terse_question_names_its_window(query: str, start: datetime, end: datetime) -> None:
    asked = task_question(query, NOW)
    assert asked is not None and asked.window is not None
    assert (asked.window.start, asked.window.end) == (start, end)


def test_overdue_alone_asks_what_is_late() -> None:
    asked = task_question("overdue?", NOW)
    assert asked is not None and asked.undone and asked.window is not None
    assert asked.window.end == NOW


@pytest.mark.parametrize(
    "query",
    [
        "more?",  # English's "more", not Afrikaans "môre" typed without its accent
        "any more?",
        "plans?",  # no time named
        "weekend hours at the gym?",  # a weekend that words say more of
    ],
)
def test_a_terse_question_that_names_no_time_ahead_is_not_about_tasks(query: str) -> None:
    assert task_question(query, NOW) is None
