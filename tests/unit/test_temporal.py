"""Times named in a query, resolved against the request's clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from retrieval.temporal import parse_time_window

NOW = datetime(2023, 10, 22, 9, 55, tzinfo=UTC)  # a Sunday


@pytest.mark.parametrize(
    ("query", "start", "end"),
    [
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
    ],
)
def test_named_times_resolve_to_windows(query: str, start: date, end: date) -> None:
    window = parse_time_window(query, NOW)
    assert window is not None, query
    assert (window.start.date(), window.end.date()) == (start, end)
    assert window.phrase.lower() in query.lower()


@pytest.mark.parametrize(
    "query",
    [
        "When did Caroline go to the LGBTQ support group?",
        "What are Caroline's plans for the summer?",
        "Order 2023 widgets",  # a bare number is not a time
    ],
)
def test_queries_naming_no_time_give_none(query: str) -> None:
    assert parse_time_window(query, NOW) is None


def test_an_impossible_day_falls_back_to_its_month() -> None:
    window = parse_time_window("on 31 February, 2023", NOW)
    assert window is not None and (window.start.date(), window.end.date()) == (
        date(2023, 2, 1),
        date(2023, 3, 1),
    )


def test_the_most_specific_time_wins() -> None:
    window = parse_time_window("in 2023, on 1 February, 2023", NOW)
    assert window is not None and window.start.date() == date(2023, 2, 1)
