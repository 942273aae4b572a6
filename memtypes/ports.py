"""The ports: what the core needs from the engines behind it. Backends implement these."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from .queries import (
    MemoryFilter,
    NeighbourRequest,
    ScoredPoint,
    SearchRequest,
    SparseVector,
    StoredPoint,
    VectorPoint,
)
from .records import MemoryRecord
from .types import MemoryType


class Availability(StrEnum):
    """How far one memory type's store can serve: the one state `/ready`, `/metrics`, writes and
    retrieval read (backends/qdrant_edge/health.py keeps it for Qdrant Edge)."""

    HEALTHY = "healthy"
    DEGRADED = "degraded"  # reads serve what can be read; writes are refused (503)
    UNAVAILABLE = "unavailable"  # reads and writes are refused (503) until recovered or repaired


@dataclass(frozen=True)
class TypeAvailability:
    state: Availability = Availability.HEALTHY
    reason: str | None = None  # what happened, for /ready and the 503's detail (never memory contents)


@dataclass(frozen=True)
class IndexHealth:
    """What `/ready` says of the vector store."""

    ready: bool
    backend: str  # "qdrant" (a server, or qdrant-client's local mode) or "qdrant_edge" (embedded)
    breaker: str | None = None  # the state of the circuit breaker its calls go through, if any
    # Each type's store that is not healthy, by type value (a healthy one is left out).
    types: Mapping[str, TypeAvailability] = field(default_factory=dict)


class IndexMaintenance(Protocol):
    """What an index that builds its HNSW indexes only when asked offers (Qdrant Edge)."""

    async def index_backlog(self) -> int:
        """Vectors not yet in an HNSW index, over every type."""
        ...

    async def optimize(self) -> None:
        """Build every pending index now, in this process, blocking it (a bulk load's last step)."""
        ...

    async def build_in_background(self, min_unindexed: int) -> list[MemoryType]:
        """Start building, off the serving path, the index of every type with at least this many
        unindexed vectors; answers the types started. Serving goes on meanwhile."""
        ...

    async def erase_deleted(self, memory_types: Sequence[MemoryType]) -> str:
        """Rewrite the files of these types' collections without the points deleted from them (a
        forget's text must not stay in a log or a page): "erased" once done, or "failed"."""
        ...


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
        self, memory_type: MemoryType, ids: Sequence[str], payload: dict[str, object], *, durable: bool = True
    ) -> None:
        """`durable=False`: bookkeeping that may be lost in a power cut (access counts) is not flushed
        to disk before returning; a flush per update would stall every request of the process."""
        ...

    async def set_payloads(
        self, memory_type: MemoryType, updates: Mapping[str, dict[str, object]], *, durable: bool = True
    ) -> None:
        """Several points' payload updates (id → the fields to set) in one engine call."""
        ...

    async def scroll(
        self, memory_type: MemoryType, flt: MemoryFilter, limit: int, offset: str | None = None
    ) -> tuple[list[StoredPoint], str | None]: ...

    async def count(self, memory_type: MemoryType, flt: MemoryFilter, *, exact: bool = True) -> int:
        """How many memories match; `exact=False`: the engine's estimate from its payload indexes
        (microseconds; it treats conditions as independent, so for a scope that is a small part of
        its tenant it can be far below the truth)."""
        ...

    async def search(self, requests: Sequence[SearchRequest]) -> list[list[ScoredPoint]]:
        """Run several searches (any mix of types) and answer one list per request, in order."""
        ...

    async def neighbours(self, requests: Sequence[NeighbourRequest]) -> list[list[StoredPoint]]:
        """The memories written next to given ones (by `seq`), one list per request, nearest first."""
        ...

    async def ready(self) -> bool: ...

    async def health(self) -> IndexHealth: ...

    def maintenance(self) -> IndexMaintenance | None:
        """The index's maintenance, if it needs any (None: it keeps its indexes built itself)."""
        ...


class DocumentStore(Protocol):
    """Payload-only documents by id, stored durably beside the vectors (the change history): an
    Edge shard `<prefix>_history` in the data dir, or a collection of that name on a Qdrant server."""

    async def open(self) -> None: ...

    async def close(self) -> None: ...

    async def get(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The documents found, by id (missing ids are left out)."""
        ...

    async def put(self, documents: Mapping[str, dict[str, Any]]) -> None:
        """Store (replace) documents by id; durable when this returns."""
        ...

    async def delete(self, ids: Sequence[str]) -> None:
        """Remove documents by id (a store's ids re-keyed); durable when this returns."""
        ...

    async def scroll(
        self, limit: int, offset: str | None = None
    ) -> tuple[list[tuple[str, dict[str, Any]]], str | None]:
        """Every document, page by page, for export."""
        ...


class Embedder(Protocol):
    model_name: str
    dimension: int

    async def embed(self, texts: Sequence[str], *, alone: bool = False) -> list[list[float]]:
        """Unit-length embeddings, one per text. `alone`: the caller knows no other retrieval is in
        flight, so an embedder may take every core on the calling thread for a short text."""
        ...

    def close(self) -> None: ...


class SparseEncoder(Protocol):
    """Text to sparse (BM25) vectors, computed in-process. Documents and queries are weighted
    differently: term frequencies on the document side, IDF applied by the engine at query time."""

    name: str

    def documents(self, texts: Sequence[str]) -> list[SparseVector]: ...

    def query(self, text: str) -> SparseVector: ...


class TokenCounter(Protocol):
    encoding_name: str

    def count(self, text: str) -> int: ...

    def truncate(self, text: str, max_tokens: int) -> str: ...


class Tokenizers(Protocol):
    """The registry of encodings a deployment counts with."""

    default: str

    def get(self, encoding_name: str) -> TokenCounter: ...

    def names(self) -> tuple[str, ...]: ...


def counts_by_encoding(tokenizers: Tokenizers, text: str) -> dict[str, int]:
    """`text`'s tokens in every encoding the deployment counts with (a budget may be in any of them)."""
    return {name: tokenizers.get(name).count(text) for name in tokenizers.names()}


class Locks(Protocol):
    """Exclusive holds for read-modify-write sequences, shared by every replica of the service."""

    def hold(self, tenant: str, resource: str, name: str) -> AbstractAsyncContextManager[None]:
        """Hold `resource`/`name` of `tenant` for the body of an `async with`.

        Waits a bounded time for another holder, then raises `LockTimeout`; `Unavailable` when the
        lock service is down. The hold expires on its own if its holder dies.
        """
        ...


class AccessCounts(Protocol):
    """How often and when each memory was returned by a retrieval: statistics kept beside the index,
    not in its payloads (a payload update moves a point out of Qdrant Edge's HNSW index)."""

    async def add(
        self, tenant: str, memory_type: MemoryType, counts: Mapping[str, int], at: datetime
    ) -> None: ...

    async def read(
        self, tenant: str, memory_type: MemoryType, ids: Sequence[str]
    ) -> dict[str, tuple[int, datetime | None]]: ...

    async def drop(self, tenant: str, memory_type: MemoryType, ids: Sequence[str]) -> None: ...


class AccessView(Protocol):
    """Records with their access statistics as they stand now; what is dropped from them."""

    async def with_access(self, tenant: str, records: Sequence[MemoryRecord]) -> list[MemoryRecord]: ...

    async def forget(self, tenant: str, memory_type: MemoryType, ids: Sequence[str]) -> None: ...


@dataclass(frozen=True)
class Review:
    """One reviewer's opinion of a memory: a 0..1 score and whether it deems it important."""

    score: float
    important: bool


class ImportanceReviewer(Protocol):
    name: str

    async def review(self, memory_type: MemoryType, content: str) -> Review: ...
