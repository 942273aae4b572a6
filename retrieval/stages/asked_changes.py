"""A change an event tells, read as the answer to a question about now: for a question that asks a
value as it stands by a word of time ("how much is a veg box now?", "which day do the boxes go out these
days?"), an event that says the value changed for good ("box delivery moved to Fridays from 9/4") is
what it asks for, though its words read less alike the older statement ("veg boxes go out on Thursdays
from 14:00") than two restatements of one value do. stages/changed_events.py then ties the two from the
lower bar two values of one question restate from (`asked_min_cosine`), where the statement names the
thing asked too (the subject they share, as a name would) and the event:

- says a lasting change, not a one-off's "instead of" (`tells_lasting_change`);
- names the thing the question asks: one of its words that is not a name, as written or with another
  ending ("boxes" / "box", "owns" / "own"); a shared name alone ties an event about another of the
  person's matters ("Nuala is very upset" of "how much levothyroxine is Nuala on now?");
- holds a value of the kind the question asks, where it asks one by form (an amount, a day, a date).

"Still" is no word of time here: "how much do we still need for the organ?" asks what remains, which a
later record of money raised does not replace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...memtypes.language.facts import signature
from ..ranking.asked.asked_kinds import asked_kinds
from ..ranking.asked.value_forms import MONTHS, WEEKDAYS, Kind, holds_form
from .asked_values import asked_words

# A question that asks a value as it stands by a word of time (English usage).
_NOW_BY_TIME = re.compile(
    r"\b(?:now|currently|current|nowadays|these\s+days|at\s+(?:the\s+moment|this\s+point|present))\b", re.I
)
# The endings a word takes and stays itself ("box" / "boxes", "own" / "owns"; English usage).
_ENDINGS = ("s", "es", "ed", "ing", "er", "ers", "d")
_SHORTEST = 3
# Words of a question that ask how much, not what (English usage).
_HOW_MUCH = frozenset({"much", "many"})
# A weekday or a month, which a text writes with a capital as it does a name.
_TIME_NAME = re.compile(rf"(?:{MONTHS}|{WEEKDAYS})s?")
# Kinds of value a text's form does not show (a person, a name: read by the asked-detail check).
_UNSEEN = frozenset({Kind.PERSON, Kind.NAME})


@dataclass(frozen=True)
class AskedChange:
    """What a question about now asks of an event that tells a change: the words of the thing asked
    and the kinds of value it asks for; no words: it asks nothing of one."""

    words: frozenset[str] = frozenset()
    kinds: frozenset[Kind] = frozenset()

    @classmethod
    def of(cls, question: str) -> AskedChange:
        if _NOW_BY_TIME.search(question) is None:
            return cls()
        names = signature(question).names
        asking = _NOW_BY_TIME.sub(" ", question)  # "these days" names no thing asked
        words = frozenset(w for w in asked_words(asking) if w not in names and w not in _HOW_MUCH)
        return cls(words, asked_kinds(question) - _UNSEEN)

    def told_by(self, text: str, lasting: bool) -> bool:
        """Whether an event's text (`lasting`: it says a lasting change) tells the thing asked anew."""
        if not lasting or not self.names_thing(text):
            return False
        return not self.kinds or any(holds_form(k, text) for k in self.kinds)

    def ties(self, event: str, statement: str) -> bool:
        """Whether an event that tells a change of the thing asked and a statement that names it are
        about one thing: not where both name someone or something and none the same (weekdays and
        months are times, the values that change, not names of a subject)."""
        told, stated = time_free_names(event), time_free_names(statement)
        return self.names_thing(statement) and (not told or not stated or not told.isdisjoint(stated))

    def names_thing(self, text: str) -> bool:
        """Whether a text names the thing asked: one of its words, in any of their forms."""
        said = {f for w in signature(text).words for f in _forms(w)}
        return any(not said.isdisjoint(_forms(w)) for w in self.words)


NOTHING_ASKED_NOW = AskedChange()


def time_free_names(text: str) -> frozenset[str]:
    """The names a text writes that are no weekday or month."""
    return frozenset(n for n in signature(text).names if _TIME_NAME.fullmatch(n) is None)


def _forms(word: str) -> frozenset[str]:
    """A word and the word without each ending it takes ("boxes": "boxe", "box"), none under
    `_SHORTEST` letters: two words are one where their forms meet ("box" / "boxes", "house" / "houses").

    Not `evidence.stem`, which gives a word one key, so that a memory's words are a set of keys
    matched by membership and cached by content: one key cuts the first ending it finds whatever the
    other word is, and so keeps apart "house" / "houses" ("house", "hous"), "move" / "moved" and
    "own" / "owner", which every form meets. Here a question's few words meet one event's, so each
    word can bring all its forms; the confidence's features are fitted on the keys `stem` gives."""
    bare = (word[: -len(e)] for e in _ENDINGS if word.endswith(e) and len(word) - len(e) >= _SHORTEST)
    return frozenset((word, *bare))
