"""Terms of time asked about: a memory of the time the query names ("last May", "in 2022", "this
month", "last spring", or an event's: "since we moved", stages/event_anchor.py), and one that states
a time when the query asks when (mnemo.memtypes.language.time_mentions). Not for due-dated types
(intentions): their due dates rank them (ranking/times/due_windows.py).

A memory is of the time named when it occurred within it or, where it carries a validity of its own
(`valid_from` or `valid_until`, valid time), when it held during any of it: "Dean is the AP lead"
valid from 1 September answers "who ran AP this month?" though it was written in August."""

from __future__ import annotations

from dataclasses import dataclass

from ....memtypes.formula import AllOf, Const, Excludes, Expr, FieldEquals, FieldRange, Missing, Sum
from ....memtypes.language.time_mentions import asks_when, asks_when_happened
from ....memtypes.types import SPECS, MemoryType
from ..asked.asked_kinds import asks_for_a_rule
from ..times.task_questions import task_question
from ..times.temporal import TimeWindow, parse_time_window
from .base import QueryContext, RankingTerm, TermInputs


@dataclass(frozen=True)
class TimeBoost:
    """Memories that occurred within `window` (its end extended by `slack_s`) gain `weight`."""

    window: TimeWindow
    weight: float
    slack_s: float = 0.0


class TimeTerm(RankingTerm):
    """1 when the memory is of the time the query names: occurred within it, or (a memory with a
    validity of its own) held during it."""

    name = "time"

    def signal(self, query: QueryContext) -> TimeBoost | None:
        if not query.temporal:
            return None
        # A question about things to do names a time ahead ("in January" is the next one): the
        # same window as its due dates' (ranking/times/due_windows.py).
        asked = task_question(query.query, query.now, query.model.due_window.leave_rule)
        if asked is None and asks_for_a_rule(query.query):
            # Leave asked for a time ("a party on Sunday at 3, can I say yes?") names the time of what
            # is planned: a rule answers it, not what happened last Sunday.
            return None
        window = asked.window if asked is not None else None
        window = window or parse_time_window(query.query, query.now)
        if window is None and query.anchored is not None:
            # A time named by an event ("since we moved") ends at a known instant: no slack.
            return TimeBoost(query.anchored, query.config.time_weight)
        # Events are told a little after they happen: the window extended past its end.
        return TimeBoost(window, query.config.time_weight, query.model.time.slack_s) if window else None

    def applies_to(self, memory_type: MemoryType) -> bool:
        return not SPECS[memory_type].due_dated

    def weight(self, inputs: TermInputs) -> float:
        boost: TimeBoost | None = inputs.signal
        return boost.weight if boost else 0.0

    def expr(self, inputs: TermInputs) -> Expr:
        boost: TimeBoost | None = inputs.signal
        if boost is None:
            return Const(0.0)
        return of_the_time(boost.window.start.timestamp(), boost.window.end.timestamp() + boost.slack_s)


def of_the_time(start: float, end: float) -> Expr:
    """1 when a point is of the time from `start` to `end` (epoch seconds): without a validity of
    its own, it occurred then; with one, it held during some of it (its validity begins before the
    end and ends, if at all, after the start). The two cases exclude each other: their sum is 0 or 1."""
    no_validity = (Missing("valid_from_ts"), Missing("valid_until_ts"))
    occurred = AllOf((*no_validity, FieldRange("occurred_ts", gte=start, lt=end)))
    held = AllOf(
        (
            Excludes(no_validity),
            Excludes((FieldRange("valid_from_ts", gte=end),)),
            Excludes((FieldRange("valid_until_ts", lt=start),)),
            # Without a `valid_from` it began to hold when it occurred.
            Excludes((Missing("valid_from_ts"), FieldRange("occurred_ts", gte=end))),
        )
    )
    return Sum((occurred, held))


@dataclass(frozen=True)
class WhenAsked:
    """A when-question's lift, and whether it asks about now or ahead ("when are sup mtgs now?",
    "when do I usually call mamá?"), which a schedule answers, or when something happened, which it
    does not ("when did I start with Kenji?" beside "Kenji: Fridays 09:00")."""

    weight: float
    about_now: bool


class TellsTimeTerm(RankingTerm):
    """1 when the memory states a time ("last Saturday", "in May"), or for a question about now or
    ahead the time a schedule keeps ("Sundays at 17:00"); weighted only for a query that asks when.
    Memories written before the flags existed lack them and are simply not lifted."""

    name = "tells_time"

    def signal(self, query: QueryContext) -> WhenAsked | None:
        # "When's the best time to remind me?" asks advice: a preference answers it, dated or not.
        asked = query.temporal and asks_when(query.query) and not asks_for_a_rule(query.query)
        if not asked:
            return None
        return WhenAsked(query.config.tells_time_weight, not asks_when_happened(query.query))

    def applies_to(self, memory_type: MemoryType) -> bool:
        return not SPECS[memory_type].due_dated

    def weight(self, inputs: TermInputs) -> float:
        asked: WhenAsked | None = inputs.signal
        return asked.weight if asked is not None else 0.0

    def expr(self, inputs: TermInputs) -> Expr:
        told = AllOf((FieldEquals("tells_time", True),))
        asked: WhenAsked | None = inputs.signal
        if asked is None or not asked.about_now:
            return told
        # A schedule that states no other time: the two cases exclude each other, their sum is 0 or 1.
        scheduled = AllOf((FieldEquals("tells_schedule", True), Excludes((FieldEquals("tells_time", True),))))
        return Sum((told, scheduled))
