"""The ranking policy: one object renders the Qdrant score formula *and* explains each hit's score.

score = Σ weight·term, with the terms of a memory type:
  similarity  the cosine similarity of the prefetch stage (`$score`)
  recency     0.5 ** (age / half-life), age from `occurred_at` to the request's `now`
  importance  the stored importance, 0..1 (0.5 when unset)
  usage       use_count / (use_count + 3), for procedures that keep being used
  due         0.5 ** ((due_at - now)² / scale²), how close a prospective item's due time is
  overdue     1 when a prospective item is pending and already due, so it comes first
  trigger     1 when a pending prospective item's trigger phrase occurs in the query
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from memtypes.formula import (
    SCORE,
    AllOf,
    Const,
    Div,
    ExpDecay,
    Expr,
    FieldEquals,
    FieldIn,
    FieldRange,
    GaussDecay,
    Mult,
    Sum,
    Var,
    evaluate,
)
from memtypes.types import DAY_SECONDS, TypePolicy

USAGE_HALF_POINT = 3.0
# A point without `due_ts` is treated as due a century away: its `due` term is 0.
_NO_DUE_OFFSET_S = 100 * 365 * DAY_SECONDS


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
    """The ranking of one memory type at one instant (`now_ts`, seconds since the epoch)."""

    def __init__(self, policy: TypePolicy, now_ts: float, query_phrases: tuple[str, ...] = ()) -> None:
        self.policy = policy
        self.now_ts = now_ts
        self.query_phrases = query_phrases
        self.terms = tuple(t for t in self._all_terms() if t.weight != 0.0)

    def _all_terms(self) -> list[Term]:
        p, now = self.policy, Const(self.now_ts)
        use_count = Var("use_count", 0.0)
        return [
            Term("similarity", p.w_similarity, Var(SCORE)),
            Term(
                "recency",
                p.w_recency,
                ExpDecay(Var("occurred_ts", self.now_ts), now, scale=p.half_life_days * DAY_SECONDS),
            ),
            Term("importance", p.w_importance, Var("importance", 0.5)),
            Term("usage", p.w_usage, Div(use_count, Sum((use_count, Const(USAGE_HALF_POINT))))),
            Term(
                "due",
                p.w_due,
                GaussDecay(
                    Var("due_ts", self.now_ts + _NO_DUE_OFFSET_S), now, scale=p.due_scale_days * DAY_SECONDS
                ),
            ),
            Term(
                "overdue",
                p.w_overdue,
                AllOf((FieldEquals("status", "pending"), FieldRange("due_ts", lt=self.now_ts))),
            ),
            Term(
                "trigger",
                p.w_trigger if self.query_phrases else 0.0,
                AllOf((FieldEquals("status", "pending"), FieldIn("trigger_key", self.query_phrases))),
            ),
        ]

    def formula(self) -> Expr:
        """The expression Qdrant evaluates over the similarity prefetch."""
        return Sum(tuple(Mult((Const(t.weight), t.expr)) for t in self.terms))

    def explain(self, payload: Mapping[str, Any], similarity: float) -> Explanation:
        components = {}
        for term in self.terms:
            value = evaluate(term.expr, payload, similarity)
            components[term.name] = ScoreComponent(value, term.weight, term.weight * value)
        return Explanation(components, sum(c.contribution for c in components.values()))
