"""The preference term: 1 for a memory that states a preference or a rule (the write path's
`states_preference` flag, mnemo.memtypes.language.preferences), weighted only for a question that
asks leave or advice. "Alyssa is an early riser, would it be all right to call her at 7:30?" names
the occasion; "no calls before 9:00am" answers it, though it shares almost none of its words and an
event about Alyssa shares many. Facts and procedures only: an event tells what happened once, a
reminder what is to be done.

The question's reading is `asks_for_a_rule` (ranking/asked/asked_kinds.py), less a question that asks
how (the steps answer it: terms/how.py) or about things to do (ranking/times/due_windows.py)."""

from __future__ import annotations

from ....memtypes.formula import AllOf, Const, Expr, FieldEquals
from ....memtypes.types import SPECS, MemoryType
from ..asked.asked_kinds import asks_for_a_rule
from ..times.due_windows import asks_about_tasks
from .base import QueryContext, RankingTerm, TermInputs
from .how import asks_how


def asks_leave_or_advice(query: str) -> bool:
    """Whether the query asks leave or advice that a preference or a rule answers."""
    return asks_for_a_rule(query) and not asks_how(query) and not asks_about_tasks(query)


class PreferenceTerm(RankingTerm):
    name = "preference"

    def signal(self, query: QueryContext) -> bool:
        return asks_leave_or_advice(query.query)

    def applies_to(self, memory_type: MemoryType) -> bool:
        spec = SPECS[memory_type]
        return not spec.holds_events and not spec.due_dated

    def weight(self, inputs: TermInputs) -> float:
        return inputs.model.preference.weight if inputs.signal else 0.0

    def expr(self, inputs: TermInputs) -> Expr:
        if not inputs.signal:
            return Const(0.0)
        return AllOf((FieldEquals("states_preference", True),))
