"""How notes typed in haste shorten what they say, for the asked-detail check
(mnemo.retrieval.ranking.asked_detail): a word written as its consonants ("mgr", "mtg", "bldg",
"appt") is the word it shortens, and a text written without capitals opens its sentences in lower
case.

- `shortens(short, word)`: whether `short` is `word` written short: its first letter and then only
  consonants of it, in order, ending where the word ends ("mgr" / "manager", "tmrw" / "tomorrow",
  "msg" / "message"), or one of the few two-letter forms English writes for a word ("dr" / "doctor",
  "wk" / "week"). A prefix ("reg" / "registration") is read by the caller.
- `sentences(content)`: a memory's sentences, where a text without capitals ends one at a stop
  before a lower-case word too ("rct sitting 2 done, ₹5,500. gokhale says crown later"), but not
  after a title or an abbreviation that runs on ("dr. rathi", "approx. 2 wks").

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
    """Whether one of two word keys is the other written short (`shortens`)."""
    return shortens(a, b) or shortens(b, a)


# A sentence's end in a text written with capitals: a stop before a capital or a digit, or a line break.
_SENTENCES = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9])|\n+")
_LOWER_CASE_STOP = re.compile(r"(?<=[.!?])\s+(?=[a-z])")
# A title or an abbreviation whose stop does not end a sentence.
_RUNS_ON = re.compile(
    r"(?:^|[\s(])(?:dr|mr|mrs|ms|mx|prof|st|vs|no|nos|approx|incl|ca|e\.g|i\.e|cf|re)\.$", re.IGNORECASE
)


def sentences(content: str) -> list[str]:
    """The sentences of `content` (its first `READ_CHARS` characters), as it writes them: a stop
    before a capital or a digit ends one, a line break too, and in a text without capitals a stop
    before a lower-case word."""
    text = content[:READ_CHARS]
    found = _SENTENCES.split(text)
    if not writes_capitals(text):
        found = [part for chunk in found for part in _split_lower_case(chunk)]
    return [s for s in found if s.strip()]


def _split_lower_case(text: str) -> list[str]:
    parts, at = [], 0
    for stop in _LOWER_CASE_STOP.finditer(text):
        if not _RUNS_ON.search(text[at : stop.start()]):
            parts.append(text[at : stop.start()])
            at = stop.end()
    return [*parts, text[at:]]
