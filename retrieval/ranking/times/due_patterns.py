"""The times a question about things to do can name ("next week", "on Thursday 3 December", "the
week of 1/25", "between Christmas and New Year's", "feb or march"), each a pattern beside the span it
resolves to against the asker's clock, the most specific first: the table due_windows.py reads a
question's due window from. The spans of weekends, dates in figures, parts and runs of periods are
computed in due_spans.py; the named days and months here. Pure: a match and a clock in.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import datetime, timedelta

from .askers_clock import AskersClock
from .calendar_spans import Span, date_span, month_part, month_span, month_start, week_of_month
from .due_spans import (
    day_after_tomorrow,
    day_word,
    figures_date,
    iso_week,
    named_period,
    next_weekday,
    part_of_period,
    quarter,
    rest_of,
    the_last,
    the_next,
    this_or_next,
    until_end_of,
    until_month_end,
    until_quarter_end,
    weekend,
)
from .holidays import HOLIDAY, next_holiday
from .temporal import MONTHS, NUMBERS, VAGUE

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?(?!\w)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?(?!\d)"
# A day and month either way round ("3 December", "December 3rd"), or an ISO date ("2027-03-15");
# group names carry the order.
_DATE = (
    rf"(?:(?:{_DAY.replace('<day>', '<day_dm>')}\s+(?:of\s+)?{_MONTH.replace('<month>', '<month_dm>')}"
    rf"|{_MONTH.replace('<month>', '<month_md>')}\s+(?:the\s+)?{_DAY.replace('<day>', '<day_md>')})"
    r"(?:,?\s+(?P<year>20\d\d))?"
    r"|(?P<iso_year>20\d\d)-(?P<iso_month>[01]?\d)-(?P<iso_day>[0-3]?\d)(?![\d-]))"
)
_COUNTS = sorted([*NUMBERS, *VAGUE, "couple of", "couple"], key=len, reverse=True)
_COUNT = r"(?P<count>\d+|" + "|".join(_COUNTS).replace(" ", r"\s+") + r")"
_UNIT = r"(?P<unit>day|week|fortnight|month)s?"

# Words after which "May" is the month.
_BEFORE_MAY = re.compile(r"\b(?:in|of|by|before|after|during|until|till|for|from)\s+$", re.I)


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


def _next_date(month: int, day_of_month: int, year: str | None, now: datetime) -> Span | None:
    """The day named; without a year, the next one from today on."""
    if year:
        return date_span(int(year), month, day_of_month)
    this_year = date_span(now.year, month, day_of_month)
    if this_year is not None and this_year[1] > now:
        return this_year
    return date_span(now.year + 1, month, day_of_month)


def _next_month(month: int, now: datetime) -> tuple[int, int]:
    """(year, month) of the next such month, this month included."""
    return (now.year if month >= now.month else now.year + 1), month


def _month_of(m: re.Match[str]) -> int:
    if m.groupdict().get("iso_month"):
        return int(m["iso_month"])
    month = m.groupdict().get("month") or m["month_dm"] or m["month_md"]
    return MONTHS[month.lower()]


def _day_of(m: re.Match[str]) -> int:
    return int(m["day_dm"] or m["day_md"] or m["iso_day"])


def _year_of(m: re.Match[str]) -> str | None:
    return m["year"] or m.groupdict().get("iso_year")


def _between(m: re.Match[str], clock: AskersClock) -> Span | None:
    month = _month_of(m)
    first = _next_date(month, int(m["from"]), _year_of(m), clock.now)
    last = _next_date(month, _day_of(m), _year_of(m), clock.now)
    return (first[0], last[1]) if first and last and first[0] < last[1] else None


# The joining word and an article of the second time, but not the article of a part of a month
# ("between 15/3 and the end of March": "the end of" is read with its month).
_AND = re.compile(
    r"\s*(?:and|&|to|through|until|till|-|–)\s+(?:the\s+(?!(?:end|start|beginning|middle)\s+of\b))?", re.I
)


def _span_at(text: str, clock: AskersClock) -> tuple[Span, int] | None:
    """The span of the time `text` opens with ("Christmas and New Year's", "20 Dec to 3 Jan"), and
    where its words end."""
    for pattern, resolve in TIME_PATTERNS:
        found = pattern.match(text)
        if found is not None and (span := resolve(found, clock)) is not None:
            return span, found.end()
    return None


def _between_times(m: re.Match[str], clock: AskersClock) -> Span | None:
    # "between Christmas and New Year's", "between 20 Dec and 3 Jan": from the first's start to the
    # second's end, each read as it would be alone.
    first = _span_at(m["sides"], clock)
    if first is None:
        return None
    rest = m["sides"][first[1] :]
    joined = _AND.match(rest)
    second = _span_at(rest[joined.end() :], clock) if joined is not None else None
    if second is None or second[0][1] <= first[0][0]:
        return None
    return first[0][0], second[0][1]


def _week_from(m: re.Match[str], clock: AskersClock) -> Span | None:
    # "the week of 3 May", "the week of 1/25", "the week of the 23rd": seven days from the date.
    if m.groupdict().get("first") is not None:
        start = figures_date(m, clock)
    elif m.groupdict().get("day") is not None:
        start = _day_of_month(m, clock)
    else:
        start = _next_date(_month_of(m), _day_of(m), _year_of(m), clock.now)
    return None if start is None else (start[0], start[0] + timedelta(days=7))


def _nth_week(m: re.Match[str], clock: AskersClock) -> Span:
    return week_of_month(*_next_month(_month_of(m), clock.now), m["nth"].lower())


def _date(m: re.Match[str], clock: AskersClock) -> Span | None:
    return _next_date(_month_of(m), _day_of(m), _year_of(m), clock.now)


def _month(m: re.Match[str], clock: AskersClock) -> Span | None:
    if m["month"].lower() == "may" and not (
        m["year"] or m["part"] or _BEFORE_MAY.search(m.string[: m.start()])
    ):
        return None  # "anything I may need?": the verb
    year, month = (int(m["year"]), _month_of(m)) if m["year"] else _next_month(_month_of(m), clock.now)
    return month_part(year, month, m["part"]) if m["part"] else month_span(year, month)


def _months(m: re.Match[str], clock: AskersClock) -> Span | None:
    # "Jul-Sep", "from March to May": the next first month to the end of the last that follows it.
    first, last = MONTHS[m["first"].lower()], MONTHS[m["last"].lower()]
    year, _ = _next_month(first, clock.now)
    end_year = year if last >= first else year + 1
    return month_start(year, first), month_start(end_year, last + 1)


def _day_of_month(m: re.Match[str], clock: AskersClock) -> Span | None:
    # "Thursday the 17th": the next 17th, this month's unless it has passed.
    now = clock.now
    start = month_start(now.year, now.month)
    found = _next_date(start.month, int(m["day"]), None, now) if int(m["day"]) >= now.day else None
    later = month_start(now.year, now.month + 1)
    return found or date_span(later.year, later.month, int(m["day"]))


def _holiday(m: re.Match[str], clock: AskersClock) -> Span | None:
    return next_holiday(m["holiday"], clock.now)


# A date in figures ("1/25", "27/3/2027"), read by due_spans.figures_date.
_FIGURES = r"(?<![\d/.,])\b(?P<first>[0-3]?\d)/(?P<second>[0-3]?\d)(?:/(?P<year>(?:20)?\d\d))?\b(?![/.,]?\d)"
_WEEK_FROM = r"\bweek\s+(?:starting|beginning|from|of)\s+(?:on\s+)?(?:\w+day\s+)?(?:the\s+)?"
# (pattern, resolver), the most specific first.
TIME_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str], AskersClock], Span | None]]] = [
    (_p(r"\b(?:the\s+)?day\s+after\s+tomorrow\b"), day_after_tomorrow),
    # "weekend" opening a terse question ("weekend?", "weekend plans") is the coming one, as "the weekend".
    (_p(r"(?:\b(?P<which>this|next|coming|the)\s+|^\W*)weekend(?P<after_next>\s+after\s+next)?\b"), weekend),
    (_p(rf"\bbetween\s+(?:the\s+)?(?P<from>[0-3]?\d)(?:st|nd|rd|th)?\s+and\s+(?:the\s+)?{_DATE}"), _between),
    (_p(r"\bbetween\s+(?!now\b|today\b)(?:the\s+)?(?P<sides>[^,;:?!()]+)"), _between_times),
    (_p(_WEEK_FROM + _DATE), _week_from),
    (_p(_WEEK_FROM + rf"(?:{_FIGURES}|(?P<day>[0-3]?\d)(?:st|nd|rd|th)\b)"), _week_from),
    (_p(rf"\b(?:the\s+)?(?P<nth>first|second|third|fourth|last)\s+week\s+of\s+{_MONTH}"), _nth_week),
    (_p(rf"\b(?:last|past)\s+(?:{_COUNT}\s+)?{_UNIT}"), the_last),
    # "the next week" is the seven days ahead; "next week", the calendar week after this one.
    (_p(rf"\b(?:the|in|over|within)\s+(?:next|coming|following)\s+(?:{_COUNT}\s+)?{_UNIT}"), the_next),
    (_p(rf"\b(?:next|coming)\s+{_COUNT}\s+{_UNIT}"), the_next),
    (_p(rf"\b(?:the\s+)?(?:{_COUNT}\s+)?{_UNIT}\s+ahead\b"), the_next),
    (_p(r"\b(?:before|by|between\s+now\s+and)\s+(?:the\s+)?end\s+of\s+(?:th(?:e|is)\s+)?"
        r"(?P<unit>week|month|year)\b"), until_end_of),
    (_p(r"\bthis\s+(?P<unit>fortnight)\b"), the_next),
    # What is left of a time: "the rest of the week", "rest of today", "the remainder of March".
    (_p(rf"\b(?:the\s+)?(?:rest|remainder)\s+of\s+(?:(?:the|this)\s+)?(?:(?P<unit>day|week|month|year)\b"
        rf"|today\b|{_MONTH})"), rest_of),
    # A deadline's shorthand: "by EOW", "EOM", "end of day", "COB": from today to that end.
    (_p(r"\b(?:eo(?P<abbr>[dwmy])|cob|close\s+of\s+(?:play|business)|end\s+of\s+(?:the\s+)?(?P<unit>day))\b"),
     until_end_of),
    (_p(r"\b(?:before|by)\s+(?:the\s+)?(?P<unit>week|month|year)[\s-]?end\b"), until_end_of),
    (_p(rf"\b(?:before|by|until|till|between\s+now\s+and)\s+(?:the\s+)?end\s+of\s+{_MONTH}"
        r"(?:,?\s+(?P<year>20\d\d))?"), until_month_end),
    (_p(r"\b(?:before|by)\s+(?:the\s+)?end\s+of\s+q(?P<quarter>[1-4])\b"), until_quarter_end),
    (_p(r"\bthis\s+(?P<unit>week|month)\s+or\s+(?:the\s+)?next\b"), this_or_next),
    (_p(r"\b(?P<part>early|mid|late|later|(?:the\s+)?(?:beginning|start|middle|end)\s+of)[\s-]+"
        r"(?P<which>this|next)\s+(?P<unit>week|month|year)\b"), part_of_period),
    # "Jul-Sep", "from March to May", and months either of which will do ("feb or march"): the span
    # of both, and of any month between them.
    (_p(rf"\b{_MONTH.replace('<month>', '<first>')}\s*(?:-|–|/|&|\+|to|through|until|or|and)\s*(?:in\s+)?"
        rf"{_MONTH.replace('<month>', '<last>')}"), _months),
    (_p(r"\bq(?P<quarter>[1-4])\b"), quarter),
    (_p(r"\b(?:(?:iso\s+)?week\s*|wk\s*|w(?=\d\d))(?P<week>[0-5]?\d)\b(?![.:,]?\d)"), iso_week),
    (_p(r"\b(?P<which>this|next|coming)\s+(?P<unit>week|month|year)\b"), named_period),
    (_p(rf"\b{HOLIDAY}"), _holiday),
    (_p(rf"\b{_DATE}"), _date),
    (_p(_FIGURES), figures_date),
    (_p(rf"\b(?:(?P<part>early|mid|late|the\s+(?:beginning|start|middle|end)\s+of)[\s-]*)?{_MONTH}"
        r"(?:,?\s+(?P<year>20\d\d))?"), _month),
    (_p(r"\b(?P<word>today|tonight|tomorrow|this\s+(?:morning|afternoon|evening))\b"), day_word),
    (_p(r"\b(?:on\s+)?(?:(?:\w+day|mon|tue|wed|thu|fri|sat|sun)\s+)?the\s+(?P<day>[0-3]?\d)(?:st|nd|rd|th)\b"),
     _day_of_month),
    (_p(rf"\b(?:on\s+|this\s+)?(?P<weekday>{'|'.join(calendar.day_name)})\b"), next_weekday),
]  # fmt: skip
