"""The retrieval service's defaults, and a request's ranking options resolved against them."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import Field

from ..memtypes.jsontypes import SettingsGroup, Share
from ..memtypes.queries import Fusion
from ..memtypes.requests import RankingOptions, SearchMode, TypeWeights
from ..memtypes.types import POLICIES, MemoryType, TypePolicy

DEFAULT_MIN_CONFIDENCE = 0.004


class RetrievalConfig(SettingsGroup):
    """The read path's defaults: the `retrieval` group of the settings (MNEMO_RETRIEVAL__*).

    Only what a user or an operator would set; the algorithm's fitted constants, the rules a
    benchmark switches off and the confidence calibration are the retriever's ranking model
    (ranking/model.py, `RankingModel`), a frozen value the stages and terms read from the plan."""

    default_budget_tokens: int = Field(
        default=2_000, ge=1, le=200_000, description="the token budget of a request that names none"
    )
    default_working_budget_tokens: int = Field(
        default=500,
        ge=1,
        le=200_000,
        description="the budget of a task's working memory, for a request with a `task_id` and no "
        "`working_budget_tokens`",
    )
    # Chosen with folds on the dev sets so that nearly every relevant memory a budget packs is still
    # packed (benchmarks/README.md, "Confidence in stores of every size").
    default_min_confidence: Share = Field(
        default=DEFAULT_MIN_CONFIDENCE,
        description="a request without `min_confidence` packs only memories at least this likely to "
        "be relevant (a budget is a cap, not a quota); 0 fills the budget whatever the confidence",
    )
    model_budget_share: float = Field(
        default=0.10,
        gt=0.0,
        le=1.0,
        description="with `model` and no budget, the budget is this share of the model's context window",
    )
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
    formula: bool = Field(
        default=True,
        description="rank by every ranking term (recency, importance, ...); false: by relevance alone",
    )
    diversity: Share = Field(
        default=0.8,
        description="the word overlap (Jaccard) at which a candidate is a copy of a better one and "
        "left out; 0 keeps copies",
    )
    # Past two, more gained nothing (benchmarks/README.md).
    neighbours: int = Field(
        default=2,
        ge=0,
        le=5,
        description="conversation turns offered on each side of a selected turn (an answer is often "
        "told over a few turns); 0 = none",
    )
    temporal: bool = Field(default=True, description="boost memories from a time the query names")
    # The weights below were chosen on both dev sets (benchmarks/README.md); heavier lifts cost
    # budget recall. 0 turns a lift off, e.g. for a store that holds no conversations.
    time_weight: float = Field(default=0.1, description="the lift of memories from a time the query names")
    tells_time_weight: float = Field(
        default=0.1,
        description="the lift of memories that state a time, for a question that asks when; 0 = off",
    )
    speaker_weight: Share = Field(
        default=0.05,
        description="the lift of conversation turns said by a speaker the query names (or by the "
        "user, for a first-person query); 0 = off",
    )
    session_spread: Share = Field(
        default=0.1,
        description="for a question that asks for several things, how much each further turn of one "
        "conversation yields to other conversations' turns; 0 = off",
    )
    newer_first_margin: float = Field(
        default=0.15,
        description="the lead of an older statement that a newer one restating it (a knowledge "
        "update) may overtake; 0 = off: statements ranked by score alone",
    )


@dataclass(frozen=True)
class Tuning:
    """The ranking options of one request, every default filled in."""

    search: SearchMode
    fusion: Fusion
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
        formula=config.formula if o.formula is None else o.formula,
        diversity=diversity if o.diversity is None else o.diversity,
        neighbours=config.neighbours if o.neighbours is None else o.neighbours,
        temporal=config.temporal if o.temporal is None else o.temporal,
        policies={t: _weighted(POLICIES[t], weights.get(t)) for t in MemoryType},
    )
