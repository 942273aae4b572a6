"""Terms over what every memory stores: relevance to the query, recency, importance, usage."""

from __future__ import annotations

from ....memtypes.formula import SCORE, Const, Div, ExpDecay, Expr, Mult, Sum, Var, prefetch_score
from ....memtypes.queries import Fusion
from ....memtypes.records import TIE_BREAK_FIELD
from ....memtypes.types import DAY_SECONDS
from ...options import Tuning
from ..model import DEFAULT_MODEL, RelevanceModel
from .base import RankingTerm, TermInputs

# How much of the stored tie-break number fused relevance adds: enough to tell float32 scores apart,
# far below any difference that ranks by meaning.
TIE_BREAK_SCALE = 1e-4


class RelevanceTerm(RankingTerm):
    """The relevance stage's score: the cosine for dense search; for hybrid search the fused score
    scaled so that the best is about 1, or (linear fusion) a weighted sum of cosine and saturated
    BM25 (`relevance_expr`)."""

    name = "relevance"

    def weight(self, inputs: TermInputs) -> float:
        return inputs.policy.w_similarity

    def expr(self, inputs: TermInputs) -> Expr:
        return inputs.relevance


def relevance_expr(tuning: Tuning, fused: bool, fit: RelevanceModel = DEFAULT_MODEL.relevance) -> Expr:
    """The relevance term over the relevance stage, about 0..1 like a cosine.

    `fused`: the request searched both vectors (a query of stop words only has no BM25 side); `fit`:
    the ranking model's constants of fusion (`RankingModel.relevance`).
    """
    if not fused:
        return Var(SCORE)  # cosine is already 0..1; BM25 alone is unbounded and left as it is
    # Fused scores tie often (candidates only BM25 found, with equal BM25 scores; equal ranks under
    # RRF): a trace of each point's fixed tie-break number orders them the same way in every process.
    tie_break = Mult((Const(TIE_BREAK_SCALE), Var(TIE_BREAK_FIELD, 0.0)))
    if tuning.fusion is Fusion.RRF:
        # Qdrant's RRF gives 1 / (k + rank), rank from 0: first in both lists is 2 / k.
        return Sum((Mult((Const(fit.rrf_k / 2), Var(SCORE))), tie_break))
    if tuning.fusion is Fusion.DBSF:
        return Sum((Mult((Const(0.5), Var(SCORE))), tie_break))  # two scores normalized to 0..1
    a, bm25 = fit.linear_dense_weight, Var(prefetch_score(1), 0.0)
    saturated = Div(bm25, Sum((bm25, Const(fit.bm25_half))))
    return Sum((Mult((Const(a), Var(prefetch_score(0), 0.0))), Mult((Const(1 - a), saturated)), tie_break))


class RecencyTerm(RankingTerm):
    """0.5 ** (age / half-life), age from `occurred_at` to the request's `now`."""

    name = "recency"

    def weight(self, inputs: TermInputs) -> float:
        return inputs.policy.w_recency

    def expr(self, inputs: TermInputs) -> Expr:
        scale = inputs.policy.half_life_days * DAY_SECONDS
        return ExpDecay(Var("occurred_ts", inputs.now_ts), Const(inputs.now_ts), scale=scale)


class ImportanceTerm(RankingTerm):
    """The stored importance, 0..1 (0.5 when unset)."""

    name = "importance"

    def weight(self, inputs: TermInputs) -> float:
        return inputs.policy.w_importance

    def expr(self, inputs: TermInputs) -> Expr:
        return Var("importance", 0.5)


class UsageTerm(RankingTerm):
    """use_count / (use_count + half point, 3 by default): procedures that keep being used."""

    name = "usage"

    def weight(self, inputs: TermInputs) -> float:
        return inputs.policy.w_usage

    def expr(self, inputs: TermInputs) -> Expr:
        use_count = Var("use_count", 0.0)
        return Div(use_count, Sum((use_count, Const(inputs.model.relevance.usage_half_point))))
