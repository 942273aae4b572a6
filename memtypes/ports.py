"""The ports: what the core needs from the engines behind it. Backends implement these."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from memtypes.queries import MemoryFilter, ScoredPoint, SearchRequest, StoredPoint, VectorPoint
from memtypes.types import MemoryType


class VectorIndex(Protocol):
    """One collection per memory type; every read is filtered by tenant."""

    dimension: int

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def upsert(self, memory_type: MemoryType, points: Sequence[VectorPoint]) -> None: ...

    async def get(
        self, memory_type: MemoryType, ids: Sequence[str], *, with_vector: bool = False
    ) -> list[StoredPoint]: ...

    async def delete(self, memory_type: MemoryType, ids: Sequence[str]) -> None: ...

    async def set_payload(
        self, memory_type: MemoryType, ids: Sequence[str], payload: dict[str, object]
    ) -> None: ...

    async def scroll(
        self, memory_type: MemoryType, flt: MemoryFilter, limit: int, offset: str | None = None
    ) -> tuple[list[StoredPoint], str | None]: ...

    async def count(self, memory_type: MemoryType, flt: MemoryFilter) -> int: ...

    async def search(self, requests: Sequence[SearchRequest]) -> list[list[ScoredPoint]]:
        """Run several searches (any mix of types) and answer one list per request, in order."""
        ...

    async def ready(self) -> bool: ...


class Embedder(Protocol):
    model_name: str
    dimension: int

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Unit-length embeddings, one per text."""
        ...

    def close(self) -> None: ...


class TokenCounter(Protocol):
    encoding_name: str

    def count(self, text: str) -> int: ...

    def truncate(self, text: str, max_tokens: int) -> str: ...


class Tokenizers(Protocol):
    """The registry of encodings a deployment counts with."""

    default: str

    def get(self, encoding_name: str) -> TokenCounter: ...

    def names(self) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Review:
    """One reviewer's opinion of a memory: a 0..1 score and whether it deems it important."""

    score: float
    important: bool


class ImportanceReviewer(Protocol):
    name: str

    async def review(self, memory_type: MemoryType, content: str) -> Review: ...
