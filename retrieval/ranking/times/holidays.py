"""Named days of the year a question about what is due may time itself by ("before Christmas",
"anything for Halloween?", "by Thanksgiving"): the words (`HOLIDAY`, a pattern with the group
`holiday`) and the day each names in a given year. Days fixed by the calendar, Easter by the
Gregorian computus, and the few set by a weekday of a month (Thanksgiving, Memorial Day, Labor Day:
the United States' days). Pure: a name and a year in, a span out.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from .calendar_spans import Span, date_span

# The words, each a key of `_DAYS` or `_BY_WEEKDAY` once lowered and its spaces and apostrophes dropped.
HOLIDAY = (
    r"(?P<holiday>christmas\s+eve|christmas(?:\s+day)?|xmas(?:\s+day)?|boxing\s+day"
    r"|new\s+year['’]?s?\s+(?:eve|day)|new\s+year['’]s|nye|hogmanay|easter\s+monday|easter(?:\s+sunday)?|good\s+friday"
    r"|hall?owe['’]?en|valentine['’]?s?(?:\s+day)?|bonfire\s+night|guy\s+fawkes(?:\s+night)?"
    r"|st\.?\s+patrick['’]?s(?:\s+day)?|independence\s+day|(?:the\s+)?fourth\s+of\s+july|july\s+4th"
    r"|thanksgiving|memorial\s+day|labou?r\s+day)\b"
)
_DAYS = {
    "christmaseve": (12, 24), "christmas": (12, 25), "christmasday": (12, 25), "xmas": (12, 25),
    "xmasday": (12, 25), "boxingday": (12, 26), "newyearseve": (12, 31), "newyeareve": (12, 31),
    "nye": (12, 31), "hogmanay": (12, 31), "newyearsday": (1, 1), "newyearday": (1, 1), "newyears": (1, 1),
    "halloween": (10, 31), "haloween": (10, 31), "valentine": (2, 14), "valentines": (2, 14),
    "valentineday": (2, 14), "valentinesday": (2, 14), "bonfirenight": (11, 5), "guyfawkes": (11, 5),
    "guyfawkesnight": (11, 5), "stpatricks": (3, 17), "stpatricksday": (3, 17),
    "independenceday": (7, 4), "thefourthofjuly": (7, 4), "fourthofjuly": (7, 4), "july4th": (7, 4),
}  # fmt: skip
# (month, weekday with Monday 0, nth; -1 the last)
_BY_WEEKDAY = {
    "thanksgiving": (11, 3, 4),
    "memorialday": (5, 0, -1),
    "labourday": (9, 0, 1),
    "laborday": (9, 0, 1),
}
_EASTER = {"easter": 0, "eastersunday": 0, "goodfriday": -2, "eastermonday": 1}


def _key(name: str) -> str:
    return re.sub(r"[\s'’.]+", "", name.lower())


def easter_sunday(year: int) -> datetime:
    """Easter Sunday of the Gregorian calendar (the anonymous computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month, day_of_month = divmod(h + m - 7 * n + 114, 31)
    return datetime(year, month, day_of_month + 1, tzinfo=UTC)


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> datetime:
    if nth < 0:
        last = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC) - timedelta(days=1)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = datetime(year, month, 1, tzinfo=UTC)
    return first + timedelta(days=(weekday - first.weekday()) % 7, weeks=nth - 1)


def holiday_span(name: str, year: int) -> Span | None:
    """The day `name` (as `HOLIDAY` matched it) names in `year`; None for a name it does not know."""
    key = _key(name)
    if key in _DAYS:
        return date_span(year, *_DAYS[key])
    if key in _EASTER:
        start = easter_sunday(year) + timedelta(days=_EASTER[key])
    elif key in _BY_WEEKDAY:
        start = _nth_weekday(year, *_BY_WEEKDAY[key])
    else:
        return None
    return start, start + timedelta(days=1)


def next_holiday(name: str, now: datetime) -> Span | None:
    """The next such day: this year's unless it has ended."""
    this_year = holiday_span(name, now.year)
    if this_year is not None and this_year[1] > now:
        return this_year
    return holiday_span(name, now.year + 1)
