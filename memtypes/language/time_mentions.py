"""Whether a text states when something happened, since when a statement holds, and whether a
query asks when.

A question that asks *when* ("When did Mel run the charity race?", "How many days ago did I …")
is answered by a memory that states a time ("I ran a charity race last Saturday"), not by one that
only mentions the same event: on the dev sets most turns that answer when-questions state a time,
against few of all turns. The write path stores the
flag (`tells_time` in the payload) and the ranking formula lifts flagged memories for such
queries only (mnemo.retrieval.ranking.terms, `RetrievalConfig.tells_time_weight`).

English usage only, lexical and cheap (one regular expression per memory at write time): not any
dataset's phrasings. `tests/unit/test_time_mentions.py` pins each form.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime

_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?"
_MONTH_NAME = r"(?:january|february|march|april|june|july|august|september|october|november|december)"
_UNIT = r"(?:days?|weeks?|weekends?|months?|years?|nights?|hours?|mornings?|evenings?)"
_COUNT = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|a\s+few|a\s+couple\s+of|several)"
_SEASON = r"(?:spring|summer|fall|autumn|winter)"
# A month as notes shorten it, read only beside a day's number ("30 Mar", "Sept 20th", "3 Jan."):
# alone, "mar", "jan" and "dec" are words or names.
_MONTH_SHORT = r"(?:jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\.?"
_DAY_OF_MONTH = r"[0-3]?\d(?:st|nd|rd|th)?"
_SHORT_DATE = rf"{_DAY_OF_MONTH}\s+{_MONTH_SHORT}(?!\w)|{_MONTH_SHORT}\s+{_DAY_OF_MONTH}"

# Each alternative is a stated time, not a topic: "a week" alone is a duration, "a week ago" a time.
_STATED_TIME = re.compile(
    r"\b(?:"
    r"yesterday|today|tonight|tomorrow|the\s+other\s+day"
    r"|(?:last|this|next|past|previous|coming)\s+(?:" + _UNIT + "|" + _WEEKDAY + "|" + _SEASON + r")"
    r"|" + _COUNT + r"\s+" + _UNIT + r"\s+(?:ago|earlier|later|back|before|after|from\s+now)"
    r"|(?:on|this|last|next|every)\s+"
    + _WEEKDAY
    + r"|"
    + _WEEKDAY
    + r"\s+(?:morning|afternoon|evening|night)"
    r"|(?:this|last|next)\s+(?:morning|afternoon|evening)"
    r"|(?:over|on|at)\s+the\s+weekend"
    r"|" + _MONTH_NAME + r"|(?:in|since|last|this|next|early|late|mid-?|of)\s+may\b|may\s+\d"
    r"|(?:19|20)\d\d"
    r"|\d{1,2}/\d{1,2}(?:/\d{2,4})?"
    r"|" + _SHORT_DATE + r")\b",
    re.I,
)

# A question about a time: when it happened, what date, how long ago, how many days between.
_ASKS_WHEN = re.compile(
    r"(?:^|[.?!]\s+|,\s*)when\b"
    # A note's terse question ends with it: "dentist when?", "sprint planning when".
    r"|(?<=\w)\s+when\s*\??\s*$"
    r"|\bwhen\s+(?:did|was|were|is|are|does|do|will|has|had|have)\b"
    r"|\b(?:what|which)\s+(?:date|day|year|month|week|weekend|season|time\s+of\s+(?:year|day))\b"
    r"|\bin\s+what\s+(?:year|month|season)\b"
    r"|\bhow\s+long\s+ago\b"
    r"|\bhow\s+(?:many|much)\s+(?:days|weeks|months|years|time)\s+"
    r"(?:ago|since|before|after|between|passed|had\s+passed|elapsed|have\s+passed)\b",
    re.I,
)


# The time a habit or a schedule keeps: a day of every week ("calls with my parents: Sundays at 17:00",
# "training Tuesdays and Thursdays"), or a day and a time of day as a note shortens them ("sup mtgs are
# thurs 11am", "1:1 w/ Kwame: weekly, Tue 15:00").
_DAY_SHORT = r"(?:mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\.?"
_SCHEDULE = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s\b"
    r"|\b" + _DAY_SHORT + r"\s+(?:at\s+)?(?:[01]?\d|2[0-3])(?:(?:[:.][0-5]\d)?\s*(?:am|pm)\b|[:.][0-5]\d\b)",
    re.I,
)


def mentions_time(text: str) -> bool:
    """True when the text states a time (a day, a date, a relative time such as "last week")."""
    return _STATED_TIME.search(text) is not None


def keeps_schedule(text: str) -> bool:
    """True when the text states the time a habit or a schedule keeps ("Sundays at 17:00", "thurs
    11am"): it tells when something is done, not when something happened."""
    return _SCHEDULE.search(text) is not None


def asks_when(query: str) -> bool:
    """True when the query asks for a time: "When did …", "what year …", "how many days ago …"."""
    return _ASKS_WHEN.search(query) is not None


# Of those, a question about when something happened, in the past tense: "when did …", "when was
# she born?", "how long ago …", or since when a state holds (when it began); not "when's the call?"
# or "when does the card run out?", which a due date or a stated date answers rather than an event.
_ASKS_WHEN_HAPPENED = re.compile(
    r"\bwhen\s+(?:\w+\s+)?(?:did|was|were|had)\b"
    r"|\bsince\s+when\b"
    r"|\bhow\s+long\s+ago\b"
    r"|\b(?:what|which)\s+(?:date|day|year|month|week)\s+(?:did|was|were)\b"
    r"|\bin\s+what\s+(?:year|month|season)\s+(?:did|was|were)\b"
    r"|\bhow\s+(?:many|much)\s+(?:days|weeks|months|years|time)\s+ago\b",
    re.I,
)


def asks_when_happened(query: str) -> bool:
    """True when the query asks when something happened, in the past tense: "When did …", "when
    exactly was …", "how long ago …" (not "what did he find when he did the boiler?", whose "when"
    opens a clause: the query must ask when first)."""
    return asks_when(query) and _ASKS_WHEN_HAPPENED.search(query) is not None


# A question of what is to come: "will", "shall", "is she going to …", "are we planning to …". A
# month it names without a year is then the next one ("which school is she going to in September?"
# in June), not the latest: ranking/times/temporal.py.
_SPEAKS_AHEAD = re.compile(
    r"\b(?:will|shall|gonna)\b|\w'll\b"
    r"|(?:\b(?:am|is|are)|'[msr]e?)\s+(?:\w+\s+){0,3}?(?:going|planning|due|about)\s+to\b",
    re.I,
)


def speaks_ahead(query: str) -> bool:
    """True when the query asks about what is to come ("will", "is … going to")."""
    return _SPEAKS_AHEAD.search(query) is not None


_MONTH_NUMBERS = {name.lower()[:3]: i for i, name in enumerate(calendar.month_name) if name}
_MONTH_OF = r"(?:" + "|".join(_MONTH_NUMBERS) + r")[a-z]*\.?"
# Since when a statement holds, as it says it with a year: "since 1 Feb 2026", "from July 2026",
# "as of Q1 2027", "effective 2026-09-01", "since 2009"; or a span whose end gives the year: "from
# January to March 2026", "from 12 Jan until 3 Mar 2026" (the start's year, the end's or the one
# before where the start's month follows the end's: "from November to February 2027").
_HOLDS_FROM = re.compile(
    r"\b(?:since|from|as\s+of|effective)\s+(?:"
    r"(?:(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\s+)?(?:(?P<month>"
    + _MONTH_OF
    + r"),?\s+)?(?:q(?P<quarter>[1-4])\s+)?(?P<year>(?:19|20)\d\d)(?![\d-])"
    r"|(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d)"
    r"|(?:(?P<span_day>[0-3]?\d)(?:st|nd|rd|th)?\s+)?(?P<span_month>"
    + _MONTH_OF
    + r")\s+(?:to|until|till|through|-|–)\s+(?:[0-3]?\d(?:st|nd|rd|th)?\s+)?(?P<end_month>"
    + _MONTH_OF
    + r"),?\s+(?P<end_year>(?:19|20)\d\d)(?![\d-])"
    r")",
    re.I,
)


def holds_from(text: str) -> tuple[float, float] | None:
    """The period (UTC seconds, start and end) a statement says it holds from, where it names one with
    its year: "since 1 February 2026" (that day), "from July 2026" (that month), "as of Q1 2027" (that
    quarter), "since 2009" (that year); of several, the latest. None for a "since" without a year
    ("since the Bluebelles came"): it says the value changed, not when."""
    periods = [period for m in _HOLDS_FROM.finditer(text) if (period := _period(m)) is not None]
    return max(periods) if periods else None


def _period(m: re.Match[str]) -> tuple[float, float] | None:
    try:
        if m["iso"]:
            start = datetime.fromisoformat(m["iso"]).replace(tzinfo=UTC)
            return start.timestamp(), start.timestamp() + 86_400.0
        if m["span_month"]:
            return _span_start(m)
        year = int(m["year"])
        if m["month"]:
            month = _MONTH_NUMBERS[m["month"].lower()[:3]]
            if m["day"]:
                start = datetime(year, month, int(m["day"]), tzinfo=UTC)
                return start.timestamp(), start.timestamp() + 86_400.0
            return _months(year, month, 1)
        if m["quarter"]:
            return _months(year, 3 * int(m["quarter"]) - 2, 3)
        return _months(year, 1, 12)  # "from 12 2026" names no month: the year
    except ValueError:  # "since 31 February 2026": no such day
        return None


def _span_start(m: re.Match[str]) -> tuple[float, float]:
    """The start of a span whose end names the year ("from January to March 2026"): that day, else
    that month, in the end's year or the one before it where the span crosses a new year."""
    month = _MONTH_NUMBERS[m["span_month"].lower()[:3]]
    end_year = int(m["end_year"])
    year = end_year - 1 if month > _MONTH_NUMBERS[m["end_month"].lower()[:3]] else end_year
    if m["span_day"]:
        start = datetime(year, month, int(m["span_day"]), tzinfo=UTC)
        return start.timestamp(), start.timestamp() + 86_400.0
    return _months(year, month, 1)


def _months(year: int, month: int, count: int) -> tuple[float, float]:
    """From the first of `month` for `count` months."""
    end_year, end_month = divmod(month - 1 + count, 12)
    start = datetime(year, month, 1, tzinfo=UTC)
    return start.timestamp(), datetime(year + end_year, end_month + 1, 1, tzinfo=UTC).timestamp()
