"""Whether a text states when something happened, and whether a query asks when.

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

import re

_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?"
_MONTH_NAME = r"(?:january|february|march|april|june|july|august|september|october|november|december)"
_UNIT = r"(?:days?|weeks?|weekends?|months?|years?|nights?|hours?|mornings?|evenings?)"
_COUNT = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|a\s+few|a\s+couple\s+of|several)"
_SEASON = r"(?:spring|summer|fall|autumn|winter)"

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
    r")\b",
    re.I,
)

# A question about a time: when it happened, what date, how long ago, how many days between.
_ASKS_WHEN = re.compile(
    r"(?:^|[.?!]\s+|,\s*)when\b"
    r"|\bwhen\s+(?:did|was|were|is|are|does|do|will|has|had|have)\b"
    r"|\b(?:what|which)\s+(?:date|day|year|month|week|weekend|season|time\s+of\s+(?:year|day))\b"
    r"|\bin\s+what\s+(?:year|month|season)\b"
    r"|\bhow\s+long\s+ago\b"
    r"|\bhow\s+(?:many|much)\s+(?:days|weeks|months|years|time)\s+"
    r"(?:ago|since|before|after|between|passed|had\s+passed|elapsed|have\s+passed)\b",
    re.I,
)


def mentions_time(text: str) -> bool:
    """True when the text states a time (a day, a date, a relative time such as "last week")."""
    return _STATED_TIME.search(text) is not None


def asks_when(query: str) -> bool:
    """True when the query asks for a time: "When did …", "what year …", "how many days ago …"."""
    return _ASKS_WHEN.search(query) is not None
