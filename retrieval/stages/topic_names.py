"""The names a topic goes by in a store: a question about tasks asks by the topic ("anything I need to
do for the bike?", "medical aid admin outstanding", "what duplex stuff do I still need to do"), its
reminders say the thing's own names ("renew the motor tax on the Bonneville", "chase Bonitas about
the short-paid claims", "get a W-9 from Vic Alvarado"). The store's facts that say the topic tell
which names are its ("the bike is a 1971 Triumph Bonneville", "most of your medical-aid patients are
on Discovery, Bonitas or Medshield", "Vic Alvarado does the duplex repairs"): a reminder that says
one of them is about the topic as one that says the topic's word. Facts, not events: an event names
whoever was there ("we flew to Kisumu with the kids" does not make Kisumu the kids').

A name is a word of three letters or more written with a capital (not a text's first word) or with
capitals and digits ("CX-5", not "60-minute"), as a trigger's names are (named_triggers.py), less the
words of a calendar ("Monday", "March") and those that ask or say a kind of thing
(`task_questions.asked_topics`'s). A topic is said as a common word ("Mama" in "Tumaini Mama Trust"
is part of a name); one most of the facts say (a store about one thing) names nothing apart, and
gives no names. Pure: texts in.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence

from ..ranking.times.task_questions import SAYS_NO_TOPIC, topic_stems

_TOKEN = re.compile(r"\w[\w'’.-]*\w|\w")
_POSSESSIVE = re.compile(r"['’]s?$")
_FIRST_PERSON = re.compile(r"I(?:['’]\w+)?$")
_CALENDAR = frozenset(
    w.casefold()
    for w in (*calendar.day_name, *calendar.day_abbr, *calendar.month_name[1:], *calendar.month_abbr[1:])
)


# A word before "'s" that opens a text or a question and names nobody: "What's due?", "Today's list",
# "Everyone's in".
_NOT_A_NAME = frozenset(
    (  # noqa: SIM905 (a word list reads best as words)
        "what who where when how why which there here it that this let he she one today tonight tomorrow "
        "yesterday everyone everybody someone somebody anyone anybody nobody nothing everything something "
        "anything week month year"
    ).split()
)
_OPENING_POSSESSIVE = re.compile(r"^\W*([A-Z][\w-]*)['’]s\b")


def opening_possessive(text: str) -> str | None:
    """The name a text opens with as a possessive ("Tony's quote for the deck": tony), case-folded: a
    capital at the start hides a name, but a possessive there is one."""
    opening = _OPENING_POSSESSIVE.match(text)
    if opening is None or opening.group(1).casefold() in _NOT_A_NAME:
        return None
    return opening.group(1).casefold()


def text_names(text: str) -> frozenset[str]:
    """The names a memory's text says, case-folded, a possessive dropped: "the bike is a 1971 Triumph
    Bonneville" → {triumph, bonneville}; "Tony's quote for the back deck" → {tony}."""
    opening = opening_possessive(text)
    names = set() if opening is None or opening in SAYS_NO_TOPIC else {opening}
    for word in _TOKEN.findall(text)[1:]:
        name = _POSSESSIVE.sub("", word).rstrip(".").casefold()
        if (
            len(name) < 3
            or _FIRST_PERSON.match(word)
            or name.removesuffix("s") in _CALENDAR
            or name in SAYS_NO_TOPIC
        ):
            continue
        if word[0].isupper() or (any(c.isdigit() for c in word) and any(c.isupper() for c in word)):
            names.add(name)
    return frozenset(names)


def _common_words(text: str) -> str:
    """The words of `text` written as common words: its first, and those without a capital ("Mama" in
    "Tumaini Mama Trust" is part of a name, not the word "mama")."""
    words = _TOKEN.findall(text)
    return " ".join(w for k, w in enumerate(words) if k == 0 or not w[0].isupper())


def said_apart(words: Iterable[str], saying: Sequence[frozenset[str]]) -> frozenset[str]:
    """The `words` some of the texts say (each text as the set of its words), but not more than half
    of them: a word most of them say tells none apart, one none says is not theirs."""
    return frozenset(w for w in words if 0 < sum(w in said for said in saying) <= len(saying) / 2)


def topic_names(topics: frozenset[str], memories: Sequence[str]) -> frozenset[str]:
    """The names the `memories` that say one of `topics` (as `topic_stems`, written as a common word)
    say beside it, of topics said by some of the memories but not most."""
    if not topics or not memories:
        return frozenset()
    saying = [topic_stems(_common_words(text)) for text in memories]
    apart = said_apart(topics, saying)
    names: set[str] = set()
    for text, said in zip(memories, saying, strict=True):
        if not apart.isdisjoint(said):
            names |= text_names(text)
    return frozenset(names)
