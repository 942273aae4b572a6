"""Times named in a query ("yesterday", "last May", "in 2022", "two weeks ago", "on 7 July, 2023",
"the Sunday before 25 May 2023", "earlier this year", "in the past two months"), resolved against
the request's `now` into a window of `occurred_at`, on the asker's clock (`in_askers_days`).

Pure: text and a clock in, a window out (or None). The ranking policy turns the window into a
formula term, so Qdrant boosts memories from that time and `explain` shows it. Dates are the
calendar days of the offset `now` is given in (UTC for a `now` in UTC); a named period covers all
of it (`in May 2023` is May 1 to June 1, `two months ago` the whole calendar month), `since May`
runs from May 1 until now, and a vague count ("a few days ago") is a range of days rather than one
guessed day. A time anchored to a date ("the week before 3 August 2023") runs until that date's
end: what happened then was often told on it.

The phrasings are English usage, not any dataset's questions; `tests/unit/test_temporal.py` pins
every one to a fixed `now`.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import wraps

from ....memtypes.language.time_mentions import speaks_ahead
from .askers_clock import AskersClock
from .calendar_spans import (
    UNIT_DAYS,
    Span,
    date_span,
    day,
    latest_month,
    latest_season,
    latest_weekday,
    month_part,
    month_span,
    month_start,
    period,
    week_of_month,
    year_part,
    year_span,
)

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
# Vague counts are ranges (fewest, most): "a few days ago" is not exactly three days ago.
VAGUE = {"a couple of": (1, 3), "a couple": (1, 3), "a few": (2, 5), "several": (3, 8), "few": (2, 5)}
_SEASONS = ("spring", "summer", "fall", "autumn", "winter")

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?!\d)"
_YEAR = r"(?P<year>(?:19|20)\d\d)(?!\d)"
_WEEKDAY = r"(?P<weekday>" + "|".join(_WEEKDAYS) + r")s?"
_SEASON = r"(?P<season>" + "|".join(_SEASONS) + r")"
_COUNT = (
    r"(?P<count>\d+|"
    + "|".join(sorted([*NUMBERS, *VAGUE], key=len, reverse=True)).replace(" ", r"\s+")
    + r")"
)
_UNIT = r"(?P<unit>day|week|month|year)s?"
_SPAN = r"(?P<unit>weekend|day|week|month|year)"
# A date, with or without its year: "7 July, 2023", "July 7th 2023", "July 7", "2023-07-07". Its
# groups carry the order as a suffix (Python's re allows a name only once).
_DATE = (
    rf"(?:{_DAY.replace('<day>', '<day_dm>')}\s+(?:of\s+)?{_MONTH.replace('<month>', '<month_dm>')}"
    rf"(?:,?\s+{_YEAR.replace('<year>', '<year_dm>')})?"
    rf"|{_MONTH.replace('<month>', '<month_md>')}\s+(?:the\s+)?{_DAY.replace('<day>', '<day_md>')}"
    rf"(?:,?\s+{_YEAR.replace('<year>', '<year_md>')})?"
    r"|(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d))"
)
_PART = r"(?P<part>early|mid|late|the\s+(?:beginning|start|middle|end)\s+of)[\s-]*"


@dataclass(frozen=True)
class TimeWindow:
    """`start <= occurred_at < end`, and the words of the query it was read from."""

    start: datetime
    end: datetime
    phrase: str


WindowReader = Callable[[str, datetime], TimeWindow | None]
# A reader of a query's times on the asker's clock: its window is in the clock's wall-clock time.
ClockReader = Callable[[str, AskersClock], TimeWindow | None]


def in_askers_days(read: ClockReader) -> WindowReader:
    """`read` with the days, weeks and months of the asker's clock: the UTC offset the request's `now`
    is given in. "Tomorrow" asked at 19:30 in Austin (00:30 UTC the next day) is the next Austin day,
    from 05:00 UTC; a `now` in UTC reads UTC days. The reader is given the asker's clock (their wall
    clock written as UTC, and their zone: a date in figures is read in their order), and each bound
    of its window is read back on the asker's clock (an open end stays open): in a named zone at the
    offset of its own day, so "in April" asked in Berlin in March starts at midnight summer time,
    across the change of clocks."""

    @wraps(read)
    def read_on_askers_clock(query: str, now: datetime) -> TimeWindow | None:
        clock = AskersClock.of(now)
        window = read(query, clock)
        if window is None:
            return None
        return TimeWindow(clock.instant(window.start), clock.instant(window.end), window.phrase)

    return read_on_askers_clock


def _count(text: str) -> tuple[int, int]:
    """A count as (fewest, most): equal for an exact number."""
    text = _words(text)
    if text in VAGUE:
        return VAGUE[text]
    n = int(text) if text.isdigit() else NUMBERS[text]
    return n, n


def _words(text: str) -> str:
    return " ".join(text.lower().split())


def _group(m: re.Match[str], name: str) -> str | None:
    """A named group's text; None where it did not match or the pattern has no such group."""
    return m.groupdict().get(name)


def _weekday(m: re.Match[str]) -> int:
    return _WEEKDAYS[m["weekday"].lower()]


def _month(m: re.Match[str]) -> int:
    return MONTHS[m["month"].lower()]


def _anchor(m: re.Match[str], now: datetime) -> Span | None:
    """The date a match names; without a year, the latest such day at or before now."""
    if _group(m, "iso"):
        y, mo, d = (int(x) for x in m["iso"].split("-"))
        return date_span(y, mo, d)
    order = "dm" if _group(m, "day_dm") else "md"
    month, d = MONTHS[m[f"month_{order}"].lower()], int(m[f"day_{order}"])
    year = _group(m, f"year_{order}")
    if year:
        return date_span(int(year), month, d)
    this_year = date_span(now.year, month, d)
    if this_year is not None and this_year[0] <= now:
        return this_year
    return date_span(now.year - 1, month, d)


# Each resolver: the match and now → the window, or None when the words name no real time.
_Resolver = Callable[[re.Match[str], datetime], Span | None]


def _units_reach(m: re.Match[str]) -> timedelta:
    """How far "two weeks" before or after a date reaches: one unit past the count (a vague one at
    its most; none said is one)."""
    unit = UNIT_DAYS[m["unit"].lower()]
    most = _count(m["count"])[1] if _group(m, "count") else 1
    return timedelta(days=(most + 1) * unit)


def _units_before(m: re.Match[str], now: datetime) -> Span | None:
    # "two weeks before May 9": up to three weeks back, and May 9 itself (when it was told).
    anchor = _anchor(m, now)
    return None if anchor is None else (anchor[0] - _units_reach(m), anchor[1])


def _units_after(m: re.Match[str], now: datetime) -> Span | None:
    # "a week after May 9": from May 9 to two weeks on (it is told at the time or a little later).
    anchor = _anchor(m, now)
    return None if anchor is None else (anchor[0], anchor[1] + _units_reach(m))


def _weekday_before(m: re.Match[str], now: datetime) -> Span | None:
    # "the Sunday before 25 May 2023": from that Sunday until the 25th, when it was told.
    anchor = _anchor(m, now)
    if anchor is None:
        return None
    back = (anchor[0].weekday() - _weekday(m)) % 7 or 7
    return anchor[0] - timedelta(days=back), anchor[1]


def _weekday_after(m: re.Match[str], now: datetime) -> Span | None:
    anchor = _anchor(m, now)
    if anchor is None:
        return None
    ahead = (_weekday(m) - anchor[0].weekday()) % 7 or 7
    return anchor[0], anchor[0] + timedelta(days=ahead + 1)


def _date(m: re.Match[str], now: datetime) -> Span | None:
    return _anchor(m, now)


def _week_of_date(m: re.Match[str], now: datetime) -> Span | None:
    anchor = _anchor(m, now)
    return None if anchor is None else period("this", "week", anchor[0])


def _month_year(m: re.Match[str], now: datetime) -> Span:
    year, month = int(m["year"]), _month(m)
    if _group(m, "part"):
        return month_part(year, month, m["part"])
    if _group(m, "nth"):
        return week_of_month(year, month, m["nth"].lower())
    return month_span(year, month)


def _month_relative_year(m: re.Match[str], now: datetime) -> Span:
    # "May last year", "in March of this year".
    return month_span(now.year - (m["which"].lower() in ("last", "previous")), _month(m))


def _season_year(m: re.Match[str], now: datetime) -> Span:
    return latest_season(m["season"].lower(), "in", datetime(int(m["year"]) + 1, 1, 1, tzinfo=UTC))


def _year_part(m: re.Match[str], now: datetime) -> Span:
    return year_part(int(m["year"]), m["part"])


def _ago(m: re.Match[str], now: datetime) -> Span:
    fewest, most = _count(m["count"])
    unit = m["unit"].lower()
    if unit == "month" and fewest == most:
        # Calendar months: "two months ago" in October is August, all of it.
        start = month_start(now.year, now.month - most)
        return month_span(start.year, start.month)
    days, today = UNIT_DAYS[unit], day(now)
    if fewest != most:  # "a few weeks ago": from the most to the fewest units back, half a unit either side
        pad = timedelta(days=days / 2) if days > 1 else timedelta(0)
        end_pad = pad if days > 1 else timedelta(days=1)
        return today - timedelta(days=most * days) - pad, today - timedelta(days=fewest * days) + end_pad
    center = today - timedelta(days=most * days)
    if days == 1:
        return center, center + timedelta(days=1)
    half = timedelta(days=days / 2)
    return center - half, center + half


def _past_units(m: re.Match[str], now: datetime) -> Span:
    # "in the past two months", "over the last few days": from that far back until now.
    most = _count(m["count"])[1] if _group(m, "count") else 1
    return day(now) - timedelta(days=most * UNIT_DAYS[m["unit"].lower()]), now


def _earlier_this(m: re.Match[str], now: datetime) -> Span:
    return period("this", m["unit"].lower(), now)[0], now


def _period(m: re.Match[str], now: datetime) -> Span:
    which = _words(m["which"])
    return period(
        "this" if which in ("this", "the", "on the", "over the") else "last", m["unit"].lower(), now
    )


def _season(m: re.Match[str], now: datetime) -> Span:
    which = _words(m["which"])
    return latest_season(m["season"].lower(), "last" if which in ("last", "past") else "in", now)


def _last_month_name(m: re.Match[str], now: datetime) -> Span:
    return latest_month(_month(m), now, strictly_before=True)


def _weekday_recent(m: re.Match[str], now: datetime) -> Span:
    # "last Friday" is never today; "on Friday" (said of the past) may be.
    strictly = _words(m["which"]) != "on"
    return latest_weekday(_weekday(m), now, strictly_before=strictly)


def _day_word(m: re.Match[str], now: datetime) -> Span:
    today, word = day(now), _words(m["word"])
    if word == "the day before yesterday":
        return today - timedelta(days=2), today - timedelta(days=1)
    if word == "the other day":  # a few days back, not today
        return today - timedelta(days=7), today
    if word in ("yesterday", "last night"):
        return today - timedelta(days=1), today
    return today, today + timedelta(days=1)


def _since_month(m: re.Match[str], now: datetime) -> Span:
    # From the first of the latest such month (or the named one) until now.
    if _group(m, "year"):
        return month_span(int(m["year"]), _month(m))[0], now
    return latest_month(_month(m), now, strictly_before=False)[0], now


def _since_date(m: re.Match[str], now: datetime) -> Span | None:
    anchor = _anchor(m, now)
    return None if anchor is None else (anchor[0], now)


def _since_year(m: re.Match[str], now: datetime) -> Span:
    return year_span(int(m["year"]))[0], now


def _in_month(m: re.Match[str], now: datetime) -> Span:
    # The latest such month that has begun; asked of what is to come, the next one (this one included).
    month = _month(m)
    if speaks_ahead(m.string):
        year = now.year if month >= now.month else now.year + 1
    else:
        year = latest_month(month, now, strictly_before=False)[0].year
    return month_part(year, month, m["part"]) if _group(m, "part") else month_span(year, month)


def _year(m: re.Match[str], now: datetime) -> Span:
    return year_span(int(m["year"]))


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


_NTH = r"(?:the\s+)?(?P<nth>first|second|third|fourth|last)\s+week\s+of\s+"
_WHICH_PERIOD = r"(?P<which>last|this\s+past|past|previous|this|the|on\s+the|over\s+the)"
# (pattern, resolver): tried in order; the most specific come first.
_PATTERNS: list[tuple[re.Pattern[str], _Resolver]] = [
    (_p(rf"\b{_COUNT}\s+{_UNIT}\s+(?:before|prior\s+to)\s+{_DATE}"), _units_before),
    (_p(rf"\b(?:the\s+|last\s+)*{_SPAN}s?\s+(?:before|prior\s+to)\s+{_DATE}"), _units_before),
    (_p(rf"\b{_COUNT}\s+{_UNIT}\s+after\s+{_DATE}"), _units_after),
    (_p(rf"\b(?:the\s+)?{_SPAN}s?\s+after\s+{_DATE}"), _units_after),
    (_p(rf"\b(?:the\s+|last\s+)?{_WEEKDAY}\s+(?:before|prior\s+to)\s+{_DATE}"), _weekday_before),
    (_p(rf"\b(?:the\s+)?{_WEEKDAY}\s+after\s+{_DATE}"), _weekday_after),
    (_p(rf"\bthe\s+week\s+of\s+{_DATE}"), _week_of_date),
    (_p(rf"\bsince\s+{_DATE}\b"), _since_date),
    (_p(rf"\bsince\s+{_MONTH}(?:,?\s+{_YEAR})?(?!\s*\d)"), _since_month),
    (_p(rf"\bsince\s+{_YEAR}"), _since_year),
    (_p(rf"\b{_DATE}\b"), _date),
    (_p(rf"\b(?:{_PART}|{_NTH})?{_MONTH},?\s+(?:of\s+)?{_YEAR}"), _month_year),
    (_p(rf"\b{_MONTH}\s+(?:of\s+)?(?P<which>last|this|previous)\s+year\b"), _month_relative_year),
    (_p(rf"\b(?:the\s+)?{_SEASON}\s+(?:of\s+)?{_YEAR}"), _season_year),
    (_p(rf"\b{_PART}{_YEAR}"), _year_part),
    (_p(rf"\b{_COUNT}\s+{_UNIT}\s+ago\b"), _ago),
    (_p(rf"\b(?:the\s+)?(?:past|last)\s+(?:{_COUNT}\s+)?(?P<unit>day|week|month|year)s\b"), _past_units),
    (_p(r"\b(?:in|over|during|for)\s+the\s+(?:past|last)\s+(?P<unit>day|week|month|year)\b"), _past_units),
    (_p(r"\bearlier\s+this\s+(?P<unit>week|month|year)\b"), _earlier_this),
    (_p(rf"\b{_WHICH_PERIOD}\s+(?P<unit>weekend)\b"), _period),
    (_p(r"\b(?P<which>last|this\s+past|past|previous|this)\s+(?P<unit>week|month|year)\b"), _period),
    (_p(rf"\b(?P<which>last|past|this|in|during)\s+(?:the\s+)?{_SEASON}\b(?!\s+(?:of\s+)?\d)"), _season),
    (_p(rf"\blast\s+{_MONTH}\b"), _last_month_name),
    (_p(rf"\b(?P<which>last|this\s+past|on)\s+{_WEEKDAY}\b"), _weekday_recent),
    (
        _p(
            r"\b(?P<word>the\s+day\s+before\s+yesterday|the\s+other\s+day|yesterday|last\s+night|today"
            r"|tonight|this\s+(?:morning|afternoon|evening))\b"
        ),
        _day_word,
    ),
    (_p(rf"\b(?:in|during)\s+(?:{_PART})?{_MONTH}(?!\s*\d)\b"), _in_month),
    (_p(rf"\b{_PART}{_MONTH}(?!\s*\d)\b"), _in_month),
    (_p(rf"\b(?:in|during|of|back\s+in)\s+{_YEAR}"), _year),
]


@in_askers_days
def parse_time_window(query: str, clock: AskersClock) -> TimeWindow | None:
    """The time the query names, as a window of occurred_at; None when it names none.

    When several patterns match, the most specific wins (an explicit date over a month over a year).
    """
    for pattern, resolve in _PATTERNS:
        for match in pattern.finditer(query):
            window = resolve(match, clock.now)
            if window is not None:
                return TimeWindow(window[0], window[1], match.group(0).strip())
    return None
