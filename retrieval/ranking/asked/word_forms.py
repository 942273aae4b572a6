"""How a memory writes a question's words, for the asked-detail check
(mnemo.retrieval.ranking.asked.asked_detail): whole, begun ("reg" / "registration"), by its consonants as
notes typed in haste write them ("mgr", "mtg", "bldg", "appt"), with two letters swapped as a word
typed fast on a phone is ("gutschien"), or as a part of a hyphenated code ("INV-2027-002"); and
where its sentences end.

- `holds_word(key, found, prefix_chars)`: whether a memory's word keys hold the question's word.
- `spelled_out(acronyms, content)`: the question's names in capitals a memory spells out as the
  initials of words in a row ("PM": "your project manager").
- `shortens(short, word)`: whether `short` is `word` written short: its first letter and then only
  consonants of it, in order, ending where the word ends ("mgr" / "manager", "tmrw" / "tomorrow",
  "msg" / "message"), or one of the few two-letter forms English writes for a word ("dr" / "doctor",
  "wk" / "week").
- `sentences(content)`: a memory's sentences, where a text without capitals ends one at a stop
  before a lower-case word too ("rct sitting 2 done, ₹5,500. gokhale says crown later"), and no text
  after a title or an abbreviation that runs on ("dr. rathi", "approx. 2 wks", "Gutschein-Nr. FK-…").

Pure; every pattern is compiled once.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .evidence import READ_CHARS
from .value_forms import writes_capitals

_VOWELS = frozenset("aeiou")
# The two-letter forms of words English writes in notes: too short to be read by their letters.
_TWO_LETTERS = {
    "dr": "doctor",
    "wk": "week",
    "yr": "year",
    "hr": "hour",
    "mo": "month",
    "rd": "road",
    "st": "street",
}
_SHORTEST = 3  # a form of fewer letters is read only by `_TWO_LETTERS`


@lru_cache(maxsize=65_536)
def shortens(short: str, word: str) -> bool:
    """Whether `short` (a word key) is `word` written by its consonants: the same first letter, then
    only consonants, each in `word` in order, the last one `word`'s last (or the one before a final
    "e": "msg" / "message"); or a two-letter form of `word` ("dr" / "doctor")."""
    if _TWO_LETTERS.get(short) == word:
        return True
    if len(short) < _SHORTEST or len(short) >= len(word) or short[0] != word[0]:
        return False
    if not short.isalpha() or _VOWELS.intersection(short[1:]):
        return False
    end = word[:-1] if word.endswith("e") else word
    if short[-1] != end[-1]:
        return False
    at = 1
    for letter in short[1:]:
        at = word.find(letter, at) + 1
        if at == 0:
            return False
    return True


def either_shortens(a: str, b: str) -> bool:
    """Whether one of two word keys is the other written short (`shortens`) or typed with two letters
    swapped (`swapped`)."""
    return shortens(a, b) or shortens(b, a) or swapped(a, b)


_SWAPPED_LETTERS = 6  # a shorter word with two letters swapped is as often another word ("form", "from")


def swapped(a: str, b: str) -> bool:
    """Whether word keys `a` and `b` of `_SWAPPED_LETTERS` letters or more differ only by two letters
    next to each other swapped, as a word typed fast is ("gutschien" / "gutschein", "recieve")."""
    if len(a) != len(b) or len(a) < _SWAPPED_LETTERS or a == b:
        return False
    differ = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return (
        len(differ) == 2
        and differ[1] == differ[0] + 1
        and a[differ[0]] == b[differ[1]]
        and a[differ[1]] == b[differ[0]]
    )


def holds_word(key: str, found: frozenset[str], prefix_chars: int) -> bool:
    """Whether a memory's word keys `found` hold the question's word `key` or a word either begins
    ("reg" / "registration", "vet" / "vets"; a word under `prefix_chars` only whole), or one either
    writes by its consonants ("mgr" / "manager", "dr" / "doctor": `shortens`): an
    abbreviation or a derived form says the same thing."""
    if key in found:
        return True
    if len(key) < prefix_chars:
        return any(either_shortens(key, w) for w in found)
    return any(
        (len(w) >= prefix_chars and (w.startswith(key) or key.startswith(w))) or either_shortens(key, w)
        for w in found
    )


_WORDS = re.compile(r"[^\W\d_][\w'’]*")


def spelled_out(acronyms: frozenset[str], content: str) -> frozenset[str]:
    """Those of `acronyms` (word keys of a question's names in capitals: "pm") that `content` spells
    out as the initials of words in a row ("Your project manager at Lexis is …")."""
    if not acronyms:
        return frozenset()
    initials = "".join(w[0] for w in _WORDS.findall(content[:READ_CHARS].casefold()))
    return frozenset(a for a in acronyms if len(a) >= 2 and a.isalpha() and a in initials)


def with_parts(found: frozenset[str]) -> frozenset[str]:
    """`found` with the parts of its hyphenated words: "MSA-2025-0188" names the MSA."""
    return found.union(*(w.split("-") for w in found if "-" in w))


def with_code_parts(found: frozenset[str]) -> frozenset[str]:
    """`found` with the parts of its hyphenated codes and ranges ("INV-2027-002" is an invoice's,
    "subj 1-20" holds the 20th); a compound of words ("skip-level") is a word of its own."""
    return found.union(*(w.split("-") for w in found if "-" in w and any(c.isdigit() for c in w)))


# Where a sentence may end: a stop before a capital or a digit, or in a text without capitals before
# a lower-case word too; a line break ends one.
_STOP = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])")
_LOWER_CASE_STOP = re.compile(r"(?<=[.!?])\s+(?=[A-Za-z0-9])")
# A title or an abbreviation whose stop does not end a sentence ("Dr. Rathi", "approx. 2 wks",
# "Gutschein-Nr. FK-2026-118437", "Ref. AB12").
_RUNS_ON = re.compile(
    r"(?:^|[\s(-])(?:dr|mr|mrs|ms|mx|prof|st|vs|no|nos|nr|ref|tel|approx|incl|ca|e\.g|i\.e|cf|re)\.$",
    re.IGNORECASE,
)


def sentences(content: str) -> list[str]:
    """The sentences of `content` (its first `READ_CHARS` characters), as it writes them: a stop
    before a capital or a digit ends one, and in a text without capitals a stop before a lower-case
    word too, but not after a title or an abbreviation that runs on; a line break ends one."""
    text = content[:READ_CHARS]
    stop = _STOP if writes_capitals(text) else _LOWER_CASE_STOP
    return [s for line in text.split("\n") for s in _split(line, stop) if s.strip()]


def _split(text: str, stop: re.Pattern[str]) -> list[str]:
    parts, at = [], 0
    for found in stop.finditer(text):
        if not _RUNS_ON.search(text[at : found.start()]):
            parts.append(text[at : found.start()])
            at = found.end()
    return [*parts, text[at:]]
