"""What a ranking term is: a name, a signal read off the query once per request, the types it
applies to, and per type a weight and an expression over a point's payload."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ....memtypes.formula import SCORE, Expr, Var
from ....memtypes.types import MemoryType, TypePolicy
from ...options import RetrievalConfig
from ..model import RankingModel
from ..times.temporal import TimeWindow

STAGE_SCORE = Var(SCORE)


@dataclass(frozen=True)
class QueryContext:
    """One request as the terms see it when they prepare their signals."""

    query: str
    now: datetime
    config: RetrievalConfig
    temporal: bool  # the time parser is on for this request (`ranking.times.temporal`)
    model: RankingModel  # the retriever's: the terms' fitted constants
    anchored: TimeWindow | None = None  # the window an event the query names gives (the store's)


@dataclass(frozen=True)
class TermInputs:
    """What a term's weight and expression are built from, for one type at one instant."""

    policy: TypePolicy  # the type's defaults, with the request's weight overrides
    now_ts: float
    relevance: Expr  # the relevance stage's score, as the search mode makes it
    model: RankingModel  # the retriever's: the terms' fitted constants
    signal: Any = None  # the term's own signal from this query (None: it has none)


class RankingTerm:
    """One term of the score. Subclasses set `name` and define `weight` and `expr`; a term that
    reads the query defines `signal`, one confined to some types `applies_to`."""

    name: str = ""

    def signal(self, query: QueryContext) -> Any:
        """What this term reads off the query, once per request (None: nothing)."""
        return None

    def applies_to(self, memory_type: MemoryType) -> bool:
        return True

    def weight(self, inputs: TermInputs) -> float:
        raise NotImplementedError

    def expr(self, inputs: TermInputs) -> Expr:
        raise NotImplementedError
