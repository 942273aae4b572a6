"""The retrieval service's defaults, and a request's ranking options resolved against them."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from ..memtypes.queries import Fusion
from ..memtypes.requests import RankingOptions, SearchMode, TypeWeights
from ..memtypes.types import DAY_SECONDS, POLICIES, MemoryType, TypePolicy
from .stages.rank import NEWER_FIRST_MARGIN, NEWER_FIRST_MIN_COSINE

DEFAULT_MIN_CONFIDENCE = 0.002


class RetrievalConfig(BaseModel):
    """The read path's defaults: the `retrieval` group of the settings (MNEMO_RETRIEVAL__*)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    default_budget_tokens: int = Field(default=2_000, ge=1, le=200_000)
    # With a task_id and no working_budget_tokens (MNEMO_RETRIEVAL__DEFAULT_WORKING_BUDGET_TOKENS).
    default_working_budget_tokens: int = Field(default=500, ge=1, le=200_000)
    # A request without `min_confidence` packs only memories at least this likely to be relevant: a
    # budget is a cap, not a quota. Chosen with folds on the dev sets so that nearly every relevant
    # memory a budget packs is still packed (benchmarks/README.md, "Confidence in stores of every
    # size"); 0 fills the budget whatever the confidence.
    default_min_confidence: float = Field(default=DEFAULT_MIN_CONFIDENCE, ge=0.0, le=1.0)
    # With `model`, the budget is this share of its context window.
    model_budget_share: float = Field(default=0.10, gt=0.0, le=1.0)
    # Candidates per type: enough to fill the type's share of the budget (plus the shares of types
    # with too few memories to fill theirs) with lines of `tokens_per_candidate` (a short memory's
    # line), from a relevance prefetch `prefetch_factor` times deeper. Search cost grows with both; a
    # shallower prefetch cost budget recall, a deeper one gained next to nothing (benchmarks/README.md).
    tokens_per_candidate: int = 16
    min_candidates: int = 16
    max_candidates: int = 256
    prefetch_factor: int = 2
    # Two-stage ranking of a fused search: the prefetch union is cut to `stage_factor` × candidates by
    # relevance alone before the full formula (which reads each candidate's payload) ranks it.
    # 0: the formula ranks the whole union; a cut at twice the candidates keeps the quality of no cut
    # at a lower search cost (benchmarks/README.md).
    stage_factor: int = 2
    min_prefetch: int = 64  # deep enough for small budgets; deeper only cost time (benchmarks/README.md)
    max_prefetch: int = 512
    # The defaults of `RankingOptions` (benchmarks/README.md has the measurements behind them).
    search: SearchMode = Field(
        default=SearchMode.HYBRID, description="default search: hybrid | dense | sparse"
    )
    # Linear fusion: rank- and distribution-based fusions make scores of different types
    # incomparable, which costs a multi-type retrieval far more than it gains on one type
    # (benchmarks/README.md has the numbers).
    fusion: Fusion = Field(
        default=Fusion.LINEAR, description="how hybrid search fuses dense and BM25: linear | rrf | dbsf"
    )
    rrf_k: int = 60
    # Linear fusion: relevance = a·cosine + (1 - a)·bm25 / (bm25 + h), BM25 saturating at 1.
    linear_dense_weight: float = 0.5  # dense and BM25 alike: a heavier dense side ranked worse
    bm25_half: float = 5.0  # the BM25 score that counts as half a match
    formula: bool = True
    # Jaccard overlap of words at which a candidate is a copy; 0 = off.
    diversity: float = Field(default=0.8, ge=0.0, le=1.0)
    # Turns offered beside a selected episodic turn: an answer is often told over a few turns; past
    # two, more gained nothing (benchmarks/README.md).
    neighbours: int = Field(default=2, ge=0, le=5)
    temporal: bool = Field(default=True, description="boost memories from a time the query names")
    # A neighbour's score is its turn's times this, per step away: it ranks just below that turn.
    # Higher trades precision for context (benchmarks/README.md).
    neighbour_decay: float = 0.93
    # Turns whose neighbours are fetched (the best selected ones): fewer lookups lost nothing.
    max_expanded_turns: int = 8
    session_gap_s: float = 6 * 3600.0  # neighbours occurred within this of their turn
    time_weight: float = 0.1  # heavier lifts of a named time cost budget recall
    time_slack_s: float = 7 * DAY_SECONDS  # events are told a little after they happen
    # A when-question's lift for memories that state a time (mnemo.memtypes.language.time_mentions);
    # 0 = off. Chosen on both dev sets (benchmarks/README.md).
    tells_time_weight: float = 0.1
    # The lift for turns said by a speaker the query names, or by the user for a first-person query
    # (mnemo.memtypes.language.speakers); 0 = off. A neighbour carries its own, not its turn's
    # (mnemo.retrieval.stages.expand). Chosen on both dev sets (benchmarks/README.md).
    speaker_weight: float = Field(default=0.05, ge=0.0, le=1.0)
    # The dense query without the names of people who speak in scope (mnemo.retrieval.stages.search):
    # the speaker term serves the name, and a short question's vector is mostly its name
    # (benchmarks/README.md).
    dense_without_speakers: bool = True
    # Questions that ask for several things (mnemo.retrieval.stages.session_spread): the best turns
    # placed again, a session's first `session_spread_free` as scored, each later one lowered by this
    # much more than the one before it; 0 = off.
    session_spread: float = Field(default=0.1, ge=0.0, le=1.0)
    session_spread_free: int = Field(default=2, ge=1, le=64)
    # Knowledge updates (mnemo.retrieval.stages.rank): the older statement's lead a newer one may
    # overtake; 0 = off.
    newer_first_margin: float = NEWER_FIRST_MARGIN
    # ... and the cosine of the two statements' dense vectors from which the newer restates the
    # older (an update, not another fact about the same person); 0 = a shared name suffices.
    newer_first_min_cosine: float = Field(default=NEWER_FIRST_MIN_COSINE, ge=0.0, le=1.0)


@dataclass(frozen=True)
class Tuning:
    """The ranking options of one request, every default filled in."""

    search: SearchMode
    fusion: Fusion
    rrf_k: int
    linear_dense_weight: float
    bm25_half: float
    formula: bool
    diversity: float
    neighbours: int
    temporal: bool
    policies: Mapping[MemoryType, TypePolicy]


def _weighted(policy: TypePolicy, weights: TypeWeights | None) -> TypePolicy:
    if weights is None:
        return policy
    changes: dict[str, float] = {
        field: value
        for field, value in (
            ("w_similarity", weights.relevance),
            ("w_recency", weights.recency),
            ("w_importance", weights.importance),
            ("half_life_days", weights.half_life_days),
        )
        if value is not None
    }
    return dataclasses.replace(policy, **changes)  # type: ignore[arg-type]


def resolve_tuning(
    config: RetrievalConfig, options: RankingOptions | None, include_superseded: bool = False
) -> Tuning:
    o = options or RankingOptions()
    weights = o.weights or {}
    # A caller who asks for superseded versions wants them, though they read like copies.
    diversity = 0.0 if include_superseded else config.diversity
    return Tuning(
        search=o.search or config.search,
        fusion=o.fusion or config.fusion,
        rrf_k=config.rrf_k,
        linear_dense_weight=config.linear_dense_weight,
        bm25_half=config.bm25_half,
        formula=config.formula if o.formula is None else o.formula,
        diversity=diversity if o.diversity is None else o.diversity,
        neighbours=config.neighbours if o.neighbours is None else o.neighbours,
        temporal=config.temporal if o.temporal is None else o.temporal,
        policies={t: _weighted(POLICIES[t], weights.get(t)) for t in MemoryType},
    )
