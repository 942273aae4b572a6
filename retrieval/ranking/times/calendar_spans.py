"""Calendar spans for the time parser (temporal.py): days, weeks, weekends, months, parts of
months and years, seasons, each as `(start, end)` in UTC with `start <= t < end`.

Past-leaning by design: a query asks a memory service what happened, so "in May" or "this
weekend" is the latest one that has begun, not the next one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

Span = tuple[datetime, datetime]

UNIT_DAYS = {"day": 1, "week": 7, "weekend": 7, "month": 30, "year": 365}
_SEASON_START = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}  # first month (north)
# Parts of a month (days) and of a year (months), as (first, one past the last); they overlap a
# little because "mid May" and "late May" share their edges in usage.
_MONTH_PARTS = {"early": (1, 11), "mid": (10, 21), "late": (20, 32)}
_YEAR_PARTS = {"early": (1, 5), "mid": (4, 10), "late": (9, 13)}
_NTH_WEEK = {"first": 0, "second": 1, "third": 2, "fourth": 3}


def day(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def month_start(year: int, month: int) -> datetime:
    """The first day of `month` (1-based; months past 12 or below 1 roll into other years)."""
    years, index = divmod(month - 1, 12)
    return datetime(year + years, index + 1, 1, tzinfo=UTC)


def month_span(year: int, month: int, months: int = 1) -> Span:
    return month_start(year, month), month_start(year, month + months)


def year_span(year: int) -> Span:
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


def date_span(year: int, month: int, day_of_month: int) -> Span | None:
    """One calendar day; None for a day the month does not have."""
    try:
        start = datetime(year, month, day_of_month, tzinfo=UTC)
    except ValueError:
        return None
    return start, start + timedelta(days=1)


def _part(text: str) -> str:
    """The part ("early", "mid" or "late") that words such as "the end of" name."""
    text = text.lower()
    if "beginning" in text or "start" in text or text.startswith("early"):
        return "early"
    if "middle" in text or text.startswith("mid"):
        return "mid"
    return "late"


def month_part(year: int, month: int, part: str) -> Span:
    first, last = _MONTH_PARTS[_part(part)]
    start, end = month_span(year, month)
    return start + timedelta(days=first - 1), min(end, start + timedelta(days=last - 1))


def year_part(year: int, part: str) -> Span:
    first, last = _YEAR_PARTS[_part(part)]
    return month_start(year, first), month_start(year, last)


def week_of_month(year: int, month: int, nth: str) -> Span:
    start, end = month_span(year, month)
    if nth == "last":
        return end - timedelta(days=7), end
    first = start + timedelta(weeks=_NTH_WEEK[nth])
    return first, first + timedelta(weeks=1)


def latest_month(month: int, now: datetime, strictly_before: bool) -> Span:
    """The most recent `month` at or before now's month (strictly before, for "last May")."""
    year = now.year if (month < now.month or (month == now.month and not strictly_before)) else now.year - 1
    return month_span(year, month)


def latest_weekday(weekday: int, now: datetime, strictly_before: bool) -> Span:
    """The most recent such weekday (Monday 0), today included unless `strictly_before`."""
    today = day(now)
    back = (today.weekday() - weekday) % 7
    if back == 0 and strictly_before:
        back = 7
    return today - timedelta(days=back), today - timedelta(days=back - 1)


def period(which: str, unit: str, now: datetime) -> Span:
    """This or last calendar week (Monday first), weekend, month or year. "this weekend" is the
    latest one that has begun; "last weekend" the latest one that has ended."""
    today = day(now)
    shift = -1 if which == "last" else 0
    if unit == "week":
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=shift)
        return monday, monday + timedelta(weeks=1)
    if unit == "weekend":
        saturday = today - timedelta(days=(today.weekday() - 5) % 7)
        if which == "last" and saturday + timedelta(days=2) > today:
            saturday -= timedelta(weeks=1)
        return saturday, saturday + timedelta(days=2)
    if unit == "day":
        return today + timedelta(days=shift), today + timedelta(days=shift + 1)
    if unit == "month":
        start = month_start(now.year, now.month + shift)
        return month_span(start.year, start.month)
    return year_span(now.year + shift)


def latest_season(name: str, which: str, now: datetime) -> Span:
    """The latest such season that has begun; for "last", the latest one that has ended."""
    first = _SEASON_START[name]
    year = now.year if first <= now.month else now.year - 1
    start, end = month_span(year, first, months=3)
    if which == "last" and end > now:
        start, end = month_span(year - 1, first, months=3)
    return start, end
