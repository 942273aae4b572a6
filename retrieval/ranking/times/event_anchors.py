"""Times named by an event ("since we moved to Lisbon", "after the wedding", "before Sofia left",
"since the last release"): the clause that names the event, read off a query. Which event it is,
and so the time, is the store's to say (stages/event_anchor.py looks it up among the scope's
events); here only the words.

A clause is recognized after "since", "after" or "before" in two forms, and nothing else:

- a subject and a verb in the past: a pronoun ("we moved into Fernanda's flat"), a name ("Dean
  took over from Lucy", "Maeve was born"), or "my"/"our"/"the" and a noun or two ("the order form
  was signed");
- a noun phrase opened by "the", "my" or "our" ("the Aurora cutover", "our wedding").

A clause that names a time of the calendar ("since May", "after the weekend", "before the end of the
month", "since the 3rd") is not an event: the calendar's reading (ranking/times/temporal.py) keeps it, as
does a time ahead ("before the next QBR"). A question for the span itself ("how long since we
moved?") names no window: the event is its answer; nor does one that asks what to do ("should I
make coffee after the choir?": a habit, or a time ahead). "the week before the move" (a span around
the event) is left alone too.

A question about what is due ("what do I need to do before the move?", "anything due after the QBR
in Bristol?") names an event ahead: a planned one, or a reminder. There the clause may also be a
name's noun ("before Fionn's party") or a coming one ("before the next QBR": "next" says only that
it is ahead), and its window holds due dates: from now until the event ("before"), or from it on
("after"). Pure: text in, a clause out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ....memtypes.language.text import singular
from .temporal import MONTHS, TimeWindow

PRONOUNS = frozenset({"i", "we", "you", "he", "she", "they", "it"})
_DETERMINERS = frozenset({"the", "my", "our", "his", "her", "their", "your"})
# Past forms not ending in -ed; a subject's verb must be in the past (an event that happened).
_IRREGULAR_PAST = frozenset({
    "was", "were", "had", "did", "got", "went", "left", "began", "came", "became", "bought", "sold",
    "took", "made", "met", "saw", "found", "quit", "set", "put", "gave", "told", "said", "won", "lost",
    "paid", "built", "broke", "fell", "flew", "drove", "ran", "spent", "sent", "wrote", "rang", "sang",
    "split", "shut", "hit", "led", "read", "knew", "thought", "brought", "caught", "taught", "held",
    "kept", "sat", "stood", "woke", "wore", "swam", "chose", "ate", "drank", "forgot", "heard", "let",
    "meant", "rode", "rose", "shook", "spoke", "struck", "threw", "tore",
})  # fmt: skip
# Words that make a clause a time of the calendar, or one ahead, rather than an event.
_TIME_WORDS = frozenset({
    "day", "days", "week", "weeks", "weekend", "month", "months", "year", "years", "morning",
    "afternoon", "evening", "night", "tonight", "today", "yesterday", "tomorrow", "time", "moment",
    "start", "beginning", "end", "middle", "half", "quarter", "term", "season", "spring", "summer",
    "autumn", "fall", "winter", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "next", "coming", "upcoming", "following", "then", "now", "noon", "midnight", "lunch",
    "lunchtime", "breakfast", "dinner", "christmas", "easter",
}) | frozenset(MONTHS)  # fmt: skip
_ADVERBS = frozenset({"first", "last", "finally", "just", "actually", "eventually", "officially"})
# Words of a clause that name no event of their own: whether an event says the clause's words is
# read without them.
_LIGHT = (
    PRONOUNS
    | _DETERMINERS
    | _ADVERBS
    | frozenset({"a", "an", "to", "from", "in", "into", "of", "on", "at", "for", "with", "over", "up"})
    | frozenset({"out", "off", "back", "by", "is", "be", "been", "was", "were", "had", "did", "got", "s"})
)
# Words that only say an event is ahead: a question about what is due may name one so.
AHEAD = frozenset({"next", "coming", "upcoming"})
_MAX_WORDS = 10
_NUMBER = re.compile(r"\d+(?:st|nd|rd|th|s|am|pm)?", re.I)  # "3rd", "2026", "1990s", "9am"
# The clause ends at a stop or at a word that opens another clause.
# (A stop inside a version, "v1.2", does not end it.)
_CLAUSE_END = re.compile(
    r"[?!;,:()\"]|\.(?!\d)|\s(?:and|but|or|so|when|while|because|if|that|which|who)\s", re.I
)
_RELATION = re.compile(r"\b(?P<relation>since|after|before|until|till)\s+(?P<rest>\S.*)", re.I | re.S)
# Of an event ahead, "until" and "till" are "before" ("from now until the festival, what's due?").
_UNTIL = ("until", "till")
_SPAN_BEFORE = re.compile(
    r"\b(?:days?|weeks?|months?|years?|weekend|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\s*$", re.I
)
_ASKS_SPAN = re.compile(r"\bhow\s+(?:long|many\s+(?:days|weeks|months|years))\b", re.I)
# A question about what to do ("should I make coffee after the choir?") times a time ahead, or a
# habit: the event it names is not one that happened.
_ASKS_AHEAD = re.compile(r"^\W*(?:should|shall|can|could|may|will|would|must)\b", re.I)
_WORD = re.compile(r"[\w'’-]+(?:\.\d+)*")  # a version ("v1.2") is one word
# What a reminder is for names its event without being it: "for the move", "before Fionn's party".
# A bare code an event ahead goes by: an acronym ("GDC", "MWC") or a version ("v1.2"); not a
# deadline's shorthand ("EOD", "COB", "Q3", "H1", "FY27"), nor a time of day ("9AM").
_CODE = re.compile(r"[A-Z][A-Z0-9]{1,5}|v\d+(?:\.\d+)*", re.I)
_CALENDAR_CODE = re.compile(
    r"eo[dwmqy]|cob|asap|tbd|tba|q[1-4]|h[12]|fy\d*|\d*[ap]m|utc|gmt|cet|[a-z][sd]t", re.I
)
# A school's break, said as two words of time ("before half term"): the store's period, not the calendar's.
_HALF_TERM = re.compile(r"\bhalf\s+term\b", re.I)
_REFERS = re.compile(r"\b(?:for|before|after|until|till|by|since|ahead\s+of)\s+(?:[\w'’-]+\s+){0,3}$", re.I)


@dataclass(frozen=True)
class AnchorClause:
    """`relation` ("since", "after", "before") and the words naming the event (`clause`); `phrase`
    is both, as the query says them."""

    relation: str
    clause: str
    phrase: str
    ahead: bool = False  # of a question about what is due: the event is ahead, its window of due dates


@dataclass(frozen=True)
class EventAnchor:
    """The event a clause names, found in the store, and the window it gives the question: from
    just after the event until now ("since", "after"), or until it ("before")."""

    clause: AnchorClause
    event_id: str
    content: str
    occurred_at: datetime
    cosine: float
    window: TimeWindow
    by_words: bool = False  # found as the nearest event that says the clause's words
    memory_type: str = "episodic"  # a question about what is due may be timed by a reminder's due time

    def as_dict(self) -> dict[str, Any]:
        """What `explain` shows of it."""
        return {
            "phrase": self.clause.phrase,
            "event_id": self.event_id,
            "type": self.memory_type,
            "event": self.content,
            "occurred_at": self.occurred_at.isoformat(),
            "cosine": round(self.cosine, 4),
            "says_the_words": self.by_words,
            "window": [self.window.start.isoformat(), self.window.end.isoformat()],
        }


def anchored_window(clause: AnchorClause, occurred_at: datetime, now: datetime) -> TimeWindow | None:
    """The window an event at `occurred_at` gives: the event itself is not of it (it is what the
    question is timed by, not about). None when it is empty (the event is not before now)."""
    if clause.relation == "before":
        start, end = datetime(1970, 1, 1, tzinfo=UTC), occurred_at
    else:
        start, end = occurred_at + timedelta(seconds=1), now
    return TimeWindow(start, end, clause.phrase) if start < end <= now else None


def due_anchored_window(
    clause: AnchorClause, at: datetime, now: datetime, including: bool = False
) -> TimeWindow | None:
    """The due dates an event ahead at `at` gives a question about what is due: from now until it
    ("before"), or from just after it on ("after"); the event itself is not of it, but for a
    deadline (`including`): what is due by it is due before it ends. None when the event is not
    ahead."""
    if at <= now:
        return None
    if clause.relation == "before":
        return TimeWindow(now, at + timedelta(seconds=1) if including else at, clause.phrase)
    return TimeWindow(at + timedelta(seconds=1), datetime.max.replace(tzinfo=UTC), clause.phrase)


def anchor_clause(query: str, ahead: bool = False) -> AnchorClause | None:
    """The event the query times its question by, as words; None when it names none (most queries:
    the cost is one search of the text). `ahead`: the query asks what is due, and may name an event
    ahead ("before Fionn's party", "before the next QBR")."""
    if _ASKS_SPAN.search(query) or _ASKS_AHEAD.search(query):
        return None
    for match in _RELATION.finditer(query):
        if _SPAN_BEFORE.search(query[: match.start()]):
            continue
        if match["relation"].lower() in _UNTIL and not ahead:
            continue
        rest = match["rest"]
        end = _CLAUSE_END.search(rest)
        clause = (rest[: end.start()] if end else rest).strip()
        words = _WORD.findall(_HALF_TERM.sub("half-term", clause) if ahead else clause)[:_MAX_WORDS]
        if ahead:
            words = [w for k, w in enumerate(words) if not (k <= 1 and w.lower() in AHEAD)]
        if words and (_names_event(words) or (ahead and _names_due_event(words))):
            clause = " ".join(words)
            relation = "before" if match["relation"].lower() in _UNTIL else match["relation"].lower()
            return AnchorClause(relation, clause, f"{match['relation']} {clause}", ahead)
    return None


def names_occasion_ahead(query: str) -> bool:
    """Whether the query names an event ahead by what it is ("before the patio starts", "after
    Fionn's party"), not as an act of someone it calls by a pronoun ("before I approve")."""
    clause = anchor_clause(query, ahead=True)
    return clause is not None and clause.clause.split()[0].lower() not in PRONOUNS


def without_clause(query: str, clause: AnchorClause) -> str:
    """`query` less the words that time it ("what QBRs have we held since Dean took over from
    Lucy?": "what QBRs have we held ?"): they say when, not what the question is about."""
    words = _WORD.findall(clause.clause)
    # "half-term" is read from "half term" too: a hyphen of the clause matches a space.
    said = re.escape(clause.phrase.split()[0])  # "until the festival" is a "before" as said
    pattern = rf"\b{said}\W+" + r"\W+".join(re.escape(w).replace(r"\-", r"[\s-]") for w in words)
    return re.sub(pattern, " ", query, count=1, flags=re.I)


def says_clause(clause: AnchorClause, content: str) -> bool:
    """Whether `content` says every word of the clause that names something ("we moved into
    Fernanda's flat": moved, fernanda, flat)."""
    own = _content_words(clause.clause)
    return bool(own) and own <= _content_words(content)


def names_itself(clause: AnchorClause, content: str) -> bool:
    """Whether `content` says the clause's words as the event itself ("We move into the new flat on
    12 March"), not only as what it is for ("Book the removal van for the move"): its last word of
    its own occurs somewhere not after "for", "before", "after", "until" or "by"."""
    own = [singular(w) for w in re.findall(r"\w+", clause.clause.lower()) if w not in _LIGHT]
    said = {singular(w) for w in _content_words(content)}
    if not own or not set(own) <= said:
        return False
    for word in re.finditer(r"\w+", content.lower()):
        if singular(word.group(0)) == own[-1] and not _REFERS.search(content[: word.start()]):
            return True
    return False


# Words that may follow an event's name where it is the event ("the science fair on Thursday", "the
# move is on", "the party at 3"); any other word makes the name a modifier of the thing a memory is about
# ("science fair check-in forms", "science fair set-up").
_AFTER_EVENT = _LIGHT | _TIME_WORDS | frozenset({
    "at", "until", "till", "will", "starts", "begins", "opens", "runs", "happens", "takes", "moved",
    "has", "have", "are", "and", "or", "but", "this", "that", "which", "who", "where", "when", "as",
    "day", "itself", "proper",
})  # fmt: skip


_JOINED_BEFORE = re.compile(r"[\w'’]*-$")  # the start of a word with a hyphen: "half-" of "half-term"


def names_itself_alone(clause: AnchorClause, content: str) -> bool:
    """Whether `content` names the event itself (`names_itself`) with no noun after its name that it
    would modify: "Dunmore Science Fair on Thursday, April 29", not "Science fair check-in forms are
    due": of several memories that name an event ahead, the one that is the event."""
    if not names_itself(clause, content):
        return False
    last = [w for w in re.findall(r"\w+", clause.clause.lower()) if w not in _LIGHT][-1]
    for word in re.finditer(r"\w+", content.lower()):
        joined = _JOINED_BEFORE.search(content[: word.start()])
        whole = word.start() - (len(joined.group(0)) if joined else 0)
        if singular(word.group(0)) != singular(last) or _REFERS.search(content[:whole]):
            continue  # (of a word with a hyphen, what comes before the whole word: "for half-term")
        after = re.match(r"[ \t]+([\w'’-]+)", content[word.end() :])
        following = after.group(1).lower() if after else ""
        if not following or following in _AFTER_EVENT or _NUMBER.fullmatch(following):
            return True
    return False


# A deadline is a reminder's due time: "the BTW deadline" is when the reminder about the BTW return is
# due, whether or not it says "deadline".
_DEADLINE = re.compile(r"\s+(?:deadlines?|due\s+dates?|cut-?offs?)$", re.I)


def deadline_of(clause: AnchorClause) -> AnchorClause | None:
    """The clause less the word that names a deadline ("the BTW deadline" → "the BTW"), of a reminder
    due then; None when it names no deadline, or nothing but one ("the deadline")."""
    rest = _DEADLINE.sub("", clause.clause)
    if rest == clause.clause or not _content_words(rest):
        return None
    return AnchorClause(clause.relation, rest, clause.phrase, clause.ahead)


def names_deadline(clause: AnchorClause, reminder: str) -> bool:
    """Whether a reminder is the one whose due time the clause calls a deadline: it names itself by
    the clause's other words ("File and pay the BTW return" for "the BTW deadline")."""
    rest = deadline_of(clause)
    return rest is not None and names_itself(rest, reminder)


def _content_words(text: str) -> set[str]:
    return {w for w in re.findall(r"\w+", text.lower()) if w not in _LIGHT}


def _names_time(words: list[str]) -> bool:
    """Whether a word of the clause is one of time or a number ("the 3rd", "2026"); a code that
    mixes letters and digits ("the V300 exam", "the Q3 review") names a thing."""
    return any(w.lower() in _TIME_WORDS or _NUMBER.fullmatch(w) for w in words)


def _names_event(words: list[str]) -> bool:
    lowered = [w.lower() for w in words]
    if _names_time(words):
        return False
    first = lowered[0]
    if first in PRONOUNS:
        return _past_verb_at(lowered, 1)
    if first in _DETERMINERS:
        # "the storm", "the Aurora cutover", "the order form was signed": a noun phrase, with or
        # without its verb.
        return len(words) > 1
    # A name: capitalized words, then a verb in the past ("Sofia Lemos left").
    name = 0
    while name < min(len(words), 3) and words[name][:1].isupper():
        name += 1
    return name > 0 and _past_verb_at(lowered, name)


def _names_due_event(words: list[str]) -> bool:
    """A name's noun, of an event ahead ("Fionn's party", "Vicente's health check"), a subject and
    its verb in the present ("Dai starts the bathroom", "we move"), or a period a household names by
    a bare noun ("before half-term"); not a time."""
    if _names_time(words):
        return False
    if len(words) < 2:
        return _bare_period(words[0]) or _bare_code(words[0])
    first = words[0].lower()
    if words[0][:1].isupper() and first.endswith(("'s", "’s")):
        return True
    if first in PRONOUNS - {"it"}:
        # "before we move", "after I start": a subject, then its verb ("before I forget" says none)
        return words[1].lower() != "forget"
    # A name, then a verb in the present's third person ("Dai starts", "Sofia arrives").
    name = 0
    while name < min(len(words), 3) and words[name][:1].isupper():
        name += 1
    return 0 < name < len(words) and len(words[name]) > 2 and words[name].lower().endswith("s")


def _bare_period(word: str) -> bool:
    """A lowercase compound naming an occasion or a period of one's own calendar ("half-term",
    "go-live"): which days it is, a school's or a team's, only the store can say. One that ends in
    a word of the calendar ("year-end") is the calendar's."""
    parts = word.split("-")
    if not word.islower() or len(parts) != 2 or parts[-1] in _TIME_WORDS - {"term"}:
        return False
    return all(p.isalpha() and p not in _LIGHT for p in parts)


def _bare_code(word: str) -> bool:
    """An acronym in capitals or a version ("before GDC", "before v1.2"): the name of a release, a
    conference or an exam, which only the store can date."""
    if not _CODE.fullmatch(word) or _CALENDAR_CODE.fullmatch(word):
        return False
    return word.isupper() or word[:1] in "vV"


def _past_verb_at(words: list[str], at: int) -> bool:
    if at < len(words) and words[at] in _ADVERBS:
        at += 1
    if at >= len(words):
        return False
    word = words[at]
    return word in _IRREGULAR_PAST or (len(word) > 3 and word.endswith("ed"))
