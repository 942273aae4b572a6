"""The value a text says was left behind: "moves from Tuesday to Wednesday", "switched her from
Lily's Kitchen to Forthglade", "no longer with Admiral". Not "instead of", as often a one-off ("delivered
Extra Strong instead of Strong White") as a change.

A statement that states the value an event left ("Bin day is Tuesday morning") is older than the
event, whatever their times say: the event names it as the one it changed from. Retrieval reads it to
rank such an event above the statement it outdates (stages/changed_events.py).

A value is what a signature keeps as one (memtypes/language/facts.py): the names and numbers of the
words, not their common words ("packed lunch"), which too many statements share to tell one value.
English usage, lexical; pure, and each text's answer is cached.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .facts import signature

# A few words of a value: up to a clause's end, at most four of them (a word may hold a point or a
# colon: "4.30", "9:30").
_WORD = r"[^\s;,()!?]*[^\s.;:,()!?]"
_FEW = _WORD + r"(?:\s+" + _WORD + r"){0,3}"
_END = r"(?=$|[.;:,()!?])"
# A verb of change ("moves", "switched", "was changed") a few words before its "from": "from X to Y"
# alone is as often a span ("open from Monday to Friday") or a journey ("drove from York to Leeds").
_FROM = (
    r"\b(?:mov|switch|chang|swap|shift|transferr|migrat|upgrad|downgrad|increas|reduc|lower|rais|postpon)"
    r"(?:e|es|ed|ing)?\b(?:\s+[\w'’-]+){0,3}?\s+(?:away\s+)?from\s+"
)
_LEFT = (
    # a left value ends at the "to" of the value it went to, where it names one, else at its clause's end
    re.compile(_FROM + r"(?P<left>" + _FEW + r"?)(?:\s+to\s+(?P<went>" + _FEW + r")|" + _END + ")", re.I),
    re.compile(
        r"\bno\s+longer\s+(?:(?:with|at|on|in|uses?|using|goes\s+to)\s+)?(?P<left>" + _FEW + r"?)" + _END,
        re.I,
    ),
)


def _values(text: str) -> frozenset[str]:
    """The names and numbers of a few words, a plural's "s" dropped ("Tuesdays" is "tuesday")."""
    said = signature(text)
    return frozenset(_singular(w) for w in said.names | said.numbers)


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word[-2].isdigit() else word


@lru_cache(maxsize=32_768)  # asked of the same best events by each request
def left_values(text: str) -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    """Each change a text tells away from a value: (the values it left, the values it went to; empty
    where it names none), for the changes whose left value has names or numbers."""
    found = []
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
    words = frozenset(_singular(w) for w in signature(statement).words)
    return any(left <= words and words.isdisjoint(went) for left, went in changes)
