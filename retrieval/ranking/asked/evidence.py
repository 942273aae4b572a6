"""What a memory's own words say about a query, for the confidence model
(mnemo.retrieval.ranking.confidence): signals that mean the same whatever else is stored.

A store's BM25 statistics say nothing in a store of one memory (every word is as rare as every
other), so a word's weight here is how informative it is in the language: its information
(`7 − zipf`, from the `wordfreq` package's English frequencies, shipped with the package) — "the"
and "how" weigh nothing, "parser" a lot, a word the language does not know ("ptest") most. A hit's
word features are the share of the query's information it contains (`overlap`), that information
itself (`matched`: a long query's few shared rare words say more than one common word), and the
share of the query's names (capitalized words: people, places, titles) it mentions.

Read for the `HEAD` best candidates only; a hit's words are cached by content (the best hits recur
request after request), and `READ_CHARS` bounds a long one. The same functions serve the service
(stages/respond.py) and `mnemo bench quality` (which records what the service read), so a fit reads
exactly what the service reads. The thresholds that define the features (here and in asked_detail.py)
are the ranking model's (`ConfidenceFeaturesModel`, held by `RankingModel.confidence_features` in
model.py): a variant reads its own beside the shipped ones.

Pure: the same texts give the same features.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

HEAD = 64  # the best candidates judged by their own words and vectors
# The characters of a hit that are read: the dense side reads no more (the embedding model's 256
# word pieces), and a long chat turn would otherwise cost milliseconds.
READ_CHARS = 2_000
COMMON_ZIPF = 7.0  # a word this frequent or more ("the", "of") carries no information


@dataclass(frozen=True)
class ConfidenceFeaturesModel:
    """The thresholds the confidence's features are read with; the numbers are the ranking model's
    (model.py, `RankingModel.confidence_features`). `matched_cap`: the information past which more
    matched words say nothing new (`word_features`); `detail_head`: the best hits an answer is looked
    for in; `prefix_chars`: a shorter word is matched whole only; `asked_information`: the
    `information` under which a question's word asks nothing; `name_information`: a capitalized word
    at least this rare in English reads as a name; `asking_clause_kinds`: the kind asked is read in
    the clause that asks; `amounts_are_not_codes`: a price, a measure or a year
    is no code or number asked for; `counts_stand_alone`: a count is a number of its own, not digits
    inside a code; `acronyms_are_topics`: a name in capitals ("EHO") is an asked word, not a name a hit
    must hold; `anchor_names_optional`: the names of a clause that times the question ("since Nadia took
    over") need not be held; `names_per_part`: a hit holds the names of one part of a question in parts
    ("at Newport and at Leicester"); `event_verbs_told`: the verb of a when-question about what
    happened ("when did we buy the Ram?") is not asked of a dated hit; `values_stated_with_words`: a
    value of a kind with a form of its own answers where a sentence naming what is asked states it
    (asked_detail.py);
    `only_best_when_missing`: where no best hit holds a value of the kind asked, the others than the
    best are at the confidence's floor, under a default context's (confidence.py)."""

    matched_cap: float
    detail_head: int
    prefix_chars: int
    asked_information: float
    name_information: float
    asking_clause_kinds: bool
    amounts_are_not_codes: bool
    counts_stand_alone: bool
    only_best_when_missing: bool
    acronyms_are_topics: bool
    anchor_names_optional: bool
    names_per_part: bool
    event_verbs_told: bool
    values_stated_with_words: bool


_WORD = re.compile(r"[^\W_][\w'’-]*")
# A compound of words a hyphen joins ("haul-out", "wi-fi", "pre-trip") is as often written closed
# ("haulout", "wifi", "pretrip"): a memory's compound is held in both forms. A code with digits
# ("INV-2027-002") is not a compound.
_COMPOUND = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")
# A capitalized word (letters first): "Shinjuku", "Sapiens", "Tom", "Master's".
_CAPITALIZED = re.compile(r"(?<![\w'-])[A-Z][\w'-]*")
_NOT_NAMES = frozenset({"i", "i'm", "i've", "i'd", "i'll"})
_SUFFIXES = ("ing", "ed", "es", "s")


@lru_cache(maxsize=1)
def _frequencies() -> Mapping[str, float]:
    from wordfreq import get_frequency_dict

    return get_frequency_dict("en", wordlist="best")


def warm() -> None:
    """Load the word frequencies now (half a second), not in a user's first retrieval."""
    _frequencies()


@lru_cache(maxsize=65_536)
def information(word: str) -> float:
    """How informative `word` is in English: `7 − zipf` (0 for the commonest words, 7 for a word
    the table does not hold); zipf is log10 of its frequency per billion words."""
    frequency = _frequencies().get(word, 0.0)
    if frequency <= 0.0:
        return COMMON_ZIPF
    zipf = 9.0 + math.log10(frequency)
    return max(0.0, COMMON_ZIPF - zipf)


def stem(word: str) -> str:
    """A word's key for matching: case-folded, without a possessive or a common inflection
    ("tests" / "test", "called" / "call"), so that the query's and the memory's forms meet."""
    word = word.casefold().replace("’", "'").removesuffix("'s").strip("'-")
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def memory_words(content: str) -> frozenset[str]:
    """A memory's word keys (its first `READ_CHARS` characters)."""
    return _words(content[:READ_CHARS])


@lru_cache(maxsize=8_192)  # keyed by at most READ_CHARS characters: ~16 MB at most
def _words(text: str) -> frozenset[str]:
    words = _WORD.findall(text)
    return frozenset(stem(w) for w in words).union(
        stem(w.replace("-", "")) for w in words if _COMPOUND.fullmatch(w)
    )


def query_names(query: str) -> frozenset[str]:
    """The query's names: its capitalized words but the first (which a sentence capitalizes anyway)
    and the first person, as word keys."""
    text = query.lstrip()
    first = _CAPITALIZED.match(text)
    names = set()
    for match in _CAPITALIZED.finditer(text):
        if first is not None and match.start() == first.start():
            continue
        if match.group().casefold() not in _NOT_NAMES:
            names.add(stem(match.group()))
    return frozenset(n for n in names if n)


@dataclass(frozen=True)
class QueryWords:
    """A query's word keys, each with its information (the most informative of its forms), and its
    names."""

    weights: Mapping[str, float]
    names: frozenset[str]

    @property
    def total(self) -> float:
        return sum(self.weights.values())


def query_words(query: str) -> QueryWords:
    weights: dict[str, float] = {}
    for word in _WORD.findall(query):
        key = stem(word)
        weights[key] = max(weights.get(key, 0.0), information(word.casefold().replace("’", "'")))
    return QueryWords(weights, query_names(query))


def word_features(query: QueryWords, content: str, model: ConfidenceFeaturesModel) -> dict[str, float]:
    """A hit's word features (see the module's docstring). A query without informative words counts
    none as found: the vector decides alone."""
    found = memory_words(content)
    matched = held_weight(query, found)
    total = query.total
    names = query.names
    return {
        "overlap": matched / total if total > 0 else 0.0,
        "matched": min(matched, model.matched_cap) / model.matched_cap,
        "names_found": sum(1 for n in names if n in found) / len(names) if names else 1.0,
    }


def held_weight(query: QueryWords, found: frozenset[str]) -> float:
    """The weight of the query's informative words that `found` (a memory's word keys) holds."""
    return sum(w for key, w in query.weights.items() if key in found)


def overlap(query: QueryWords, content: str) -> float:
    """The share of the query's information a memory's words hold (its `overlap` word feature); a
    query without informative words: 0."""
    total = query.total
    return held_weight(query, memory_words(content)) / total if total > 0 else 0.0


WORD_FEATURES: tuple[str, ...] = ("overlap", "matched", "names_found")
