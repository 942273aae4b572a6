"""The how-to term: 1 for a memory of how to do things (a type that `answers_how`), weighted only
for a query that asks how to do something ("how do I top up the boiler?", "the prover shows E04,
what do I do?"). The steps are what answers it; an event or a fact about the same thing only tells
of it."""

from __future__ import annotations

import re

from ....memtypes.formula import Const, Expr
from ....memtypes.types import SPECS, MemoryType
from .base import QueryContext, RankingTerm, TermInputs

# A lift like the time terms': enough to order the steps above a story about the same thing, far
# below what relevance separates. A fitted constant, not a setting (benchmarks/README.md).
HOW_WEIGHT = 0.1
_ASKS_HOW = re.compile(
    r"\bhow\s+(?:do|does|should|can|could|would|to)\b"
    r"|\bwhat\s+(?:do|should|must)\s+(?:i|we|you)\s+do\b"
    r"|\b(?:steps|procedure|instructions|checklist)\b|\bremind\s+me\s+how\b",
    re.I,
)
# More ways to ask for the steps: a method, a recipe, a runbook, the process for something, what to
# check, "what now?" after a fault. A pattern, not a compiled one, so that `mnemo bench folds` can
# vary it (re caches its compilation).
ASKS_STEPS = (
    r"\b(?:method|recipe|runbook)\b|\bprocess\s+(?:for|to|of)\b"
    r"|\bwhat\s+(?:should|do|must|can)\s+(?:i|we)\s+check\b|\bwhat\s+now\b"
)
# "How does Lena like to hear about price rises?" asks what someone prefers, not how to do it.
_ASKS_PREFERENCE = re.compile(r"\bhow\s+(?:do|does|did)\s+(?:\w+\s+){1,3}(?:want|like|prefer)", re.I)


def asks_how(query: str) -> bool:
    """Whether the query asks how to do something."""
    asked = _ASKS_HOW.search(query) is not None or re.search(ASKS_STEPS, query, re.I) is not None
    return asked and _ASKS_PREFERENCE.search(query) is None


class HowToTerm(RankingTerm):
    name = "how_to"

    def signal(self, query: QueryContext) -> bool:
        return asks_how(query.query)

    def applies_to(self, memory_type: MemoryType) -> bool:
        return SPECS[memory_type].answers_how

    def weight(self, inputs: TermInputs) -> float:
        return HOW_WEIGHT if inputs.signal else 0.0

    def expr(self, inputs: TermInputs) -> Expr:
        return Const(1.0)
