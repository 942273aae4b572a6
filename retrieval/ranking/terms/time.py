"""Terms of time asked about: a memory that occurred within the time the query names ("last May",
"in 2022"), and one that states a time when the query asks when (mnemo.memtypes.language.time_mentions).
Not for due-dated types (intentions): their due dates rank them."""

from __future__ import annotations

from dataclasses import dataclass

from ....memtypes.formula import AllOf, Const, Expr, FieldEquals, FieldRange
from ....memtypes.language.time_mentions import asks_when
from ....memtypes.types import DAY_SECONDS, SPECS, MemoryType
from ..due_windows import task_question
from ..temporal import TimeWindow, parse_time_window
from .base import QueryContext, RankingTerm, TermInputs

# Events are told a little after they happen ("last week I ran a marathon"): a named time's window
# is extended this far past its end. A fitted constant, not a setting (benchmarks/README.md).
TIME_SLACK_S = 7 * DAY_SECONDS


@dataclass(frozen=True)
class TimeBoost:
    """Memories that occurred within `window` (its end extended by `slack_s`) gain `weight`."""

    window: TimeWindow
    weight: float
    slack_s: float = 0.0


class TimeTerm(RankingTerm):
    """1 when the memory occurred within the time the query names."""

    name = "time"

    def signal(self, query: QueryContext) -> TimeBoost | None:
        if not query.temporal:
            return None
        # A question about things to do names a time ahead ("in January" is the next one): the
        # same window as its due dates' (ranking/due_windows.py).
        asked = task_question(query.query, query.now)
        window = asked.window if asked is not None else None
        window = window or parse_time_window(query.query, query.now)
        return TimeBoost(window, query.config.time_weight, TIME_SLACK_S) if window else None

    def applies_to(self, memory_type: MemoryType) -> bool:
        return not SPECS[memory_type].due_dated

    def weight(self, inputs: TermInputs) -> float:
        boost: TimeBoost | None = inputs.signal
        return boost.weight if boost else 0.0

    def expr(self, inputs: TermInputs) -> Expr:
        boost: TimeBoost | None = inputs.signal
        if boost is None:
            return Const(0.0)
        window = FieldRange(
            "occurred_ts", gte=boost.window.start.timestamp(), lt=boost.window.end.timestamp() + boost.slack_s
        )
        return AllOf((window,))


class TellsTimeTerm(RankingTerm):
    """1 when the memory states a time ("last Saturday", "in May"); weighted only for a query that
    asks when. Memories written before the flag existed lack it and are simply not lifted."""

    name = "tells_time"

    def signal(self, query: QueryContext) -> float:
        return query.config.tells_time_weight if query.temporal and asks_when(query.query) else 0.0

    def applies_to(self, memory_type: MemoryType) -> bool:
        return not SPECS[memory_type].due_dated

    def weight(self, inputs: TermInputs) -> float:
        return float(inputs.signal or 0.0)

    def expr(self, inputs: TermInputs) -> Expr:
        return AllOf((FieldEquals("tells_time", True),))
