"""What the pipelines ask of a vector index, and what it answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from memtypes.formula import Expr
from memtypes.records import Scope
from memtypes.types import MemoryType


@dataclass(frozen=True)
class MemoryFilter:
    """Which points a read may see. `tenant` is mandatory: no read is ever unscoped."""

    tenant: str
    scope: Scope = field(default_factory=Scope)
    include_superseded: bool = False
    status: str | None = None  # prospective items only, e.g. "pending"

    def __post_init__(self) -> None:
        if not self.tenant:
            raise ValueError("a filter always names its tenant")


@dataclass(frozen=True)
class VectorPoint:
    id: str
    vector: list[float]
    payload: dict[str, Any]


@dataclass(frozen=True)
class StoredPoint:
    id: str
    payload: dict[str, Any]
    vector: list[float] | None = None


@dataclass(frozen=True)
class ScoredPoint:
    id: str
    score: float
    payload: dict[str, Any]
    vector: list[float] | None = None


@dataclass(frozen=True)
class SearchRequest:
    """Nearest neighbours of `vector` within `filter`, re-scored by `formula` when one is given.

    The similarity prefetch takes `prefetch_limit` candidates; the formula (if any) ranks them and
    the best `limit` come back.
    """

    memory_type: MemoryType
    vector: list[float]
    filter: MemoryFilter
    limit: int
    prefetch_limit: int
    formula: Expr | None = None
    with_vector: bool = False
