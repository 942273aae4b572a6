"""The value a text says was left behind: "moves from Tuesday to Wednesday", "switched her from
Lily's Kitchen to Forthglade", "no longer with Admiral". Not "instead of", as often a one-off ("delivered
Extra Strong instead of Strong White") as a change.

A statement that states the value an event left ("Bin day is Tuesday morning") is older than the
event, whatever their times say: the event names it as the one it changed from. Retrieval reads it to
rank such an event above the statement it outdates (stages/changed_events.py).

A value is what a signature keeps as one (memtypes/language/facts.py): the names and numbers of the
words (numbers written as words too: "ten milligrams"), not their common words ("packed lunch"),
which too many statements share to tell one value. Also the words a change's start is told with ("from
1 Feb", "from 1/3", "from AMS on"), which the change markers of retrieval's lifts read. English usage,
lexical; pure, and each text's answer is cached.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .facts import signature
from .text import numerals

# A month's name, whole or short ("from 1 Feb", "from September"); not a word that only begins like one
# ("from Marta", "from Mayfield").
MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b"
)
# A value's start told as a date in figures ("from 1/3", "from 01.01.2027"): a day and month, not a
# time of day ("from 9.30", which names no year).
NUMERIC_START = r"\bfrom\s+(?:\d{1,2}/\d{1,2}(?:/\d{2,4})?|\d{1,2}\.\d{1,2}\.\d{2,4})\b"
# "From X on" closing its clause: a value that holds from a point onward ("€30 a day from AMS on", "from
# now on"); "on" followed by more words is a place or a day ("from the gig on Friday").
FROM_ON = r"\bfrom\s+[^\s.;:,]+(?:\s+[^\s.;:,]+){0,2}\s+on(?=\s*(?:$|[.;:,!?()—–]|-\s))"
# A few words of a value: up to a clause's end, at most four of them (a word may hold a point or a
# colon: "4.30", "9:30").
_WORD = r"[^\s;,()!?]*[^\s.;:,()!?]"
_FEW = _WORD + r"(?:\s+" + _WORD + r"){0,3}"
_END = r"(?=$|[.;:,()!?])"
# ... or where a clause of when or why begins ("no longer uses Ruiz Plumbing after the no-show").
_VALUE_END = r"(?=$|[.;:,()!?]|\s+(?:after|since|because|following|when|until)\b)"
# A verb of change ("moves", "switched", "was changed") a few words before its "from": "from X to Y"
# alone is as often a span ("open from Monday to Friday") or a journey ("drove from York to Leeds").
_FROM = (
    r"\b(?:mov|switch|chang|swap|shift|transferr|migrat|upgrad|downgrad|increas|reduc|lower|rais|postpon|push"
    r"|delay|bump)"
    r"(?:e|es|ed|ing)?\b(?:\s+[\w'’-]+){0,3}?\s+(?:away\s+)?from\s+"
)
_LEFT = (
    # a left value ends at the "to" of the value it went to, where it names one, else at its clause's end
    re.compile(
        _FROM + r"(?P<left>" + _FEW + r"?)(?:\s+to\s+(?P<went>" + _FEW + r")|" + _VALUE_END + ")", re.I
    ),
    # "revised" tells a change only with the value it went to ("revised his rate from $68 to $78"): "the
    # revised quote from Armando" names who sent it
    re.compile(
        r"\brevis(?:e|es|ed|ing)\b(?:\s+[\w'’-]+){0,3}?\s+from\s+(?P<left>"
        + _FEW
        + r"?)\s+to\s+(?P<went>"
        + _FEW
        + ")",
        re.I,
    ),
    re.compile(
        r"\bno\s+longer\s+(?:(?:with|at|on|in|uses?|using|goes\s+to)\s+)?(?P<left>"
        + _FEW
        + r"?)"
        + _VALUE_END,
        re.I,
    ),
    # a thing given up or stopped ("I gave up the Channahon spot", "stopped using the Südost card"): the
    # value it had, whatever replaced it
    re.compile(
        r"\b(?:gave|given|giving|give)\s+up\s+(?:on\s+)?(?:the|my|our)\s+(?P<left>"
        + _FEW
        + r"?)"
        + _VALUE_END,
        re.I,
    ),
    re.compile(
        r"\bstopped\s+(?:using|going\s+to)\s+(?:the|my|our)\s+(?P<left>" + _FEW + r"?)" + _VALUE_END,
        re.I,
    ),
    # "instead of" after a "now" of its own clause tells a lasting change ("now starts Monday 12 April
    # instead of 1 April"); alone it tells a one-off as often ("4 cases of butter instead of 6")
    re.compile(
        r"\bnow\b(?!\s+and\s+(?:then|again))[^.;:!?]*?\binstead\s+of\s+(?P<left>" + _FEW + r"?)" + _VALUE_END,
        re.I,
    ),
)


def _values(text: str) -> frozenset[str]:
    """The names and numbers of a few words, a plural's "s" dropped ("Tuesdays" is "tuesday"), a month
    written whole ("sept 30" is "september 30"). A month is a value though written lower case."""
    said = signature(text)
    months = {w for w in said.words if w in _MONTHS and _MONTHS[w] not in _ALSO_VERBS}
    return frozenset(_value_word(w) for w in said.names | said.numbers | months)


# A month's short forms, for a value told one way and stated the other ("pushed from sept 30" of
# "completion is september 30").
_MONTHS = {
    short: month
    for month in (
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
        "november", "december",
    )
    for short in {month, month[:3], month[:4]}
}  # fmt: skip


# Months that are also verbs ("we may", "march on"): values only where written as names.
_ALSO_VERBS = frozenset({"march", "may"})


def _value_word(word: str) -> str:
    return _MONTHS.get(word.rstrip("."), _singular(word))


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word[-2].isdigit() else word


@lru_cache(maxsize=32_768)  # asked of the same best events by each request
def left_values(text: str) -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    """Each change a text tells away from a value: (the values it left, the values it went to; empty
    where it names none), for the changes whose left value has names or numbers."""
    found = []
    text = numerals(text)  # "up from five to ten milligrams" leaves 5
    for pattern in _LEFT:
        for match in pattern.finditer(text):
            values = _values(match["left"])
            went = match.groupdict().get("went") or ""
            if values:
                found.append((values, _values(went)))
    return tuple(found)


@lru_cache(maxsize=32_768)  # the same pairs of best hits recur request after request
def leaves(event: str, statement: str) -> bool:
    """Whether `event` tells a change away from a value `statement` states: every name and number of
    the value it left is among the statement's words, and none of the value it went to (a statement
    that already names the new value may tell the change itself)."""
    changes = left_values(event)
    if not changes:
        return False
    words = frozenset(_value_word(w) for w in signature(numerals(statement)).words)
    return any(left <= words and words.isdisjoint(went) for left, went in changes)


# A value told as a number ("45 EUR", "gate code 4471", "net 30", "$84k/yr"); not a date, a year nor
# an identifier ("#1003"), which an event names for itself, not as the value of a standing fact.
_NUMBER_TOKEN = re.compile(r"(?<![\w#])[$€£]?\d(?:[\w.,:/%-]*[\w%])?")
_DATE = re.compile(r"\d{1,4}[./-]\d{1,2}(?:[./-]\d{2,4})?$|(?:19|20)\d\d$")
_FRAME_WORD = re.compile(r"[a-z][\w'’-]*")
# Words too common to tie two values to one thing ("is", "the", "for", "a"...): the frame is read
# from words of three letters or more but these.
_FURNITURE = frozenset(
    {
        "the", "and", "for", "are", "was", "were", "with", "from", "that", "this", "which", "about", "has",
        "have", "had", "its", "his", "her", "our", "your", "their", "you", "she", "they", "not", "but",
        "all", "per", "now", "then", "also", "into", "over", "under", "each", "every", "just", "out",
    }
)  # fmt: skip
# A short word right after a number is its unit ("262 W", "80 kg", "24 m2"), a word of the frame as a
# longer one is; not a word of the sentence's own ("5 at", "3 to 4", "2 x 2.5 L", "9 am").
_UNIT = re.compile(r"\s*([a-z][a-z\d]?)(?![\w'’-])")
_NOT_UNITS = frozenset(
    {
        "a", "an", "at", "in", "on", "of", "to", "is", "or", "as", "by", "up", "so", "no", "it", "be", "we",
        "me", "my", "he", "do", "if", "am", "pm", "x", "i", "s", "st", "nd", "rd", "th", "ok", "us",
    }
)  # fmt: skip
_FRAME = 3  # the frame's words on each side: a value's own noun or unit, seldom further away
# Frame words two values must share to be told of one thing: a unit alone ("EUR") is every sum's.
_SHARED_FRAME = 2


def _shape(value: str) -> str:
    """A value's kind by its form: "0,11" and "0,12" are alike, "5" and "10" too (a whole number's
    digits are one part), "45" and "1.385" are not, nor "60,000" and "612,000"."""
    return re.sub(r"\d" if re.search(r"[.,:/]", value) else r"\d+", "d", value)


@lru_cache(maxsize=32_768)
def _framed_values(text: str) -> tuple[tuple[str, str, frozenset[str]], ...]:
    """Each number a text tells as a value: (the number, its shape, the words it is told with: the
    nearest `_FRAME` words on each side, furniture left out, within its clause)."""
    lowered = numerals(text).lower()  # "ten milligrams" is a value as "10 milligrams" is
    found = []
    for match in _NUMBER_TOKEN.finditer(lowered):
        value = match.group().rstrip(".,")
        if _DATE.match(value.lstrip("$€£")):
            continue
        before = re.split(r"[;:()!?]|\.\s", lowered[: match.start()])[-1]
        after = re.split(r"[;:()!?]|\.\s", lowered[match.end() :])[0]
        near = [w for w in _FRAME_WORD.findall(before) if len(w) > 2 and w not in _FURNITURE][-_FRAME:]
        near += [w for w in _FRAME_WORD.findall(after) if len(w) > 2 and w not in _FURNITURE][:_FRAME]
        if (unit := _UNIT.match(after)) and unit[1] not in _NOT_UNITS:
            near.append(unit[1])
        found.append((value, _shape(value), frozenset(_singular(w) for w in near)))
    return tuple(found)


@lru_cache(maxsize=32_768)  # the same pairs of best hits recur request after request
def retells_with_another_value(older: str, newer: str) -> bool:
    """Whether `newer` tells a number of `older` again, another of the same form in the same words
    ("your minimum fee for small jobs is 45 EUR" → "minimum fee 55 EUR"; "gate code for the north
    gate is 4471" → "gave the driver the gate code, 5820"): a value of one thing given anew. The
    older number must be missing from the newer text, and the newer from the older (a text that
    names both may tell the change, or two things). Two words of the frame must be shared: a unit
    alone ("EUR") is every sum's."""
    was, now = _framed_values(older), _framed_values(newer)
    was_numbers, now_numbers = {v for v, _, _ in was}, {v for v, _, _ in now}
    return any(
        old != new
        and shape == kind
        and old not in now_numbers
        and new not in was_numbers
        and len(frame & told) >= _SHARED_FRAME
        for old, shape, frame in was
        for new, kind, told in now
    )
