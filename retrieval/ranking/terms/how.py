"""The how-to term: 1 for a memory of how to do things (a type that `answers_how`), weighted only
for a query that asks how to do something ("how do I top up the boiler?", "the prover shows E04,
what do I do?"). The steps are what answers it; an event or a fact about the same thing only tells
of it."""

from __future__ import annotations

import re

from ....memtypes.formula import Const, Expr
from ....memtypes.language.text import spelled_out
from ....memtypes.types import SPECS, MemoryType
from ..times.due_windows import WHAT_TO_DO, asks_about_tasks
from .base import QueryContext, RankingTerm, TermInputs

_ASKS_HOW = re.compile(
    r"\bhow\s+(?:do|does|should|can|could|would|to)\b"
    r"|\bwhat\s+(?:do|should|must)\s+(?:i|we|you)\s+do\b"
    r"|\b(?:steps|procedure|instructions|checklist)\b|\bremind\s+me\s+how\b",
    re.I,
)
# More ways to ask for the steps: a method, a recipe, a runbook, the process for something, what to
# check, "what now?" after a fault, the next step; what one needs to do of a situation ("changing the
# save format, what do I need to do"), not of a time ahead (ranking/times/due_windows.py) (a ranking model
# may leave them out: `HowToModel.steps_phrasings`).
_ASKS_STEPS = re.compile(
    r"\b(?:method|recipe|runbook)\b|\bprocess\s+(?:for|to|of)\b"
    r"|\bwhat\s+(?:should|do|must|can)\s+(?:i|we)\s+check\b|\bwhat\s+now\b|\b(?:next|first)\s+step\b",
    re.I,
)
# "How does Lena like to hear about price rises?" asks what someone prefers, "how does my father feel
# about moving?" what someone thinks: not how to do it.
_ASKS_PREFERENCE = re.compile(
    r"\bhow\s+(?:do|does|did)\s+(?:\w+\s+){1,3}(?:want|like|prefer|feel|think)"
    # Asked as a request: "remind me how I like vendor emails written".
    r"|\bhow\s+(?:i|we|you|he|she|they)\s+(?:\w+\s+)?(?:want|like|prefer|feel|think)\b",
    re.I,
)
# "How do I usually sign off emails?", "how do I get to work these days?" ask a habit: how one does
# it, which a statement tells as often as the steps of doing it do.
_HABIT = re.compile(r"\b(?:usually|normally|typically|nowadays|these\s+days)\b", re.I)


def asks_steps_to_do(query: str) -> bool:
    """Whether the query asks what one needs to do without naming a time or an occasion ahead
    ("what do I have to do for subcontractors' payments?"): the steps of doing it, not one's list."""
    return WHAT_TO_DO.search(spelled_out(query)) is not None and not asks_about_tasks(query)


def asks_how(query: str, steps_phrasings: bool = True) -> bool:
    """Whether the query asks how to do something (`steps_phrasings`: a method, a runbook, "what
    now?" ask too)."""
    steps = steps_phrasings and (_ASKS_STEPS.search(query) is not None or asks_steps_to_do(query))
    asked = _ASKS_HOW.search(query) is not None or steps
    return asked and _ASKS_PREFERENCE.search(query) is None and _HABIT.search(query) is None


def asks_usual_way(query: str) -> bool:
    """Whether the query asks how one usually does something ("how do I normally structure a vendor
    escalation note?"): a procedure answers it where the writer keeps one, a statement of the habit
    where not, so no kind of memory is lifted for it; only the nearer by meaning may lead."""
    asked = _ASKS_HOW.search(query) is not None and _HABIT.search(query) is not None
    return asked and _ASKS_PREFERENCE.search(query) is None


class HowToTerm(RankingTerm):
    name = "how_to"

    def signal(self, query: QueryContext) -> bool:
        return asks_how(query.query, query.model.how_to.steps_phrasings)

    def applies_to(self, memory_type: MemoryType) -> bool:
        return SPECS[memory_type].answers_how

    def weight(self, inputs: TermInputs) -> float:
        return inputs.model.how_to.weight if inputs.signal else 0.0

    def expr(self, inputs: TermInputs) -> Expr:
        return Const(1.0)
