"""Times named in a query, resolved against the request's clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from mnemo.retrieval.ranking.times.temporal import parse_time_window

NOW = datetime(2023, 10, 22, 9, 55, tzinfo=UTC)  # a Sunday


# Every phrasing the parser knows, against the same Sunday. Windows are [start, end) in days.
@pytest.mark.parametrize(
    ("query", "start", "end"),
    [
        # Questions as they are asked.
        ("what did I eat yesterday?", date(2023, 10, 21), date(2023, 10, 22)),
        ("plans for today", date(2023, 10, 22), date(2023, 10, 23)),
        ("what happened two weeks ago", date(2023, 10, 4), date(2023, 10, 11)),
        ("3 days ago", date(2023, 10, 19), date(2023, 10, 20)),
        ("trips last year", date(2022, 1, 1), date(2023, 1, 1)),
        ("what did we do in 2022", date(2022, 1, 1), date(2023, 1, 1)),
        ("last May", date(2023, 5, 1), date(2023, 6, 1)),
        ("last October", date(2022, 10, 1), date(2022, 11, 1)),  # the current month is not "last"
        ("in December", date(2022, 12, 1), date(2023, 1, 1)),  # the latest December that has begun
        ("in July 2023", date(2023, 7, 1), date(2023, 8, 1)),
        ("What setback did Melanie face in October 2023?", date(2023, 10, 1), date(2023, 11, 1)),
        ("on 7 July, 2023", date(2023, 7, 7), date(2023, 7, 8)),
        ("on October 13, 2023", date(2023, 10, 13), date(2023, 10, 14)),
        ("the log of 2023-07-07", date(2023, 7, 7), date(2023, 7, 8)),
        ("last week", date(2023, 10, 9), date(2023, 10, 16)),
        ("last month", date(2023, 9, 1), date(2023, 10, 1)),
        ("last weekend", date(2023, 10, 14), date(2023, 10, 16)),
        ("last Friday", date(2023, 10, 20), date(2023, 10, 21)),
        ("last summer", date(2023, 6, 1), date(2023, 9, 1)),
        ("what changed since May?", date(2023, 5, 1), date(2023, 10, 22)),  # May 1 until now
        ("since November", date(2022, 11, 1), date(2023, 10, 22)),
        ("two months ago", date(2023, 8, 1), date(2023, 9, 1)),  # calendar months, not 60 days
        ("11 months ago", date(2022, 11, 1), date(2022, 12, 1)),
        # Before a date: up to one more unit back, and the day itself (when it was told).
        ("the week before August 3, 2023", date(2023, 7, 20), date(2023, 8, 4)),
        ("two weeks before August 11, 2023", date(2023, 7, 21), date(2023, 8, 12)),
        # Days around today.
        ("the day before yesterday", date(2023, 10, 20), date(2023, 10, 21)),
        ("what did I cook tonight", date(2023, 10, 22), date(2023, 10, 23)),
        ("this morning", date(2023, 10, 22), date(2023, 10, 23)),
        ("this evening", date(2023, 10, 22), date(2023, 10, 23)),
        ("I saw it the other day", date(2023, 10, 15), date(2023, 10, 22)),
        # Vague counts are ranges of days, not one guessed day.
        ("a couple of days ago", date(2023, 10, 19), date(2023, 10, 22)),
        ("a few days ago", date(2023, 10, 17), date(2023, 10, 21)),
        ("several days ago", date(2023, 10, 14), date(2023, 10, 20)),
        ("a few weeks ago", date(2023, 9, 13), date(2023, 10, 11)),
        ("a couple of months ago", date(2023, 7, 9), date(2023, 10, 7)),
        ("a week ago", date(2023, 10, 11), date(2023, 10, 18)),
        ("a month ago", date(2023, 9, 1), date(2023, 10, 1)),
        # Spans reaching back to now.
        ("in the past two months", date(2023, 8, 23), date(2023, 10, 22)),
        ("over the last few days", date(2023, 10, 17), date(2023, 10, 22)),
        ("the last 3 weeks", date(2023, 10, 1), date(2023, 10, 22)),
        ("in the past week", date(2023, 10, 15), date(2023, 10, 22)),
        ("earlier this year", date(2023, 1, 1), date(2023, 10, 22)),
        ("earlier this month", date(2023, 10, 1), date(2023, 10, 22)),
        ("earlier this week", date(2023, 10, 16), date(2023, 10, 22)),
        # Named weeks, weekends, weekdays (past-leaning: the latest that has begun).
        ("the previous week", date(2023, 10, 9), date(2023, 10, 16)),
        ("this past week", date(2023, 10, 9), date(2023, 10, 16)),
        ("this past weekend", date(2023, 10, 14), date(2023, 10, 16)),
        ("over the weekend", date(2023, 10, 21), date(2023, 10, 23)),
        ("this weekend", date(2023, 10, 21), date(2023, 10, 23)),
        ("this month", date(2023, 10, 1), date(2023, 11, 1)),
        ("last Sunday", date(2023, 10, 15), date(2023, 10, 16)),  # never today
        ("on Sunday", date(2023, 10, 22), date(2023, 10, 23)),  # today, said of the past
        ("on Friday", date(2023, 10, 20), date(2023, 10, 21)),
        ("this past Tuesday", date(2023, 10, 17), date(2023, 10, 18)),
        # Anchored to a date: from the named time until the date's end (when it was told).
        ("the Sunday before 25 May 2023", date(2023, 5, 21), date(2023, 5, 26)),
        ("the Friday after 3 August 2023", date(2023, 8, 3), date(2023, 8, 5)),
        ("the day before 9 June 2023", date(2023, 6, 7), date(2023, 6, 10)),
        ("the weekend before 20 July 2023", date(2023, 7, 6), date(2023, 7, 21)),
        ("two days after July 7, 2023", date(2023, 7, 7), date(2023, 7, 11)),
        ("a week after 1 March 2023", date(2023, 3, 1), date(2023, 3, 16)),
        ("a few days prior to 10 May 2023", date(2023, 5, 4), date(2023, 5, 11)),
        ("the week of 14 August 2023", date(2023, 8, 14), date(2023, 8, 21)),
        # Dates without a year: the latest such day up to now.
        ("on May 7", date(2023, 5, 7), date(2023, 5, 8)),
        ("on December 25th", date(2022, 12, 25), date(2022, 12, 26)),
        ("on the 5th of March", date(2023, 3, 5), date(2023, 3, 6)),
        ("July 4th, 2022", date(2022, 7, 4), date(2022, 7, 5)),
        # Parts of months and years.
        ("early May 2023", date(2023, 5, 1), date(2023, 5, 11)),
        ("late June 2023", date(2023, 6, 20), date(2023, 7, 1)),
        ("mid-March 2023", date(2023, 3, 10), date(2023, 3, 21)),
        ("at the end of January 2023", date(2023, 1, 20), date(2023, 2, 1)),
        ("the first week of September 2023", date(2023, 9, 1), date(2023, 9, 8)),
        ("the last week of February 2023", date(2023, 2, 22), date(2023, 3, 1)),
        ("in early May", date(2023, 5, 1), date(2023, 5, 11)),
        ("late September", date(2023, 9, 20), date(2023, 10, 1)),
        ("early 2023", date(2023, 1, 1), date(2023, 5, 1)),
        ("mid-2022", date(2022, 4, 1), date(2022, 10, 1)),
        ("late 2021", date(2021, 9, 1), date(2022, 1, 1)),
        # Months and seasons relative to a year.
        ("May last year", date(2022, 5, 1), date(2022, 6, 1)),
        ("in March of this year", date(2023, 3, 1), date(2023, 4, 1)),
        ("summer 2022", date(2022, 6, 1), date(2022, 9, 1)),
        ("the winter of 2022", date(2022, 12, 1), date(2023, 3, 1)),
        ("during the summer", date(2023, 6, 1), date(2023, 9, 1)),
        ("in the spring", date(2023, 3, 1), date(2023, 6, 1)),
        ("this winter", date(2022, 12, 1), date(2023, 3, 1)),  # the latest that has begun
        # Since a time: until now.
        ("since March 2022", date(2022, 3, 1), date(2023, 10, 22)),
        ("since 14 August 2023", date(2023, 8, 14), date(2023, 10, 22)),
        ("since 2021", date(2021, 1, 1), date(2023, 10, 22)),
        ("back in 2019", date(2019, 1, 1), date(2020, 1, 1)),
    ],
)
def test_named_times_resolve_to_windows(query: str, start: date, end: date) -> None:
    window = parse_time_window(query, NOW)
    assert window is not None, query
    assert (window.start.date(), window.end.date()) == (start, end), query
    assert window.phrase.lower() in query.lower()


@pytest.mark.parametrize(
    "query",
    [
        "When did Caroline go to the LGBTQ support group?",
        "What are Caroline's plans for the summer?",
        "Order 2023 widgets",  # a bare number is not a time
        "May I ask what you recommended?",  # "may" the verb
        "the day before the wedding",  # anchored to no date
        "what did I plan for later",
        "a few things I bought",
        "How many days passed between the two trips?",
    ],
)
def test_queries_naming_no_time_give_none(query: str) -> None:
    assert parse_time_window(query, NOW) is None


def test_a_dateless_anchor_in_the_future_falls_back_a_year() -> None:
    # "November 2" has not come yet this year at NOW: the latest one is 2022's.
    window = parse_time_window("the week before November 2", NOW)
    assert window is not None and window.end.date() == date(2022, 11, 3)


def test_an_impossible_day_falls_back_to_its_month() -> None:
    window = parse_time_window("on 31 February, 2023", NOW)
    assert window is not None and (window.start.date(), window.end.date()) == (
        date(2023, 2, 1),
        date(2023, 3, 1),
    )


def test_the_most_specific_time_wins() -> None:
    window = parse_time_window("in 2023, on 1 February, 2023", NOW)
    assert window is not None and window.start.date() == date(2023, 2, 1)


@pytest.mark.parametrize(
    ("query", "start"),
    [
        # Asked of what is to come, a month without a year is the next one, this one included.
        ("which school is Matilde going to in December?", date(2023, 12, 1)),
        ("what will we do in May?", date(2024, 5, 1)),
        ("where am I planning to go in early October?", date(2023, 10, 1)),
        # Of what was, or said without a tense, the latest that has begun.
        ("where did Matilde go in December?", date(2022, 12, 1)),
        ("when did Gerry start going to the physio in May?", date(2023, 5, 1)),
        ("anything in December?", date(2022, 12, 1)),
    ],
)
def test_a_month_asked_of_what_is_to_come_is_the_next_one(query: str, start: date) -> None:
    window = parse_time_window(query, NOW)
    assert window is not None and window.start.date() == start


def test_the_days_a_question_names_are_the_askers() -> None:
    """Yesterday, asked at 21:00 on Sunday in New York (01:00 UTC on Monday), is Saturday there."""
    asked = datetime(2023, 10, 22, 21, tzinfo=timezone(timedelta(hours=-4)))
    window = parse_time_window("what did I eat yesterday?", asked)
    assert window is not None
    assert (window.start, window.end) == (
        datetime(2023, 10, 21, 4, tzinfo=UTC),
        datetime(2023, 10, 22, 4, tzinfo=UTC),
    )
