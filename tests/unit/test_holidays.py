"""Named days of the year, each the day it names (mnemo.retrieval.ranking.times.holidays)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from mnemo.retrieval.ranking.times.holidays import HOLIDAY, easter_sunday, holiday_span, next_holiday
from tests.unit.verdicts import answer_test


def d(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "year", "day"),
    [
        ("Christmas", 2026, d(2026, 12, 25)),
        ("Xmas Day", 2026, d(2026, 12, 25)),
        ("Christmas Eve", 2026, d(2026, 12, 24)),
        ("New Year's Eve", 2026, d(2026, 12, 31)),
        ("NYE", 2026, d(2026, 12, 31)),
        ("Hallowe'en", 2026, d(2026, 10, 31)),
        ("Valentine’s Day", 2027, d(2027, 2, 14)),
        ("St Patrick's Day", 2027, d(2027, 3, 17)),
        ("Good Friday", 2027, d(2027, 3, 26)),
        ("Easter Monday", 2027, d(2027, 3, 29)),
        ("Thanksgiving", 2026, d(2026, 11, 26)),  # the fourth Thursday of November
        ("Memorial Day", 2027, d(2027, 5, 31)),  # the last Monday of May
        ("Labor Day", 2026, d(2026, 9, 7)),  # the first Monday of September
        ("the Fourth of July", 2027, d(2027, 7, 4)),
    ],
)
def test_each_name_is_its_day(name: str, year: int, day: datetime) -> None:
    found = re.search(HOLIDAY, name, re.I)
    assert found is not None and found.group(0) == name
    span = holiday_span(found["holiday"], year)
    assert span is not None and span[0] == day and (span[1] - span[0]).days == 1


test_easter_is_the_computus_sunday = answer_test(
    easter_sunday,
    [(2024, d(2024, 3, 31)), (2025, d(2025, 4, 20)), (2026, d(2026, 4, 5))],
)


def test_the_next_one_is_this_year_s_until_it_ends() -> None:
    assert next_holiday("Christmas", d(2026, 12, 25)) == (d(2026, 12, 25), d(2026, 12, 26))
    assert next_holiday("Christmas", d(2026, 12, 26)) == (d(2027, 12, 25), d(2027, 12, 26))
