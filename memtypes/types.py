"""The five memory types and their per-type defaults."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class MemoryType(StrEnum):
    EPISODIC = "episodic"
    SEMANTIC = "semantic"
    PROCEDURAL = "procedural"
    PROSPECTIVE = "prospective"
    WORKING = "working"


# Types searched when a retrieval does not name any. `working` is left out: its collection is the
# archive of cleared task scratchpads; the live working memory comes from Redis under its own budget.
DEFAULT_RETRIEVAL_TYPES: tuple[MemoryType, ...] = (
    MemoryType.EPISODIC,
    MemoryType.SEMANTIC,
    MemoryType.PROCEDURAL,
    MemoryType.PROSPECTIVE,
)

# Order of sections in the rendered context (working memory, when present, always comes first).
SECTION_ORDER: tuple[MemoryType, ...] = (
    MemoryType.WORKING,
    MemoryType.SEMANTIC,
    MemoryType.PROCEDURAL,
    MemoryType.PROSPECTIVE,
    MemoryType.EPISODIC,
)

DAY_SECONDS = 86_400.0


@dataclass(frozen=True)
class TypePolicy:
    """Defaults of one memory type: its budget share and how its hits are ranked."""

    memory_type: MemoryType
    budget_share: float
    half_life_days: float
    w_similarity: float
    w_recency: float
    w_importance: float
    w_usage: float = 0.0
    w_due: float = 0.0
    w_overdue: float = 0.0
    w_trigger: float = 0.0
    due_scale_days: float = 3.0

    def collection(self, prefix: str) -> str:
        return f"{prefix}_{self.memory_type.value}"


POLICIES: dict[MemoryType, TypePolicy] = {
    # Episodic recency was 0.20 with a 7-day half-life: on locomo-dev (months of conversation, asked
    # at the end) that cost 0.31 recall@10, on synthetic data 0.04; 0.05 over 90 days costs 0.008
    # and 0.01 and still breaks ties toward the recent (benchmarks/README.md).
    # Episodic importance 0.10 → 0 (issue 22): a turn's importance is almost always the write path's
    # keyword heuristic ("important", "need to", dates...), which long turns hit more often than short
    # ones: on longmemeval-dev it put long assistant turns above the user turns that hold the answer
    # (ndcg@10 0.617 → 0.726 without it, 17 questions better, none worse); on locomo-dev it changes
    # nothing (recall@10 0.750 → 0.746, budget_recall@2048 0.890 → 0.892). Importance is still stored
    # and shown; `ranking.weights.episodic.importance` weights it again for a request.
    MemoryType.EPISODIC: TypePolicy(
        MemoryType.EPISODIC, 0.30, half_life_days=90, w_similarity=0.70, w_recency=0.05, w_importance=0.0
    ),
    MemoryType.SEMANTIC: TypePolicy(
        MemoryType.SEMANTIC, 0.35, half_life_days=90, w_similarity=0.75, w_recency=0.10, w_importance=0.15
    ),
    MemoryType.PROCEDURAL: TypePolicy(
        MemoryType.PROCEDURAL,
        0.20,
        half_life_days=180,
        w_similarity=0.75,
        w_recency=0.0,
        w_importance=0.15,
        w_usage=0.10,
    ),
    MemoryType.PROSPECTIVE: TypePolicy(
        MemoryType.PROSPECTIVE,
        0.15,
        half_life_days=30,
        w_similarity=0.60,
        w_recency=0.0,
        w_importance=0.0,
        w_due=0.20,
        w_overdue=0.20,
        w_trigger=0.50,
    ),
    MemoryType.WORKING: TypePolicy(
        MemoryType.WORKING, 0.0, half_life_days=1, w_similarity=0.60, w_recency=0.30, w_importance=0.10
    ),
}
