"""The retrieval service's defaults, and a request's ranking options resolved against them."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from memtypes.queries import Fusion
from memtypes.requests import RankingOptions, SearchMode, TypeWeights
from memtypes.types import DAY_SECONDS, POLICIES, MemoryType, TypePolicy


@dataclass(frozen=True)
class RetrievalConfig:
    default_budget_tokens: int = 2_000
    model_budget_share: float = 0.10  # with `model`, the budget is this share of its context window
    min_candidates: int = 16
    max_candidates: int = 256
    prefetch_factor: int = 3
    min_prefetch: int = 100
    max_prefetch: int = 1_000
    # The defaults of `RankingOptions` (benchmarks/README.md has the measurements behind them).
    search: SearchMode = SearchMode.HYBRID
    fusion: Fusion = Fusion.RRF
    rrf_k: int = 60
    formula: bool = True
    diversity: float = 0.95
    neighbours: int = 1
    temporal: bool = True
    # A neighbour's score is its turn's times this, per step away: it ranks just below that turn.
    neighbour_decay: float = 0.9
    max_expanded_turns: int = 16  # turns whose neighbours are fetched (the best selected ones)
    session_gap_s: float = 6 * 3600.0  # neighbours occurred within this of their turn
    time_weight: float = 0.2
    time_slack_s: float = 7 * DAY_SECONDS  # events are told a little after they happen


@dataclass(frozen=True)
class Tuning:
    """The ranking options of one request, every default filled in."""

    search: SearchMode
    fusion: Fusion
    rrf_k: int
    formula: bool
    diversity: float
    neighbours: int
    temporal: bool
    policies: Mapping[MemoryType, TypePolicy]

    @property
    def relevance_scale(self) -> float:
        """What makes the relevance stage's best possible score about 1, as cosine's is."""
        if self.search is not SearchMode.HYBRID:
            return 1.0  # cosine is already 0..1; BM25 is unbounded and left as it is
        if self.fusion is Fusion.RRF:
            return (self.rrf_k + 1) / 2  # first in both lists: 2 / (k + 1)
        return 0.5  # DBSF sums two scores normalized to 0..1


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


def resolve_tuning(config: RetrievalConfig, options: RankingOptions | None) -> Tuning:
    o = options or RankingOptions()
    weights = o.weights or {}
    return Tuning(
        search=o.search or config.search,
        fusion=o.fusion or config.fusion,
        rrf_k=config.rrf_k,
        formula=config.formula if o.formula is None else o.formula,
        diversity=config.diversity if o.diversity is None else o.diversity,
        neighbours=config.neighbours if o.neighbours is None else o.neighbours,
        temporal=config.temporal if o.temporal is None else o.temporal,
        policies={t: _weighted(POLICIES[t], weights.get(t)) for t in MemoryType},
    )
