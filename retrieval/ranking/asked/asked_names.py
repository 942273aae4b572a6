"""What a question asks its answer to name, read from the question alone, for the asked-detail check
(mnemo.retrieval.ranking.asked.asked_detail): the names a hit must hold, one set per part of a question in
parts (`required_names`), without a month or a weekday, or the names of a clause that only times the
question ("since Nadia took the account over"); the owner a clipped request opens with
(`opening_name`: "Ceri's registration number"); names written in capitals (`acronyms`); whose name a
question asks (`name_owner`: the teacher of "the girls' teacher's name"); what each part asks of a
hit naming some parts (`asked_of`); and the past time it asks about (`asked_past`).

Pure; every pattern is compiled once.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from ....memtypes.language.questions import CLAUSES
from ....memtypes.language.time_mentions import speaks_ahead
from ..times.temporal import TimeWindow, parse_time_window
from .asked_kinds import ASKS
from .evidence import QueryWords, information, memory_words, stem
from .value_forms import MONTHS, WEEKDAYS

# A name written in capitals: "EHO", "the EHO's", "ARR" (not "INC-171", a code).
_ACRONYM = re.compile(r"(?<![\w'’-])[A-Z]{2,}s?(?:['’]s)?(?![\w'’-])")
# A clause's words from a subordinator on time the question, not what it asks about.
_ANCHOR = re.compile(r"\b(?:since|after|before|until|till|when|while|once)\b", re.IGNORECASE)
# A question in parts: its clauses, what "and" joins, and the sides of a comparison ("how much more
# is the Hal4 desk than Schieblock", "Next Fest vs gamescom"), each told in a memory of its own.
_PARTS = re.compile(rf"{CLAUSES.pattern}|\b(?:and|than|vs|versus|compared\s+(?:to|with))\b", re.IGNORECASE)
_CALENDAR_WORD = re.compile(rf"(?:{MONTHS}|{WEEKDAYS})", re.IGNORECASE)


def question_parts(query: str) -> list[str]:
    """The parts of `query` (`_PARTS`), each of which a memory of its own may answer."""
    return _PARTS.split(query)


# Whose name is asked, just before it: "the girls' teacher's name", "the plumber's name".
_NAME_OWNER = re.compile(
    r"\b([^\W\d_][\w-]*)['’]s\s+(?:first\s+|last\s+|full\s+|sur)?names?\b", re.IGNORECASE
)


def name_owner(query: str) -> frozenset[str]:
    """The word key of the one whose name `query` asks by a possessive ("teacher" of "what's the
    girls' teacher's name"; not "girls", whose teacher it is), or none. Of a name ("Fenna's
    surname") the caller asks no word beside it."""
    match = _NAME_OWNER.search(query)
    return frozenset({stem(match.group(1))}) if match else frozenset()


def calendar_word(name: str) -> bool:
    return _CALENDAR_WORD.fullmatch(name) is not None


# A request opening with whose it is: "Ceri's registration number", "Megan's phone number?".
_OPENING_OWNER = re.compile(r"^\W*([A-Z][\w-]*['’]s)\b")


def opening_name(query: str, name_information: float) -> frozenset[str]:
    """The owner a request in one clause opens with, as a word key, where it is a name: capitalized
    and at least `name_information` rare in English ("Ceri's registration number"; not "What's"). A
    clipped request opens with whose value it asks as often as with a question word, and the capital
    a sentence gives its first word does not say it is no name; a request in clauses opens with what
    it tells ("Jonas's birthday is coming up, what should I get him?"), whose names an answer need
    not hold."""
    match = _OPENING_OWNER.match(query)
    if match is None or len([c for c in CLAUSES.split(query) if c.strip()]) > 1:
        return frozenset()
    word = match.group(1).replace("’", "'")
    bare = word.casefold().removesuffix("'s")
    return frozenset({stem(word)}) if information(bare) >= name_information else frozenset()


def acronyms(query: str) -> frozenset[str]:
    """The names `query` writes in capitals ("EHO", "ARR"), as word keys: an abbreviation a memory
    may spell out ("environmental health officer") as often as it writes it. A word that asks for a
    kind of value ("ID", "PIN") is no name."""
    words = (m.group() for m in _ACRONYM.finditer(query))
    return frozenset(stem(w) for w in words if not any(p.fullmatch(w) for _, p in ASKS))


def _anchor_text(clause: str) -> str:
    """The part of `clause` that times it ("since Nadia took the account over"; a subordinator
    opening the clause asks: "when did we open?"), or ""."""
    match = _ANCHOR.search(clause)
    return clause[match.start() :] if match and match.start() > 0 else ""


def required_names(
    query: str, words: QueryWords, topics: frozenset[str], anchors_optional: bool, per_part: bool
) -> tuple[frozenset[str], ...]:
    """The names a hit must hold, one set per part of `query` (a hit holds what is asked when it
    holds one part's): the question's names but a month or a weekday (a time, which an event's date
    holds) and the `topics` (asked words instead); with `anchors_optional`, but those of a clause that
    only times the question ("since Nadia took the account over": the answer need not name her); with
    `per_part`, the names of each part of a question in parts ("who's the contact at Newport and at
    Leicester, and who leads AP at HQ?", "how much more is Hal4 than Schieblock?"), since no one
    memory need name them all."""
    capitals = acronyms(query)  # "APR", "DEC": an abbreviation in capitals, not a month
    names = frozenset(n for n in words.names if not calendar_word(n) or n in capitals) - topics
    if anchors_optional:
        for clause in CLAUSES.split(query):
            names -= memory_words(_anchor_text(clause))
    if not per_part:
        return (names,)
    parts = (names & memory_words(part) for part in _PARTS.split(query))
    return tuple(part for part in parts if part) or (frozenset(),)


def asked_of(query: str, words: QueryWords, held: Sequence[frozenset[str]], parts: int) -> list[QueryWords]:
    """What a question in `parts` parts asks of a hit holding the names `held` of some of them: the
    words of each such part ("who are my two new B5s, and what do I owe Priya?" asks of a memory
    naming the B5s who they are, not what is owed); all its words when it is in one part."""
    if parts < 2:
        return [words]
    texts = _PARTS.split(query)
    return [
        QueryWords({k: w for k, w in words.weights.items() if k in keys}, words.names)
        for keys in (
            frozenset().union(*(memory_words(t) for t in texts if names <= memory_words(t))) for names in held
        )
    ]


def asked_past(query: str, now: datetime) -> TimeWindow | None:
    """The past time `query` asks about ("how much was the IUC in 2024?", "the AWS bill in
    November", "last year"), or None: none named, one not yet over or asked of what is to come (a
    plan's "in January" is told before it), or one named in a clause that times the question
    ("who's covering while Tom is away in January?"). An event of another time does not answer it."""
    window = None if speaks_ahead(query) else parse_time_window(query, now)
    if window is None or window.end > now:
        return None
    if any(window.phrase in _anchor_text(clause) for clause in CLAUSES.split(query)):
        return None
    return window
