"""What a question about things to do asks, whole: whether it is about tasks and the window of due
dates it names (due_windows.py), read together into a `TaskQuestion` (is it open, does it ask what is
undone, does it name nothing but a time, so that what falls due soonest comes first), timed by an
event ahead where it names none; and the two tests a point is put to, due within the window or still
pending past its due date. Pure: text and a clock in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from functools import lru_cache
from typing import Any

from ....memtypes.language.questions import asking_clauses
from ....memtypes.language.text import spelled_out
from ....memtypes.language.time_mentions import asks_when
from .due_windows import ASKS_UNDONE, asks_about_tasks, due_window
from .event_anchors import AHEAD, PRONOUNS, anchor_clause
from .temporal import TimeWindow

# Words that say nothing of what is asked: a request, a pronoun, a quantifier ("show me everything"),
# a spoken filler ("hey", "um").
_SAYS_NOTHING = frozenset(
    (  # noqa: SIM905 (a word list reads best as words)
        "a all am and any anything are at be before by can could do else everything for from got have i in "
        "is it list me my of on our please remind show so stuff tell the there to until us we what what's "
        "whats with you hey um uh erm ok okay"
    ).split()
)


# Words that ask about things to do and name none ("anything due before the 20th?", "list my open
# tasks for next week").
_NAMES_NO_TASK = _SAYS_NOTHING | frozenset(
    (  # noqa: SIM905 (a word list reads best as words)
        "due deadline deadlines coming up left do doing done need needs tasks todo to-do todos open "
        "outstanding pending happening planned plate else still remains remaining"
    ).split()
)


# Words that say what kind of thing a question about tasks asks for, or how one holds it, not which:
# "dad-related things", "wedding stuff", "what admin do I still have pending?".
SAYS_NO_TOPIC = _NAMES_NO_TASK | frozenset(
    (  # noqa: SIM905 (a word list reads best as words)
        "things thing stuff related bits items item list lists admin jobs job work anything something "
        "has had get got gotta should must need meant want wanted going sort sorted take care deal handle "
        "finish complete ahead around about over up yet ever now soon again maybe also really her him his "
        "she they them their its raise ask tell bring mention discuss talk talking speak speaking see seeing "
        "meet meeting visit visiting next last time times week weeks weekend month months year today tonight "
        "tomorrow morning afternoon evening day days later earlier first one two three four five six seven "
        "eight nine ten twelve couple few incl including plus missed forgot forgotten blew blown off slip "
        "slide let dropped ball this that these those etc when where who whom which why how"
    ).split()
)
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_POSSESSIVE = re.compile(r"['’]s?$")
_ENDING = re.compile(r"(?:ing|ed|es|s)$")
# A consonant doubled before "-ing" or "-ed" ("running", "planned"), not one a word ends in ("calling",
# "added").
_DOUBLED = re.compile(r"([bcghj-km-np-rtv-x])\1(?=(?:ing|ed)$)")


def topic_stems(text: str) -> frozenset[str]:
    """The words of `text` as a topic is matched, in lower case, parts of a hyphened word apart
    ("pre-wedding": pre, wedding), without a possessive or an ending of tense or number ("dad's",
    "weddings": dad, wedd)."""
    words = (_POSSESSIVE.sub("", w) for w in _WORD.findall(text.casefold()))
    return frozenset(_stem(w) for w in words if w)


def _stem(word: str) -> str:
    """A word without an ending of tense or number: "moving", "moves" → mov; "kids" → kid; "running"
    → run."""
    if len(word) > 4:
        word = _ENDING.sub("", _DOUBLED.sub(r"\1", word))
    elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    return word.rstrip("e")


def asked_topics(query: str) -> frozenset[str]:
    """What a question about tasks names as its topic, as `topic_stems`: the words of its asking
    clause that neither ask nor say a kind of thing ("What dad-related things do I still need to
    do?": dad). Whether a word is a topic at all, the reminders tell (stages/named_triggers.py)."""
    asking = spelled_out(asking_clauses(query)).casefold()
    words = [_POSSESSIVE.sub("", w) for w in _WORD.findall(asking)]
    return topic_stems(" ".join(w for w in words if len(w) > 2 and w not in SAYS_NO_TOPIC))


# A time and the word "plans" alone ask what is planned then ("weekend plans", "plans tomorrow?",
# "what's the plan for March?").
_SAYS_PLANS = _SAYS_NOTHING | {"plan", "plans", "planned"}


def _only_a_time(query: str, phrase: str, words: frozenset[str] = _SAYS_NOTHING) -> bool:
    """Whether a query says nothing but a time ahead ("April?", "everything before the year end",
    "and Friday?"), and `words`: it asks what is on then, as "anything in April?" does."""
    rest = query.lower().replace(phrase.lower(), " ")
    return all(word in words for word in re.findall(r"[a-z']+", rest))


def _only_an_occasion(query: str) -> bool:
    """Whether a query says nothing but an event ahead it is before or after ("before the Berlin
    show", "and after the move?"): it asks what is on until or from then, as a time alone does."""
    clause = anchor_clause(query, ahead=True)
    if clause is None or clause.relation == "since" or clause.clause.split()[0].lower() in PRONOUNS:
        return False
    said = set(re.findall(r"[a-z']+", clause.phrase.lower()))
    rest = set(re.findall(r"[a-z']+", query.lower())) - said
    return all(word in _SAYS_NOTHING or word in AHEAD for word in rest)


@dataclass(frozen=True)
class TaskQuestion:
    """What a query asks about things to do: `window`, the due dates it names (None: none); `open`,
    a question about what to do that names no time and does not ask when something is due ("anything
    I need to do?"), the only kind where what is overdue or due soonest comes first; `undone`, it asks
    for what is still not done ("anything overdue?", "what did I let slip?"); `soonest`, it names a
    window and nothing else ("everything before the year end", "anything due next week?"): no words
    rank what is due in it, and what falls due soonest comes first."""

    window: TimeWindow | None
    open: bool
    undone: bool = False
    soonest: bool = False

    @property
    def all_ahead(self) -> bool:
        """Whether the window is all that is ahead ("what's coming up?", "anything upcoming"): from a
        time on, with no end; a reminder that waits for an occasion, not a date, is ahead too."""
        window = self.window
        return window is not None and window.start.replace(tzinfo=None) > datetime.min and _no_end(window)


def task_question(query: str, now: datetime, leave_rule: bool = True) -> TaskQuestion | None:
    """None for a query that is not about things to do (`leave_rule`: as `asks_about_tasks`)."""
    # One instant in two offsets or zones is one key to the cache, but two askers' days: the offset
    # and the zone (whose offset may change within the window) are keyed too.
    return _task_question(query, now, (now.utcoffset(), now.tzinfo), leave_rule)


@lru_cache(maxsize=1024)  # read by several terms and the search plan of one request
def _task_question(
    query: str, now: datetime, _: tuple[timedelta | None, tzinfo | None], leave_rule: bool
) -> TaskQuestion | None:
    query = spelled_out(query)
    if not asks_about_tasks(query, leave_rule):
        window = due_window(query, now)
        if window is None:
            # "before the Berlin show": what is on until an event ahead (the store's, when found).
            return TaskQuestion(None, open=True) if _only_an_occasion(query) else None
        if window.end <= now or not _only_a_time(query, window.phrase, _SAYS_PLANS):
            return None
        return TaskQuestion(_from_now(window, now), open=False, soonest=True)
    window = due_window(query, now)
    undone = ASKS_UNDONE.search(query) is not None
    if window is None:
        return TaskQuestion(window, not asks_when(query), undone)
    soonest = _only_a_time(query, window.phrase, _NAMES_NO_TASK)
    return TaskQuestion(window if undone else _from_now(window, now), False, undone, soonest=soonest)


_REMINDERS = re.compile(r"\breminders?\b", re.I)
# A question of manner or measure ("how far in advance would I like to be reminded of deadlines?") or
# one asking leave ("ok if i hand out the rubric the day before it's due?"): it lists nothing.
_ASKS_HOW_OR_LEAVE = re.compile(r"^\W*(?:how\b|(?:is\s+it\s+)?ok(?:ay)?\s+(?:if|to)\b)", re.I)


def asks_to_list(query: str) -> bool:
    """Whether a question asks for a list of things to do in words other than "reminders" ("netball
    stuff to sort"): "whatsapp or sms reminders", "what happened with the double sms reminders" name
    reminders as a thing (a clinic's texts), which the store's facts and events tell of; a question
    of manner or leave lists nothing."""
    return _ASKS_HOW_OR_LEAVE.match(query) is None and asks_about_tasks(_REMINDERS.sub(" ", query))


def _no_end(window: TimeWindow) -> bool:
    return window.end.replace(tzinfo=None) == datetime.max


def _from_now(window: TimeWindow, now: datetime) -> TimeWindow:
    """`window` from `now` where it has begun: "what's on this week?" asked on Tuesday asks what is
    still to come in it; what fell due earlier in it and is not done is overdue, which a question
    asks by its own words ("anything overdue?")."""
    return TimeWindow(now, window.end, window.phrase) if window.start < now < window.end else window


def anchored_question(asked: TaskQuestion | None, anchored: TimeWindow | None) -> TaskQuestion | None:
    """A question about tasks that names no time, timed by an event ahead ("before the move": the
    store's, stages/event_anchor.py): its window of due dates is the event's."""
    if asked is None or asked.window is not None or anchored is None:
        return asked
    return TaskQuestion(anchored, open=False, undone=asked.undone)


def due_within(asked: TaskQuestion, payload: Mapping[str, Any]) -> bool:
    """Whether a point is a pending item due within the window the question names."""
    due = payload.get("due_ts")
    if asked.window is None or due is None or payload.get("status", "pending") != "pending":
        return False
    return asked.window.start.timestamp() <= float(due) < asked.window.end.timestamp()


def pending_past_due(payload: Mapping[str, Any], now_ts: float) -> bool:
    """Whether a memory is an item still pending whose due date is already past (`PastDueTerm` keeps
    only part of such an item's relevance for a question that is not about tasks)."""
    due = payload.get("due_ts")
    return due is not None and float(due) < now_ts and payload.get("status", "pending") == "pending"
