"""The asker's ways of saying a time: a date in figures in their zone's order (askers_clock.py), the
time words of other languages a question in English mixes in (text.spelled_out), and a time that is
when one meets someone (due_windows.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from mnemo.retrieval.ranking.times.askers_clock import AskersClock
from mnemo.retrieval.ranking.times.due_windows import due_window
from mnemo.retrieval.ranking.times.task_questions import task_question
from tests.unit.verdicts import answer_test


def local_day(query: str, zone: str) -> tuple[int, int]:
    """(month, day) of the window `query` names, asked on Wednesday 17 February 2027 in `zone`."""
    now = datetime(2027, 2, 17, 8, 15, tzinfo=ZoneInfo(zone))
    window = due_window(query, now)
    assert window is not None
    start = window.start.astimezone(ZoneInfo(zone))
    assert window.end - window.start == timedelta(days=1)
    return start.month, start.day


test_a_date_in_figures_is_read_in_the_askers_order = answer_test(
    local_day,
    [
        # Both parts 12 or less: the asker's order.
        ("anything due 3/4?", "America/New_York", (3, 4)),
        ("anything due on 03/04", "America/Chicago", (3, 4)),
        ("what's due 3/4", "Pacific/Honolulu", (3, 4)),
        ("what's due 3/4", "America/Indiana/Indianapolis", (3, 4)),
        ("anything due 3/4?", "Africa/Nairobi", (4, 3)),
        ("anything due on 03/04", "Europe/London", (4, 3)),
        ("what's due 3/4", "Australia/Melbourne", (4, 3)),
        # A part over 12 says its own order, whatever the zone.
        ("what do i have 18/02", "America/Los_Angeles", (2, 18)),
        ("what do i have 2/22", "Africa/Nairobi", (2, 22)),
        ("anything due 12/3/2027", "America/Denver", (12, 3)),
        ("anything due 12/3/2027", "Europe/Berlin", (3, 12)),
    ],
)


def test_an_offset_says_no_order_and_the_date_nearest_ahead_is_read() -> None:
    now = datetime(2027, 2, 17, 8, 15, tzinfo=timezone(timedelta(hours=3)))
    window = due_window("anything due 3/4?", now)
    assert window is not None
    assert window.start == datetime(2027, 3, 3, 21, tzinfo=UTC)  # 4 March before 3 April


def test_the_order_is_the_clocks_own_and_the_wall_clock_its_zones() -> None:
    asked = datetime(2027, 2, 17, 19, 30, tzinfo=ZoneInfo("America/Phoenix"))
    clock = AskersClock.of(asked)
    assert clock.month_first is True
    assert clock.now == datetime(2027, 2, 17, 19, 30, tzinfo=UTC)  # the wall clock, written as UTC
    assert AskersClock.of(asked.astimezone(ZoneInfo("Asia/Kolkata"))).month_first is False
    assert AskersClock.of(asked.astimezone(timezone(timedelta(hours=-7)))).month_first is None
    assert clock.month_first is True  # reading in another zone leaves this clock's order as it is


def test_a_wall_clock_time_is_read_back_as_an_instant_of_the_zone_and_an_open_end_stays_open() -> None:
    clock = AskersClock.of(datetime(2027, 3, 20, 9, tzinfo=ZoneInfo("Europe/Berlin")))
    assert clock.instant(datetime(2027, 4, 1, tzinfo=UTC)) == datetime(2027, 3, 31, 22, tzinfo=UTC)
    assert clock.instant(datetime.max.replace(tzinfo=UTC)) == datetime.max.replace(tzinfo=UTC)
    in_utc = AskersClock.of(datetime(2027, 3, 20, 9, tzinfo=UTC))
    assert in_utc.instant(datetime(2027, 4, 1, tzinfo=UTC)) == datetime(2027, 4, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("query", "same_as"),
    [
        ("what do i have kesho", "what do i have tomorrow"),
        ("whats on wiki ijayo", "what's on next week"),
        ("anything kesho kutwa?", "anything the day after tomorrow?"),
        ("anything mwezi ujao", "anything next month"),
        ("Tenho alguma coisa amanhã?", "Tenho alguma coisa tomorrow?"),
        ("anything mañana?", "anything tomorrow?"),
        ("was steht nächste woche an", "was steht next week an"),
        ("quoi de neuf demain", "quoi de neuf tomorrow"),
        ("wats on today", "what's on today"),  # chat shorthand, as "whats"
    ],
)
def test_time_words_of_other_languages_name_the_same_window(query: str, same_as: str) -> None:
    now = datetime(2027, 2, 17, 8, 15, tzinfo=ZoneInfo("Africa/Nairobi"))
    assert task_question(query, now) == task_question(same_as, now)
    assert task_question(query, now) is not None


@pytest.mark.parametrize("query", ["update the team wiki", "who is Leo's teacher", "Jana's number"])
def test_words_english_spells_so_name_no_time(query: str) -> None:
    now = datetime(2027, 2, 17, 8, 15, tzinfo=ZoneInfo("Africa/Nairobi"))
    assert task_question(query, now) is None


@pytest.mark.parametrize(
    "query",
    [
        "seeing gary next week, what do i need to ask him",
        "meeting priya on friday, anything to bring?",
        "lunch with mom tomorrow, anything I wanted to tell her",
    ],
)
def test_a_time_one_meets_someone_at_is_the_meetings_not_a_due_window(query: str) -> None:
    now = datetime(2027, 2, 17, 8, 15, tzinfo=ZoneInfo("Africa/Nairobi"))
    asked = task_question(query, now)
    assert asked is not None and asked.window is None and asked.open


def test_a_time_of_a_meeting_that_asks_what_is_due_is_a_window() -> None:
    now = datetime(2027, 2, 17, 8, 15, tzinfo=ZoneInfo("Africa/Nairobi"))
    asked = task_question("meeting priya on friday, what else is due that day?", now)
    assert asked is not None and asked.window is not None
