"""Terms of intentions (prospective memory): how close the due time is, overdue, and a trigger
phrase of the item occurring in the query."""

from __future__ import annotations

from typing import Any

from ....memtypes.formula import AllOf, Const, Expr, FieldEquals, FieldIn, FieldRange, GaussDecay, Var
from ....memtypes.language.text import phrase_keys_in
from ....memtypes.types import DAY_SECONDS, SPECS, MemoryType
from .base import QueryContext, RankingTerm, TermInputs

# A point without `due_ts` is treated as due a century away: its `due` term is 0.
_NO_DUE_OFFSET_S = 100 * 365 * DAY_SECONDS


class DueTerm(RankingTerm):
    """0.5 ** ((due_at - now)² / scale²): how close an item's due time is."""

    name = "due"

    def weight(self, inputs: TermInputs) -> float:
        return inputs.policy.w_due

    def expr(self, inputs: TermInputs) -> Expr:
        due = Var("due_ts", inputs.now_ts + _NO_DUE_OFFSET_S)
        return GaussDecay(due, Const(inputs.now_ts), scale=inputs.policy.due_scale_days * DAY_SECONDS)


class OverdueTerm(RankingTerm):
    """1 when an item is pending and already due, so it comes first."""

    name = "overdue"

    def weight(self, inputs: TermInputs) -> float:
        return inputs.policy.w_overdue

    def expr(self, inputs: TermInputs) -> Expr:
        return AllOf((FieldEquals("status", "pending"), FieldRange("due_ts", lt=inputs.now_ts)))


class TriggerTerm(RankingTerm):
    """1 when a pending item's trigger phrase occurs in the query. Its signal, the query's phrase
    keys, also drives the trigger-filtered search (mnemo.retrieval.stages.search_plan)."""

    name = "trigger"

    def signal(self, query: QueryContext) -> tuple[str, ...]:
        return phrase_keys_in(query.query)

    def applies_to(self, memory_type: MemoryType) -> bool:
        return SPECS[memory_type].due_dated

    def weight(self, inputs: TermInputs) -> float:
        return inputs.policy.w_trigger if inputs.signal else 0.0

    def expr(self, inputs: TermInputs) -> Expr:
        phrases: Any = inputs.signal or ()
        return AllOf((FieldEquals("status", "pending"), FieldIn("trigger_key", phrases)))
