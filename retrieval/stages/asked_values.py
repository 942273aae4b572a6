"""Two values of what a question asks: of two statements that answer one question about the present,
the newer is the current value (stages/rank.py and stages/changed_events.py lift it).

The lifts compare two statements by themselves: a shared name and the cosine of their dense vectors
at least the ranking model's `newer_first.min_cosine`. A restated value often says more than the value
("Electricity is with Electric Ireland, billed every two months, the meter in the porch" and later
"Electricity is now with Flogas, 31.5c a unit on a fixed rate"), and its whole text then means less
alike than that bar asks, while two distinct facts about one person may mean more alike ("Alice started
a new job at the bakery" and "Alice is allergic to peanuts"). No bar on the pair alone separates them.

The question does: two values of what it asks are both about as close to it as its best hit, and
both name the subject it names; a distinct fact about the same person is far from a question about
the other fact ("What is Alice allergic to?" and the new job). So two statements are also two values
of the asked thing when:

- both share a word the question names (a name, "electricity", "supervisor", a file name), or a name;
- each one's cosine with the question is at least `newer_first.asked_share` of the best cosine with
  it among the hits compared (each type's first hit among them);
- their own cosine is at least `newer_first.asked_min_cosine`, below the bar for a pair alone: the
  question has already said what they are about.

The vectors are those the lifts read anyway (and each type's first hit, in the same read); the
question's is the one it was searched with. A sparse-only search has none: the rule is off.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy.typing as npt

from ...memtypes.language.facts import NOT_NAMES, signature
from ..ranking.model import NewerFirstModel
from .post import SameMeaning, cosines_with, never, same_meaning

_SHORTEST = 3  # shorter words name nothing a statement is about ("we", "do")
# A question that asks for a value as it is now (English usage): "my current rate", "is Karen still
# our PM?".
_ASKS_NOW = re.compile(
    r"\b(?:now|currently|current|still|nowadays|these\s+days|at\s+(?:the\s+moment|this\s+point|present))\b",
    re.I,
)


def asks_now(question: str) -> bool:
    """Whether a question asks for a value as it is now ("who's the sparky now?")."""
    return _ASKS_NOW.search(question) is not None


@dataclass(frozen=True)
class Asked:
    """What a question asks about: the words it names (`words`), and whether two hits (older id,
    newer id) are two values of it by their vectors (`values`)."""

    words: frozenset[str] = frozenset()
    values: SameMeaning = never

    def shares(self, a: frozenset[str], b: frozenset[str]) -> bool:
        """Whether two statements' words share one the question names."""
        return not self.words.isdisjoint(a & b)


NOTHING_ASKED = Asked()


def asked_words(question: str) -> frozenset[str]:
    """The words a question names that a statement may be about: the thing it asks for, not its
    furniture ("what", "is", "now") nor its shortest words; not its names either (every fact of a
    person's store names the person: "where's Kasia from?" is no question about where Kasia lives),
    unless it asks for the value now ("what's Imran's title now?")."""
    said = signature(question)
    names = frozenset() if asks_now(question) else said.names
    return frozenset(w for w in said.words if len(w) >= _SHORTEST and w not in NOT_NAMES and w not in names)


@dataclass(frozen=True)
class Question:
    """The question a retrieval answers: its text and the dense vector it was searched with (None:
    a sparse-only search, or none known)."""

    text: str = ""
    vector: Sequence[float] | None = None

    def words(self, fit: NewerFirstModel) -> frozenset[str]:
        """The words it names, where two values of it can be judged (its vector known, the rule on)."""
        if self.vector is None or fit.asked_min_cosine <= 0.0:
            return frozenset()
        return asked_words(self.text)


NO_QUESTION = Question()


def asked(
    words: frozenset[str],
    query_vector: Sequence[float] | None,
    vectors: Mapping[str, npt.ArrayLike],
    fit: NewerFirstModel,
    *,
    restating: bool = True,
) -> Asked:
    """What a question that names `words` asks about, its values judged by `vectors` (by id: those
    the lifts read, each type's first hit among them) and the question's own vector. Nothing is
    asked where it names no word or no vector is known. `restating`: two values must also restate
    one another (`fit.asked_min_cosine`); without, both near the question suffices, for a caller that
    has tied the two by another hit each restates."""
    if not words or query_vector is None or not vectors:
        return NOTHING_ASKED
    near = cosines_with(query_vector, vectors)
    floor = fit.asked_share * max(near.values())
    alike = same_meaning(vectors, fit.asked_min_cosine) if restating else _any_pair

    def values(older: str, newer: str) -> bool:
        return near.get(older, -1.0) >= floor and near.get(newer, -1.0) >= floor and alike(older, newer)

    return Asked(words, values)


def _any_pair(older: str, newer: str) -> bool:
    """Every two hits restate one another (their tie is judged elsewhere)."""
    return True
