"""What the pipelines ask of a vector index, and what it answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from memtypes.formula import Condition, Expr, FieldEquals, FieldIn, FieldRange
from memtypes.records import Scope
from memtypes.types import MemoryType


@dataclass(frozen=True)
class MemoryFilter:
    """Which points a read may see. `tenant` is mandatory: no read is ever unscoped."""

    tenant: str
    scope: Scope = field(default_factory=Scope)
    include_superseded: bool = False
    status: str | None = None  # prospective items only, e.g. "pending"
    content_hashes: tuple[str, ...] = ()  # any of these exact contents
    fact_key: str | None = None  # semantic facts about one subject
    due_before: float | None = None  # prospective items due before this instant (epoch seconds)
    trigger_keys: tuple[str, ...] = ()  # prospective items whose trigger phrase is one of these

    def __post_init__(self) -> None:
        if not self.tenant:
            raise ValueError("a filter always names its tenant")

    def conditions(self) -> list[Condition]:
        """Everything a point must satisfy, in the same vocabulary as the ranking formula's conditions."""
        out: list[Condition] = [FieldEquals("tenant", self.tenant)]
        out.extend(FieldEquals(key, value) for key, value in self.scope.items())
        if not self.include_superseded:
            # Records always store `superseded`, so an equality (not "is not true") is enough.
            out.append(FieldEquals("superseded", False))
        if self.status is not None:
            out.append(FieldEquals("status", self.status))
        if self.content_hashes:
            out.append(FieldIn("content_hash", self.content_hashes))
        if self.fact_key is not None:
            out.append(FieldEquals("fact_key", self.fact_key))
        if self.due_before is not None:
            out.append(FieldRange("due_ts", lt=self.due_before))
        if self.trigger_keys:
            out.append(FieldIn("trigger_key", self.trigger_keys))
        return out


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
