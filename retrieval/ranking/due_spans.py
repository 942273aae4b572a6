"""Spans a question about what is due names in words the calendar's plain names do not cover:
weekends ("this weekend", "the weekend after next"), "the day after tomorrow", dates in figures
("on 2/22", "due 22/2"), parts of this or next month, week or year ("later this month", "early
next month", "the end of next week"), the end of a period a deadline says ("by the end of the
month", "by EOW", "end of day") and ISO weeks ("week 9", "W09"). Each resolver takes a match of
its pattern in `due_windows._PATTERNS` and the request's `now`, and gives `(start, end)` ahead. Pure.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from .calendar_spans import Span, date_span, day, month_part, period, year_part

_WEEKENDS_ON = {"this": 0, "coming": 0, "the": 0, "next": 1}
# Parts of a calendar week, as days from its Monday (first, one past the last): the thirds "early",
# "mid" and "late" name, overlapping as the month's do.
_WEEK_PARTS = {"early": (0, 3), "mid": (2, 5), "late": (4, 7)}


def weekend(m: re.Match[str], now: datetime) -> Span:
    """Saturday to Monday of this calendar week's weekend (on a Saturday or Sunday, the current one),
    next week's, or the one after ("the weekend after next")."""
    weeks = 2 if m["after_next"] else _WEEKENDS_ON[(m["which"] or "the").lower()]
    today = day(now)
    saturday = today - timedelta(days=today.weekday()) + timedelta(days=5, weeks=weeks)
    return saturday, saturday + timedelta(days=2)


def day_after_tomorrow(_: re.Match[str], now: datetime) -> Span:
    start = day(now) + timedelta(days=2)
    return start, start + timedelta(days=1)


def _in_year(month: int, day_of_month: int, year: int | None, now: datetime) -> Span | None:
    if month > 12:
        return None
    if year is not None:
        return date_span(year, month, day_of_month)
    this_year = date_span(now.year, month, day_of_month)
    if this_year is not None and this_year[1] > now:
        return this_year
    return date_span(now.year + 1, month, day_of_month)


def figures_date(m: re.Match[str], now: datetime) -> Span | None:
    """A date in figures: month/day or day/month, whichever is a date (a number over 12 is the
    day); where both are, the one nearest ahead of now."""
    first, second = int(m["first"]), int(m["second"])
    year = None if m["year"] is None else int(m["year"]) + (2000 if len(m["year"]) == 2 else 0)
    readings = [_in_year(first, second, year, now), _in_year(second, first, year, now)]
    dates = [span for span in readings if span is not None]
    return min(dates, default=None)


def _part_name(text: str) -> str:
    text = text.lower()
    if text.startswith("early") or "beginning" in text or "start" in text:
        return "early"
    return "mid" if text.startswith("mid") or "middle" in text else "late"


def part_of_period(m: re.Match[str], now: datetime) -> Span:
    """A part of this or next month, week or year; "later this month" is from today to its end."""
    unit, which = m["unit"].lower(), m["which"].lower()
    start, end = period("this", unit, now)
    if which != "this":
        start, end = period("this", unit, end)
    if m["part"].lower() == "later":
        return max(start, day(now)), end
    part = _part_name(m["part"])
    if unit == "month":
        return month_part(start.year, start.month, part)
    if unit == "year":
        return year_part(start.year, part)
    first, last = _WEEK_PARTS[part]
    return start + timedelta(days=first), start + timedelta(days=last)


_ABBREVIATED = {"d": "day", "w": "week", "m": "month", "y": "year"}


def until_end_of(m: re.Match[str], now: datetime) -> Span:
    """From today to the end of this day, week, month or year ("by the end of the month", "EOW",
    "COB": the working day's end is the day's)."""
    groups = m.groupdict()
    unit = (groups.get("unit") or _ABBREVIATED[(groups.get("abbr") or "d").lower()]).lower()
    if unit == "day":
        return day(now), day(now) + timedelta(days=1)
    return day(now), period("this", unit, now)[1]


def iso_week(m: re.Match[str], now: datetime) -> Span | None:
    """An ISO week by its number ("week 9", "W09"): this year's, or next year's once it has ended."""
    number = int(m["week"])
    for year in (now.year, now.year + 1):
        try:
            monday = date.fromisocalendar(year, number, 1)
        except ValueError:
            return None
        start = datetime(monday.year, monday.month, monday.day, tzinfo=UTC)
        if start + timedelta(days=7) > now:
            return start, start + timedelta(days=7)
    return None
