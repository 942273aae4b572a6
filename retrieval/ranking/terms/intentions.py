"""Terms of intentions (prospective memory): due within the window a question about tasks names, how
close the due time is and overdue (for a question about what to do that names no time), and a
trigger phrase of the item occurring in the query.

Only a question about things to do (mnemo.retrieval.ranking.times.due_windows) moves intentions by their
due dates: for any other question an item due tomorrow or overdue is no likelier to answer it, and
lifting it put reminders into unrelated answers."""

from __future__ import annotations

from typing import Any

from ....memtypes.formula import AllOf, Const, Expr, FieldEquals, FieldIn, FieldRange, GaussDecay, Mult, Var
from ....memtypes.language.text import phrase_keys_in
from ....memtypes.types import DAY_SECONDS, SPECS, MemoryType
from ..matter_state import asks_matter_state
from ..times.task_questions import TaskQuestion, anchored_question, task_question
from .base import QueryContext, RankingTerm, TermInputs

# A point without `due_ts` is treated as due a century away: its `due` term is 0.
_NO_DUE_OFFSET_S = 100 * 365 * DAY_SECONDS
# How triggers tied to a place begin ("next time at the garage"): a query that names the place
# ("off to the garage") fires them. Places of up to PLACE_WORDS words.
TRIGGER_LEADS = ("next time at", "next time in", "next time i'm at", "when at", "when in", "at")
PLACE_WORDS = 4


def _asked(query: QueryContext) -> TaskQuestion | None:
    # An event ahead the question is timed by gives it its window ("before the move").
    asked = task_question(query.query, query.now, query.model.due_window.leave_rule)
    return anchored_question(asked, query.anchored)


class _OpenTaskTerm(RankingTerm):
    """A term that counts only for a question about what to do that names no time (its signal)."""

    def signal(self, query: QueryContext) -> bool:
        asked = _asked(query)
        return asked is not None and asked.open


class DueWindowTerm(RankingTerm):
    """1 when a pending item falls due within the window a question about tasks names ("next
    week", "in January", "overdue")."""

    name = "due_window"

    def signal(self, query: QueryContext) -> TaskQuestion | None:
        asked = _asked(query) if query.temporal else None
        return asked if asked is not None and asked.window is not None else None

    def applies_to(self, memory_type: MemoryType) -> bool:
        return SPECS[memory_type].due_dated

    def weight(self, inputs: TermInputs) -> float:
        # Above any lead relevance gives another memory (relevance is about 0..1 times its weight):
        # every item of the window is listed first, in the order of their relevance.
        return inputs.model.due_window.weight if inputs.signal is not None else 0.0

    def expr(self, inputs: TermInputs) -> Expr:
        asked: TaskQuestion = inputs.signal
        assert asked.window is not None
        due = FieldRange("due_ts", gte=asked.window.start.timestamp(), lt=asked.window.end.timestamp())
        return AllOf((FieldEquals("status", "pending"), due))


class DueTerm(_OpenTaskTerm):
    """0.5 ** ((due_at - now)² / scale²): how close an item's due time is; also for a question that
    names a window and nothing else, whose words cannot rank what is due in it."""

    name = "due"

    def signal(self, query: QueryContext) -> bool:
        asked = _asked(query)
        return asked is not None and (asked.open or asked.soonest)

    def weight(self, inputs: TermInputs) -> float:
        return inputs.policy.w_due if inputs.signal else 0.0

    def expr(self, inputs: TermInputs) -> Expr:
        due = Var("due_ts", inputs.now_ts + _NO_DUE_OFFSET_S)
        return GaussDecay(due, Const(inputs.now_ts), scale=inputs.policy.due_scale_days * DAY_SECONDS)


class OverdueTerm(_OpenTaskTerm):
    """1 when an item is pending and already due, so it comes first (for a question about what to
    do that names no time; one that names "overdue" reads it as its window)."""

    name = "overdue"

    def weight(self, inputs: TermInputs) -> float:
        return inputs.policy.w_overdue if inputs.signal else 0.0

    def expr(self, inputs: TermInputs) -> Expr:
        return AllOf((FieldEquals("status", "pending"), FieldRange("due_ts", lt=inputs.now_ts)))


class PastDueTerm(RankingTerm):
    """For a question that is not about things to do, a pending item already past its due date
    keeps only part of its relevance: a reminder nobody closed is seldom what such a question asks
    for, and at full relevance one came into many unrelated answers. Proportional, so a score never
    turns negative. Not for a question that asks how a matter stands (ranking/matter_state.py): what
    is still to be done about it is part of the answer."""

    name = "past_due"

    def signal(self, query: QueryContext) -> bool:
        return _asked(query) is None and not asks_matter_state(query.query)

    def applies_to(self, memory_type: MemoryType) -> bool:
        return SPECS[memory_type].due_dated

    def weight(self, inputs: TermInputs) -> float:
        return -inputs.model.intentions.past_due_share * inputs.policy.w_similarity if inputs.signal else 0.0

    def expr(self, inputs: TermInputs) -> Expr:
        past_due = AllOf((FieldEquals("status", "pending"), FieldRange("due_ts", lt=inputs.now_ts)))
        return Mult((inputs.relevance, past_due))


class TriggerTerm(RankingTerm):
    """1 when a pending item's trigger phrase occurs in the query. Its signal, the query's phrase
    keys, also drives the trigger-filtered search (mnemo.retrieval.stages.search_plan)."""

    name = "trigger"

    def signal(self, query: QueryContext) -> tuple[str, ...]:
        keys = phrase_keys_in(query.query)
        # A place said plainly ("heading to IKEA") is where a trigger "next time at IKEA" fires.
        places = (k for k in keys if k.count(" ") < PLACE_WORDS)
        return keys + tuple(f"{lead} {place}" for place in places for lead in TRIGGER_LEADS)

    def applies_to(self, memory_type: MemoryType) -> bool:
        return SPECS[memory_type].due_dated

    def weight(self, inputs: TermInputs) -> float:
        return inputs.policy.w_trigger if inputs.signal else 0.0

    def expr(self, inputs: TermInputs) -> Expr:
        phrases: Any = inputs.signal or ()
        return AllOf((FieldEquals("status", "pending"), FieldIn("trigger_key", phrases)))
