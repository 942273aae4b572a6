"""Spans a question about what is due names in words the calendar's plain names do not cover:
weekends ("this weekend", "the weekend after next"), "the day after tomorrow", dates in figures
("on 2/22", "due 22/2"), parts of this or next month, week or year ("later this month", "early
next month", "the end of next week"), the end of a period a deadline says ("by the end of the
month", "by EOW", "end of day"), ISO weeks ("week 9", "W09"), and the periods counted from today
("in the next two weeks", "over the last month", "this month or next", "Q3", "on Friday",
"tomorrow"). Each resolver takes a match of its pattern in `due_windows._PATTERNS` and the
asker's clock (askers_clock.py), and gives `(start, end)` ahead. Pure.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, timedelta

from .askers_clock import AskersClock
from .calendar_spans import Span, date_span, day, month_part, month_start, period, year_part
from .temporal import MONTHS, NUMBERS, VAGUE

_WEEKENDS_ON = {"this": 0, "coming": 0, "the": 0, "next": 1}
# Parts of a calendar week, as days from its Monday (first, one past the last): the thirds "early",
# "mid" and "late" name, overlapping as the month's do.
_WEEK_PARTS = {"early": (0, 3), "mid": (2, 5), "late": (4, 7)}


def weekend(m: re.Match[str], clock: AskersClock) -> Span:
    """Saturday to Monday of this calendar week's weekend (on a Saturday or Sunday, the current one),
    next week's, or the one after ("the weekend after next")."""
    weeks = 2 if m["after_next"] else _WEEKENDS_ON[(m["which"] or "the").lower()]
    today = day(clock.now)
    saturday = today - timedelta(days=today.weekday()) + timedelta(days=5, weeks=weeks)
    return saturday, saturday + timedelta(days=2)


def day_after_tomorrow(_: re.Match[str], clock: AskersClock) -> Span:
    start = day(clock.now) + timedelta(days=2)
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


def figures_date(m: re.Match[str], clock: AskersClock) -> Span | None:
    """A date in figures: month/day or day/month, whichever is a date (a number over 12 is the
    day); where both are, the asker's order (askers_clock.py: "3/4" is 4 March in New York, 3 April
    in Nairobi), and where that is unknown, the one nearest ahead of now."""
    first, second, now = int(m["first"]), int(m["second"]), clock.now
    year = None if m["year"] is None else int(m["year"]) + (2000 if len(m["year"]) == 2 else 0)
    month_day, day_month = _in_year(first, second, year, now), _in_year(second, first, year, now)
    if month_day is not None and day_month is not None and (order := clock.month_first) is not None:
        return month_day if order else day_month
    return min((span for span in (month_day, day_month) if span is not None), default=None)


def _part_name(text: str) -> str:
    text = text.lower()
    if text.startswith("early") or "beginning" in text or "start" in text:
        return "early"
    return "mid" if text.startswith("mid") or "middle" in text else "late"


def part_of_period(m: re.Match[str], clock: AskersClock) -> Span:
    """A part of this or next month, week or year; "later this month" is from today to its end."""
    unit, which = m["unit"].lower(), m["which"].lower()
    start, end = period("this", unit, clock.now)
    if which != "this":
        start, end = period("this", unit, end)
    if m["part"].lower() == "later":
        return max(start, day(clock.now)), end
    part = _part_name(m["part"])
    if unit == "month":
        return month_part(start.year, start.month, part)
    if unit == "year":
        return year_part(start.year, part)
    first, last = _WEEK_PARTS[part]
    return start + timedelta(days=first), start + timedelta(days=last)


_ABBREVIATED = {"d": "day", "w": "week", "m": "month", "y": "year"}


def until_end_of(m: re.Match[str], clock: AskersClock) -> Span:
    """From now to the end of this day, week, month or year ("by the end of the month", "EOW",
    "COB": the working day's end is the day's); what fell due earlier today is overdue, not due by
    then."""
    now = clock.now
    groups = m.groupdict()
    unit = (groups.get("unit") or _ABBREVIATED[(groups.get("abbr") or "d").lower()]).lower()
    if unit == "day":
        return now, day(now) + timedelta(days=1)
    return now, period("this", unit, now)[1]


def rest_of(m: re.Match[str], clock: AskersClock) -> Span | None:
    """What is left of a day, week, month or year ("the rest of the week", "rest of today"), or of a
    month by its name ("rest of March": this one's from now, a later one whole): from now to its end."""
    now = clock.now
    if m["month"] is None:
        return until_end_of(m, clock)
    month = MONTHS[m["month"].lower()]
    year = now.year if month >= now.month else now.year + 1
    start, end = month_start(year, month), month_start(year, month + 1)
    return max(start, now), end


def until_month_end(m: re.Match[str], clock: AskersClock) -> Span:
    """ "before the end of January", "by end of jan": from now to the end of the next such month
    (this one included), whatever fell due before it that is still ahead."""
    now = clock.now
    month = MONTHS[m["month"].lower()]
    year = int(m["year"]) if m["year"] else now.year if month >= now.month else now.year + 1
    return now, month_start(year, month + 1)


def iso_week(m: re.Match[str], clock: AskersClock) -> Span | None:
    """An ISO week by its number ("week 9", "W09"): this year's, or next year's once it has ended."""
    now = clock.now
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


_UNIT_DAYS = {"day": 1, "week": 7, "fortnight": 14}


def count_of(text: str) -> int:
    """A count as said: "3", "three", "a few", "a couple of"."""
    text = " ".join(text.lower().split())
    if text.isdigit():
        return int(text)
    if text.startswith("couple") or text.startswith("a couple"):
        return 2  # "a couple of months" ahead or back: two, not the vague range's most
    return VAGUE[text][1] if text in VAGUE else NUMBERS[text]


def quarter(m: re.Match[str], clock: AskersClock) -> Span:
    # "Q3": the next third quarter, this one included until it ends.
    now = clock.now
    first = 3 * int(m["quarter"]) - 2
    year = now.year if month_start(now.year, first + 3) > now else now.year + 1
    return month_start(year, first), month_start(year, first + 3)


def the_next(m: re.Match[str], clock: AskersClock) -> Span:
    # "in the next week", "over the next couple of months", "this fortnight": from today on.
    now = clock.now
    count = count_of(said) if (said := m.groupdict().get("count")) else 1
    unit = m["unit"].lower()
    if unit == "month":
        later = month_start(now.year, now.month + count)
        end = later.replace(day=min(now.day, 28)) + timedelta(days=max(0, now.day - 28))
        return day(now), end + timedelta(days=1)
    return day(now), day(now) + timedelta(days=count * _UNIT_DAYS[unit] + 1)


def named_period(m: re.Match[str], clock: AskersClock) -> Span:
    """This or next week, month or year."""
    which, unit = m["which"].lower(), m["unit"].lower()
    start, end = period("this", unit, clock.now)
    if which != "this":
        return period("this", unit, end)
    return start, end


def until_quarter_end(m: re.Match[str], clock: AskersClock) -> Span:
    """ "before the end of Q1": from now to that quarter's end."""
    now = clock.now
    quarter_end = month_start(now.year, 3 * int(m["quarter"]) + 1)
    if quarter_end <= now:
        quarter_end = month_start(now.year + 1, 3 * int(m["quarter"]) + 1)
    return now, quarter_end


def this_or_next(m: re.Match[str], clock: AskersClock) -> Span:
    """ "this month or next": from this one's start to the next one's end."""
    start, end = period("this", m["unit"].lower(), clock.now)
    return start, period("this", m["unit"].lower(), end)[1]


def next_weekday(m: re.Match[str], clock: AskersClock) -> Span:
    """The next such weekday, today included."""
    ahead = (list(calendar.day_name).index(m["weekday"].capitalize()) - clock.now.weekday()) % 7
    start = day(clock.now) + timedelta(days=ahead)
    return start, start + timedelta(days=1)


def day_word(m: re.Match[str], clock: AskersClock) -> Span:
    """Today (or a part of it: "tonight", "this morning"), or tomorrow."""
    today = day(clock.now)
    if m["word"].lower() == "tomorrow":
        return today + timedelta(days=1), today + timedelta(days=2)
    return today, today + timedelta(days=1)


def the_last(m: re.Match[str], clock: AskersClock) -> Span:
    # "over the last couple of months": what fell due in them.
    now = clock.now
    count = count_of(m["count"]) if m["count"] else 1
    unit = m["unit"].lower()
    if unit == "month":
        return month_start(now.year, now.month - count).replace(day=min(now.day, 28)), now
    return day(now) - timedelta(days=count * _UNIT_DAYS[unit]), now
