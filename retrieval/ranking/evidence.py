"""What the words of a request's best hits say about the query, for the confidence model
(mnemo.retrieval.ranking.confidence): an absolute signal beside the score, which only orders.

A score says which memory ranks above which; it cannot say that *nothing* stored answers ("How long
have I lived in my apartment in Shinjuku?" when the user only ever lived in Harajuku: the Harajuku
turn still ranks first, with a score like an answer's). The words can: the query's terms (BM25's:
stemmed, stop words out) that a hit contains, and the query's names (capitalized words: people,
places, titles) that none of the best hits mention.

Computed for the `HEAD` best candidates only (what an agent reads and what the calibration is judged
on): tokenizing a short hit costs ~25 µs, so the head costs ~0.2–0.5 ms whatever the number of
candidates (`READ_CHARS` bounds a long one). The same function serves the service
(stages/respond.py, over its candidates' payloads) and `mnemo bench quality` (over the memories a
retrieval returned), so the fit reads exactly what the service reads.

Pure: the same texts give the same features.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ...memtypes.ports import SparseEncoder

HEAD = 10  # the best candidates whose words are read
# The characters of a hit that are read: tokenizing costs ~0.2 ms per 1,000 characters, and a long
# chat turn (LongMemEval's assistant answers run to 10,000) would cost milliseconds; the dense side
# reads no more (the embedding model's 256 word pieces).
READ_CHARS = 2_000

_WORD = re.compile(r"\w+")
# A capitalized word (letters first): "Shinjuku", "Sapiens", "Tom", "Master's".
_CAPITALIZED = re.compile(r"(?<![\w'-])[A-Z][\w'-]*")
_NOT_NAMES = frozenset({"i", "i'm", "i've", "i'd", "i'll"})


def query_names(query: str) -> frozenset[str]:
    """The query's names: its capitalized words but the first (which a sentence capitalizes anyway)
    and the first person, case-folded, without a possessive."""
    first = _CAPITALIZED.match(query.lstrip())
    names = set()
    for match in _CAPITALIZED.finditer(query.lstrip()):
        if first is not None and match.start() == first.start():
            continue
        word = match.group().casefold().removesuffix("'s").removesuffix("'")
        if word and word not in _NOT_NAMES:
            names.add(word)
    return frozenset(names)


def words(text: str) -> frozenset[str]:
    return frozenset(w.casefold() for w in _WORD.findall(text))


Terms = Callable[[Sequence[str]], list[frozenset[int]]]  # texts → each one's BM25 term ids


def terms_of(encoder: SparseEncoder) -> Terms:
    """The encoder's tokenization (documents'; a query's terms are the same) as sets of term ids."""

    def terms(texts: Sequence[str]) -> list[frozenset[int]]:
        return [frozenset(v.indices) for v in encoder.documents(texts)]

    return terms


def text_features(query: str, contents: Sequence[str], terms: Terms) -> list[dict[str, float]]:
    """Each head hit's text features (`contents`: the head's, best first; `terms`: the sparse
    encoder's tokenization, the same as the index's):

    - `coverage`: the share of the query's terms the hit contains;
    - `top_coverage`: the best coverage in the head (the request's);
    - `terms_found`: the share of the query's terms some head hit contains (the request's);
    - `names_found`: the share of the query's names some head hit mentions (1 when it names none).

    A query without terms (stop words only) counts every term as found: its words cannot tell, and
    the rank features decide alone."""
    if not contents:
        return []
    contents = [c[:READ_CHARS] for c in contents]
    asked, *hit_terms = terms([query, *contents])
    coverage = [len(asked & t) / len(asked) if asked else 1.0 for t in hit_terms]
    request = {
        "top_coverage": max(coverage),
        "terms_found": len(frozenset().union(*hit_terms) & asked) / len(asked) if asked else 1.0,
        "names_found": _names_found(query_names(query), contents),
    }
    return [{"coverage": c, **request} for c in coverage]


def _names_found(names: frozenset[str], contents: Sequence[str]) -> float:
    if not names:
        return 1.0
    mentioned = frozenset().union(*(words(c) for c in contents))
    return sum(1 for n in names if n in mentioned) / len(names)


TEXT_FEATURES: tuple[str, ...] = ("coverage", "top_coverage", "terms_found", "names_found")
