"""What makes a statement a fact: its numbers and identifiers, its names, its negation.

Shared by the write path (two texts are one memory only if their signatures agree) and retrieval
(a newer statement about the same subject ranks above an older one). Pure text rules, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Tokens: anything with a digit (4471, #1003, 10.0.0.3, $12.50, 2024-05-01, 09:03, 3pm), words.
_TOKEN = re.compile(r"[#$€£]?\w*\d[\w.:/,-]*\w|[#$€£]?\d|[A-Za-z\u00C0-\uFFFF][\w'’-]*")
# A capitalised name with a number in it ("CX5", "U12s", "A4"): a model's, a team's, a paper size's
# name, told as a name is; not a code or a reference ("MOT7712045"), whose figures run longer.
_MODEL_NAME = re.compile(r"[A-Z][A-Za-z]*\d{1,2}[a-z]?(?:['’]s)?")
_REMEMBER = re.compile(r"\b(?:don[’']?t|do not|never) forget\b", re.IGNORECASE)
_NEGATIONS = frozenset(
    {"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without", "cannot", "nowhere"}
)
# Capitalised words that are not names: sentence starters, pronouns, function words.
NOT_NAMES = frozenset(
    {
        "a", "an", "the", "i", "i'm", "i've", "i'd", "i'll", "he", "she", "it", "they", "we", "you",
        "his", "her", "its", "their", "our", "my", "your", "this", "that", "these", "those", "there",
        "here", "then", "now", "today", "tomorrow", "yesterday", "tonight", "also", "and", "but", "or",
        "so", "if", "when", "while", "after", "before", "during", "since", "until", "at", "in", "on",
        "of", "for", "from", "to", "by", "with", "about", "as", "please", "remember", "remind",
        "reminder", "note", "don't", "do", "does", "did", "is", "are", "was", "were", "be", "has",
        "have", "had", "can", "could", "should", "would", "will", "may", "must", "might", "let",
        "let's", "what", "who", "where", "why", "how", "which", "every", "each", "all", "some", "any",
        "one", "user", "customer", "yes", "no", "not", "never", "to-do", "todo", "tip", "fyi", "btw",
        "ok", "okay", "hey", "hi", "hello", "dear", "mr", "mrs", "ms", "dr",
    }
)  # fmt: skip


@dataclass(frozen=True)
class FactSignature:
    """What must agree for two texts to be one fact: numbers and identifiers, names, negation."""

    numbers: frozenset[str]  # every token with a digit: 4471, #1003, 10.0.0.3, 2024-05-01, 09:03
    names: frozenset[str]  # capitalised words that are not sentence furniture ("Alice", "Denver")
    words: frozenset[str]  # every word but negations, casefolded
    negated: bool
    sequence: tuple[str, ...] = ()  # the words in order, for the order of names
    titled: frozenset[str] = frozenset()  # the names written Like This (not acronyms like PIN)

    def agrees_with(self, other: FactSignature) -> bool:
        """Same numbers, same negation, no name of one missing from the other's words (a name that
        is only capitalised at a sentence start in one wording still matches the other), and the
        names in the same order ("Alice's manager is Bob" is not "Bob's manager is Alice")."""
        if self.numbers != other.numbers or self.negated != other.negated:
            return False
        if not (self.names <= other.words and other.names <= self.words):
            return False
        names = self.titled | other.titled
        return _order(self.sequence, names) == _order(other.sequence, names)


def _order(sequence: tuple[str, ...], names: frozenset[str]) -> list[str]:
    seen: dict[str, None] = {}
    for word in sequence:
        if word in names:
            seen.setdefault(word)
    return list(seen)


# Retrieval asks for the signatures of the same memories request after request (the best hits of a
# tenant's store recur): a bounded memo makes that a dict lookup. Signatures are immutable.
@lru_cache(maxsize=32_768)
def signature(content: str) -> FactSignature:
    content = _REMEMBER.sub("remember", content)  # "don't forget" is a reminder, not a negation
    numbers: set[str] = set()
    names: set[str] = set()
    words: set[str] = set()
    sequence: list[str] = []
    titled: set[str] = set()
    negations = 0
    for token in _TOKEN.findall(content):
        folded = token.casefold().replace("’", "'").removesuffix("'s")
        if folded.endswith("n't") or folded in _NEGATIONS:
            negations += 1
            stem = {"cannot": "can", "can't": "can", "won't": "will"}.get(folded, folded.removesuffix("n't"))
            if stem and stem not in _NEGATIONS:
                words.add(stem)
            continue
        words.add(folded)
        sequence.append(folded)
        if any(c.isdigit() for c in token):
            numbers.add(folded.rstrip(".,:"))
            if _MODEL_NAME.fullmatch(token):  # a model's or a team's name: "CX5", "U12s"
                names.add(folded)
        elif token[0].isupper() and folded not in NOT_NAMES:
            names.add(folded)
            if not token.isupper():
                titled.add(folded)
    return FactSignature(
        frozenset(numbers),
        frozenset(names),
        frozenset(words),
        negations % 2 == 1,
        tuple(sequence),
        frozenset(titled),
    )
