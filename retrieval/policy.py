"""The ranking policy: one object renders the Qdrant score formula *and* explains each hit's score.

score = Σ weight·term, with the terms of a memory type:
  relevance   the relevance stage's score, as `relevance` says: the cosine similarity for dense
              search; for hybrid search the fused score scaled so that the best is about 1, or (linear
              fusion) a weighted sum of cosine and saturated BM25 (see mnemo.retrieval.options)
  recency     0.5 ** (age / half-life), age from `occurred_at` to the request's `now`
  importance  the stored importance, 0..1 (0.5 when unset)
  usage       use_count / (use_count + 3), for procedures that keep being used
  due         0.5 ** ((due_at - now)² / scale²), how close a prospective item's due time is
  overdue     1 when a prospective item is pending and already due, so it comes first
  trigger     1 when a pending prospective item's trigger phrase occurs in the query
  time        1 when the memory occurred within the time the query names ("last May", "in 2022")
  tells_time  1 when the memory states a time ("last Saturday", "in May"); weighted only for a
              query that asks when (mnemo.memtypes.language.time_mentions)
  speaker     1 when a conversation turn was said by someone the query names, or by the user for a
              first-person query (mnemo.memtypes.language.speakers)

`relevance_only()` ranks by the relevance term alone (no formula runs when that is the stage's own
score).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..memtypes.formula import (
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
from ..memtypes.types import DAY_SECONDS, TypePolicy
from .temporal import TimeWindow

USAGE_HALF_POINT = 3.0
STAGE_SCORE = Var(SCORE)
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


@dataclass(frozen=True)
class TimeBoost:
    """Memories that occurred within `window` (its end extended by `slack_s`) gain `weight`."""

    window: TimeWindow
    weight: float
    slack_s: float = 0.0


class RankingPolicy:
    """The ranking of one memory type at one instant (`now_ts`, seconds since the epoch)."""

    def __init__(
        self,
        policy: TypePolicy,
        now_ts: float,
        query_phrases: tuple[str, ...] = (),
        *,
        relevance: Expr = STAGE_SCORE,
        time_boost: TimeBoost | None = None,
        tells_time_weight: float = 0.0,
        speaker_keys: tuple[str, ...] = (),
        speaker_weight: float = 0.0,
    ) -> None:
        self.policy = policy
        self.now_ts = now_ts
        self.query_phrases = query_phrases
        self.relevance = relevance
        self.time_boost = time_boost
        self.tells_time_weight = tells_time_weight
        self.speaker_weight = speaker_weight if speaker_keys else 0.0
        self._said_by_named = AllOf((FieldIn("speaker", speaker_keys),))
        self.ranks_in_engine = True
        self.terms = tuple(t for t in self._all_terms() if t.weight != 0.0)

    def speaker_lift(self, payload: Mapping[str, Any]) -> float:
        """The speaker term's contribution on this payload (a neighbour's own: mnemo.retrieval.candidates)."""
        return (
            self.speaker_weight * evaluate(self._said_by_named, payload, ()) if self.speaker_weight else 0.0
        )

    @classmethod
    def relevance_only(
        cls, policy: TypePolicy, now_ts: float, relevance: Expr = STAGE_SCORE
    ) -> RankingPolicy:
        ranking = cls(policy, now_ts, relevance=relevance)
        # The stage's own score needs no formula; a combination of two lists' scores does.
        ranking.ranks_in_engine = relevance != STAGE_SCORE
        ranking.terms = (Term("relevance", 1.0, relevance),)
        return ranking

    def _all_terms(self) -> list[Term]:
        p, now = self.policy, Const(self.now_ts)
        use_count = Var("use_count", 0.0)
        relevance = self.relevance
        boost = self.time_boost
        return [
            Term("relevance", p.w_similarity, relevance),
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
            Term(
                "time",
                boost.weight if boost else 0.0,
                AllOf(
                    (
                        FieldRange(
                            "occurred_ts",
                            gte=boost.window.start.timestamp(),
                            lt=boost.window.end.timestamp() + boost.slack_s,
                        ),
                    )
                )
                if boost
                else Const(0.0),
            ),
            Term("tells_time", self.tells_time_weight, AllOf((FieldEquals("tells_time", True),))),
            Term("speaker", self.speaker_weight, self._said_by_named),
        ]

    def formula(self, relevance: Expr | None = None) -> Expr | None:
        """The expression Qdrant evaluates over the relevance stage (None: the stage's own ranking).

        `relevance` replaces the relevance term's expression: `$score` when an earlier stage has
        already computed it (two-stage ranking)."""
        if not self.ranks_in_engine:
            return None

        def expr(term: Term) -> Expr:
            return relevance if relevance is not None and term.name == "relevance" else term.expr

        return Sum(tuple(Mult((Const(t.weight), expr(t))) for t in self.terms))

    def explain(self, payload: Mapping[str, Any], scores: float | tuple[float, ...]) -> Explanation:
        """Each term's value on this point; `scores` are the relevance stage's (one per list)."""
        components = {}
        for term in self.terms:
            value = evaluate(term.expr, payload, scores)
            components[term.name] = ScoreComponent(value, term.weight, term.weight * value)
        return Explanation(components, sum(c.contribution for c in components.values()))
