"""The ranking policy: one object renders the engine's score formula *and* explains each hit's score.

score = Σ weight·term over the registered ranking terms (`terms.TERMS`), each with its type's weight
and its signal from the query; terms of weight 0 are left out. Nothing here knows a term by name:
a term is what it registers. (Score changes after the engine's are post-engine stages:
mnemo.retrieval.stages.post.)

`relevance_only()` ranks by the relevance term alone (no formula runs when that is the stage's own
score).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ...memtypes.formula import Const, Expr, Mult, Sum, evaluate
from ...memtypes.types import MemoryType, TypePolicy
from ..options import RetrievalConfig, Tuning
from . import terms as registry
from .model import DEFAULT_MODEL, RankingModel
from .terms import QueryContext, TermInputs
from .terms.base import STAGE_SCORE
from .terms.stored import RelevanceTerm, relevance_expr
from .times.temporal import TimeWindow


@dataclass(frozen=True)
class Term:
    name: str
    weight: float
    expr: Expr


@dataclass(frozen=True)
class ScoreComponent:
    value: float
    weight: float
    contribution: float


@dataclass(frozen=True)
class Explanation:
    components: dict[str, ScoreComponent]
    total: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "components": {
                name: {"value": c.value, "weight": c.weight, "contribution": c.contribution}
                for name, c in self.components.items()
            },
        }


class RankingPolicy:
    """The ranking of one memory type at one instant (`now_ts`, seconds since the epoch).

    `signals` are the ranking terms' signals from the query, by term name (`ranking_policies`; a
    term without one has none); `model` says which terms run and holds their fitted constants."""

    def __init__(
        self,
        policy: TypePolicy,
        now_ts: float,
        *,
        relevance: Expr = STAGE_SCORE,
        signals: Mapping[str, Any] | None = None,
        model: RankingModel = DEFAULT_MODEL,
    ) -> None:
        self.policy = policy
        self.model = model
        self.now_ts = now_ts
        self.relevance = relevance
        self.signals: dict[str, Any] = dict(signals or {})
        self.ranks_in_engine = True
        self.terms = self._terms()

    def weight_of(self, name: str) -> float:
        return next((t.weight for t in self.terms if t.name == name), 0.0)

    def contribution(self, name: str, payload: Mapping[str, Any]) -> float:
        """One term's weighted value on this payload (0 when the term is not in the formula)."""
        term = next((t for t in self.terms if t.name == name), None)
        return term.weight * evaluate(term.expr, payload, ()) if term else 0.0

    @classmethod
    def relevance_only(
        cls, policy: TypePolicy, now_ts: float, relevance: Expr = STAGE_SCORE
    ) -> RankingPolicy:
        ranking = cls(policy, now_ts, relevance=relevance)
        # The stage's own score needs no formula; a combination of two lists' scores does.
        ranking.ranks_in_engine = relevance != STAGE_SCORE
        ranking.terms = (Term(RelevanceTerm.name, 1.0, relevance),)
        return ranking

    def _terms(self) -> tuple[Term, ...]:
        out = []
        for term in registry.TERMS:
            if not self.model.runs_term(term.name):
                continue
            inputs = TermInputs(
                self.policy, self.now_ts, self.relevance, self.model, self.signals.get(term.name)
            )
            weight = term.weight(inputs)
            if weight != 0.0:
                out.append(Term(term.name, weight, term.expr(inputs)))
        return tuple(out)

    def formula(self, relevance: Expr | None = None) -> Expr | None:
        """The expression Qdrant evaluates over the relevance stage (None: the stage's own ranking).

        `relevance` replaces the relevance term's expression: `$score` when an earlier stage has
        already computed it (two-stage ranking)."""
        if not self.ranks_in_engine:
            return None

        def expr(term: Term) -> Expr:
            return relevance if relevance is not None and term.name == RelevanceTerm.name else term.expr

        return Sum(tuple(Mult((Const(t.weight), expr(t))) for t in self.terms))

    def explain(self, payload: Mapping[str, Any], scores: float | tuple[float, ...]) -> Explanation:
        """Each term's value on this point; `scores` are the relevance stage's (one per list)."""
        components = {}
        for term in self.terms:
            value = evaluate(term.expr, payload, scores)
            components[term.name] = ScoreComponent(value, term.weight, term.weight * value)
        return Explanation(components, sum(c.contribution for c in components.values()))


def ranking_policies(
    query: str,
    types: Sequence[MemoryType],
    now: datetime,
    tuning: Tuning,
    config: RetrievalConfig,
    fused: bool,
    model: RankingModel = DEFAULT_MODEL,
    anchored: TimeWindow | None = None,
) -> dict[MemoryType, RankingPolicy]:
    """Each type's formula: relevance only, or every registered ranking term that applies to the
    type and that `model` runs, with its signal from the query. `fused`: both vectors are searched;
    `anchored`: the window of an event the query names, found in the store."""
    now_ts = now.timestamp()
    relevance = relevance_expr(tuning, fused, model.relevance)
    if not tuning.formula:
        return {t: RankingPolicy.relevance_only(tuning.policies[t], now_ts, relevance) for t in types}
    context = QueryContext(query, now, config, tuning.temporal, model, anchored)
    # Read per request: a term registered at run time (a test's) counts.
    terms = [term for term in registry.TERMS if model.runs_term(term.name)]
    prepared = {term.name: term.signal(context) for term in terms}
    return {
        t: RankingPolicy(
            tuning.policies[t],
            now_ts,
            relevance=relevance,
            # Each term's signal where the term applies to the type, else none.
            signals={term.name: prepared[term.name] if term.applies_to(t) else None for term in terms},
            model=model,
        )
        for t in types
    }
