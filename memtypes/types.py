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
    MemoryType.EPISODIC: TypePolicy(
        MemoryType.EPISODIC, 0.30, half_life_days=7, w_similarity=0.70, w_recency=0.20, w_importance=0.10
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
