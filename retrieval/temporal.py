"""Times named in a query ("yesterday", "last May", "in 2022", "two weeks ago", "on 7 July, 2023"),
resolved against the request's `now` into a window of `occurred_at`.

Pure: text and a clock in, a window out (or None). The ranking policy turns the window into a
formula term, so Qdrant boosts memories from that time and `explain` shows it. Dates are UTC
calendar days; a named period covers all of it (`in May 2023` is May 1 to June 1, `two months
ago` the whole calendar month), and `since May` runs from May 1 until now.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple of": 2, "a few": 3,
    "several": 3,
}  # fmt: skip
_UNIT_DAYS = {"day": 1, "week": 7, "weekend": 7, "month": 30, "year": 365}
_SEASONS = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}  # first month (north)

_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_COUNT = r"(?P<count>\d+|" + "|".join(sorted(_NUMBERS, key=len, reverse=True)) + r")"
_UNIT = r"(?P<unit>day|week|month|year)s?"
_SPAN = r"(?:the\s+|last\s+)?(?P<unit>weekend|day|week|month|year)s?"


@dataclass(frozen=True)
class TimeWindow:
    """`start <= occurred_at < end`, and the words of the query it was read from."""

    start: datetime
    end: datetime
    phrase: str


def _day(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _month_start(year: int, month: int) -> datetime:
    """The first day of `month` (1-based; months past 12 roll into the next years)."""
    years, index = divmod(month - 1, 12)
    return datetime(year + years, index + 1, 1, tzinfo=UTC)


def _month(year: int, month: int, months: int = 1) -> tuple[datetime, datetime]:
    return _month_start(year, month), _month_start(year, month + months)


def _date(year: int, month: int, day: int) -> tuple[datetime, datetime] | None:
    try:
        start = datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        return None
    return start, start + timedelta(days=1)


def _latest_month(month: int, now: datetime, strictly_before: bool) -> tuple[datetime, datetime]:
    """The most recent `month` at or before now's month (strictly before, for "last May")."""
    year = now.year if (month < now.month or (month == now.month and not strictly_before)) else now.year - 1
    return _month(year, month)


def _count(text: str) -> int:
    return int(text) if text.isdigit() else _NUMBERS[text]


def _relative_period(which: str, unit: str, now: datetime) -> tuple[datetime, datetime]:
    today = _day(now)
    shift = -1 if which == "last" else 0
    if unit == "week":
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=shift)
        return monday, monday + timedelta(weeks=1)
    if unit == "weekend":
        saturday = today - timedelta(days=(today.weekday() - 5) % 7)
        if which == "last" and saturday + timedelta(days=2) > today:
            saturday -= timedelta(weeks=1)
        return saturday, saturday + timedelta(days=2)
    if unit == "month":
        start = _month_start(now.year, now.month + shift)
        return _month(start.year, start.month)
    year = now.year + shift
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


def _season(name: str, which: str, now: datetime) -> tuple[datetime, datetime]:
    """The latest such season that has begun; for "last", the latest one that has ended."""
    first = _SEASONS[name]
    year = now.year if first <= now.month else now.year - 1
    start, end = _month(year, first, months=3)
    if which == "last" and end > now:
        start, end = _month(year - 1, first, months=3)
    return start, end


def _explicit_date(match: re.Match[str]) -> tuple[datetime, datetime] | None:
    return _date(int(match["year"]), _MONTHS[match["month"].lower()], int(match["day"]))


# (pattern, resolver): tried in order; the most specific come first.
_Resolver = tuple[re.Pattern[str], str]
_PATTERNS: list[_Resolver] = [
    (re.compile(rf"\b{_COUNT}\s+{_UNIT}\s+before\s+{_DAY}\s+{_MONTH},?\s+{_YEAR}\b", re.I), "before_dm"),
    (re.compile(rf"\b{_COUNT}\s+{_UNIT}\s+before\s+{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.I), "before_md"),
    (
        re.compile(rf"\b(?:the\s+|last\s+)?{_SPAN}\s+before\s+{_DAY}\s+{_MONTH},?\s+{_YEAR}\b", re.I),
        "before_dm",
    ),
    (
        re.compile(rf"\b(?:the\s+|last\s+)?{_SPAN}\s+before\s+{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.I),
        "before_md",
    ),
    (re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b"), "iso"),
    (re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.I), "date"),
    (re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.I), "date"),
    (re.compile(rf"\b{_MONTH},?\s+(?:of\s+)?{_YEAR}\b", re.I), "month_year"),
    (re.compile(rf"\b{_COUNT}\s+{_UNIT}\s+ago\b", re.I), "ago"),
    (re.compile(r"\b(?P<which>last|this)\s+(?P<unit>weekend|week|month|year)\b", re.I), "period"),
    (re.compile(r"\b(?P<which>last|this)\s+(?P<season>spring|summer|fall|autumn|winter)\b", re.I), "season"),
    (re.compile(rf"\blast\s+{_MONTH}\b", re.I), "last_month_name"),
    (re.compile(r"\blast\s+(?P<weekday>" + "|".join(_WEEKDAYS) + r")\b", re.I), "last_weekday"),
    (re.compile(r"\b(?P<word>yesterday|last night|today|tonight|this morning)\b", re.I), "day_word"),
    (re.compile(rf"\bsince\s+{_MONTH}(?!\s*\d)\b", re.I), "since_month"),
    (re.compile(rf"\b(?:in|during)\s+{_MONTH}(?!\s*\d)\b", re.I), "in_month"),
    (re.compile(rf"\b(?:in|during|of)\s+{_YEAR}\b", re.I), "year"),
]


def _resolve(kind: str, m: re.Match[str], now: datetime) -> tuple[datetime, datetime] | None:
    groups = m.groupdict()
    if kind in ("before_dm", "before_md"):
        anchor = _explicit_date(m)
        if anchor is None:
            return None
        # "two weeks before May 9": up to three weeks back, and May 9 itself (when it was told).
        unit = _UNIT_DAYS[groups["unit"].lower()]
        count = _count(groups["count"].lower()) if groups.get("count") else 1
        return anchor[0] - timedelta(days=(count + 1) * unit), anchor[1]
    if kind == "iso":
        return _date(int(m["year"]), int(m["m"]), int(m["d"]))
    if kind == "date":
        return _explicit_date(m)
    if kind == "month_year":
        return _month(int(m["year"]), _MONTHS[m["month"].lower()])
    if kind == "ago" and m["unit"].lower() == "month":
        # Calendar months: "two months ago" in October is August, all of it.
        start = _month_start(now.year, now.month - _count(m["count"].lower()))
        return _month(start.year, start.month)
    if kind == "ago":
        unit = _UNIT_DAYS[m["unit"].lower()]
        center = _day(now) - timedelta(days=_count(m["count"].lower()) * unit)
        if unit == 1:
            return center, center + timedelta(days=1)
        half = timedelta(days=unit / 2)
        return center - half, center + half
    if kind == "period":
        return _relative_period(m["which"].lower(), m["unit"].lower(), now)
    if kind == "season":
        return _season(m["season"].lower(), m["which"].lower(), now)
    if kind == "last_month_name":
        return _latest_month(_MONTHS[m["month"].lower()], now, strictly_before=True)
    if kind == "last_weekday":
        today = _day(now)
        back = (today.weekday() - _WEEKDAYS[m["weekday"].lower()]) % 7 or 7
        return today - timedelta(days=back), today - timedelta(days=back - 1)
    if kind == "day_word":
        today = _day(now)
        if m["word"].lower() in ("yesterday", "last night"):
            return today - timedelta(days=1), today
        return today, today + timedelta(days=1)
    if kind == "in_month":
        return _latest_month(_MONTHS[m["month"].lower()], now, strictly_before=False)
    if kind == "since_month":  # from the first of the latest such month until now
        return _latest_month(_MONTHS[m["month"].lower()], now, strictly_before=False)[0], now
    year = int(m["year"])
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


def parse_time_window(query: str, now: datetime) -> TimeWindow | None:
    """The time the query names, as a window of occurred_at; None when it names none.

    When several patterns match, the most specific wins (an explicit date over a month over a year).
    """
    for pattern, kind in _PATTERNS:
        match = pattern.search(query)
        if match is None:
            continue
        window = _resolve(kind, match, now)
        if window is not None:
            return TimeWindow(window[0], window[1], match.group(0))
    return None
