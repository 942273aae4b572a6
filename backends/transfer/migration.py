"""Moving a vector store between engines: read every point of an embedded (Qdrant Edge) data dir
with both of its vectors, and write points into any `VectorIndex` idempotently.

The write side goes through the target backend's own `open()` (collections, sparse vector, payload
indexes, as the service creates them) and `upsert()`, so an imported store is exactly what the
service would have written itself.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from qdrant_client import AsyncQdrantClient
from qdrant_edge import CountRequest, EdgeShard, ScrollRequest
from qdrant_edge import SparseVector as EdgeSparseVector

from ...memtypes.errors import Unavailable
from ...memtypes.ports import VectorIndex
from ...memtypes.queries import SparseVector, VectorPoint
from ...memtypes.records import TIE_BREAK_FIELD, tie_break
from ...memtypes.types import MemoryType, collection_name
from ..qdrant.history_store import history_name
from ..qdrant.schema import DENSE, SPARSE
from ..qdrant_edge.layout import live_shard_dir
from .export_file import ExportedPoint

_SCROLL_PAGE = 512
# Stored dense vectors are float32 and already unit length: a re-imported copy reads back within this.
_VECTOR_TOLERANCE = 1e-5


class IncompatibleStore(ValueError):
    """The target holds (or is configured for) vectors another model made."""


def edge_shard_path(qdrant_dir: Path, prefix: str, memory_type: MemoryType) -> Path:
    return live_shard_dir(qdrant_dir, prefix, memory_type)  # the generation the last rebuild made live


def edge_dimension(qdrant_dir: Path, prefix: str) -> int | None:
    """The dense dimension an Edge data dir was created with (from its shards' stored config)."""
    for memory_type in MemoryType:
        config = edge_shard_path(qdrant_dir, prefix, memory_type) / "edge_config.json"
        if config.is_file():
            size: int = json.loads(config.read_text())["vectors"][DENSE]["size"]
            return size
    return None


async def client_dimension(client: AsyncQdrantClient, prefix: str) -> int | None:
    """The dense dimension of existing `<prefix>_*` collections on a Qdrant server (or local mode)."""
    for memory_type in MemoryType:
        name = collection_name(prefix, memory_type)
        if await client.collection_exists(name):
            vectors = (await client.get_collection(name)).config.params.vectors
            if isinstance(vectors, dict) and DENSE in vectors:
                return int(vectors[DENSE].size)
    return None


class EdgeDirReader:
    """Every point of an Edge data dir, shard by shard, with payload, dense and sparse vectors.

    The shards are loaded as they are on disk (their own stored config, nothing created or added):
    an export never changes its source. A dir held by a running service is refused (its WAL lock).
    """

    def __init__(self, qdrant_dir: Path, prefix: str) -> None:
        self.qdrant_dir = qdrant_dir
        self.prefix = prefix
        self._shards: dict[MemoryType, EdgeShard] = {}

    def __enter__(self) -> EdgeDirReader:
        try:
            for memory_type in MemoryType:
                path = edge_shard_path(self.qdrant_dir, self.prefix, memory_type)
                if path.is_dir():
                    self._shards[memory_type] = EdgeShard.load(str(path))
        except Exception as exc:
            self.__exit__()
            if "WouldBlock" in str(exc):
                raise Unavailable(
                    detail=f"the data dir {self.qdrant_dir.parent} is in use by a running mnemo service; "
                    "stop it first (an embedded data dir can be open in one process only)",
                    dependency="qdrant_edge",
                ) from exc
            raise
        return self

    def __exit__(self, *_: object) -> None:
        for shard in self._shards.values():
            shard.close()
        self._shards = {}

    def histories(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """The change-history documents (`<prefix>_history`, when there is one): (memory id, payload)."""
        path = self.qdrant_dir / history_name(self.prefix)
        if not path.is_dir():
            return
        shard = EdgeShard.load(str(path))
        try:
            offset: Any = None
            while True:
                request = ScrollRequest(
                    offset=offset, limit=_SCROLL_PAGE, with_payload=True, with_vector=False
                )
                records, offset = shard.scroll(request)
                yield from ((str(r.id), dict(r.payload or {})) for r in records)
                if offset is None:
                    return
        finally:
            shard.close()

    def counts(self) -> dict[MemoryType, int]:
        return {mt: shard.count(CountRequest(exact=True)) for mt, shard in self._shards.items()}

    def points(self, memory_type: MemoryType) -> Iterator[ExportedPoint]:
        shard = self._shards.get(memory_type)
        if shard is None:
            return
        offset: Any = None
        while True:
            request = ScrollRequest(offset=offset, limit=_SCROLL_PAGE, with_payload=True, with_vector=True)
            records, offset = shard.scroll(request)
            for record in records:
                yield _exported(memory_type, record.id, record.payload or {}, record.vector)
            if offset is None:
                return


def _exported(
    memory_type: MemoryType, point_id: object, payload: dict[str, Any], vector: object
) -> ExportedPoint:
    named: dict[str, Any] = vector if isinstance(vector, dict) else {DENSE: vector}
    sparse = named.get(SPARSE)
    return ExportedPoint(
        memory_type=memory_type,
        id=str(point_id),
        payload=dict(payload),
        dense=[float(x) for x in named[DENSE]],
        sparse=SparseVector(tuple(sparse.indices), tuple(sparse.values))
        if isinstance(sparse, EdgeSparseVector) and sparse.indices
        else None,
    )


@dataclass
class ImportSummary:
    written: dict[MemoryType, int] = field(default_factory=dict)
    unchanged: dict[MemoryType, int] = field(default_factory=dict)
    histories: int = 0  # change-history documents written

    def add(self, memory_type: MemoryType, written: int, unchanged: int) -> None:
        self.written[memory_type] = self.written.get(memory_type, 0) + written
        self.unchanged[memory_type] = self.unchanged.get(memory_type, 0) + unchanged

    @property
    def total_written(self) -> int:
        return sum(self.written.values())

    @property
    def total_unchanged(self) -> int:
        return sum(self.unchanged.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "written": self.total_written,
            "unchanged": self.total_unchanged,
            "histories": self.histories,
            "per_type": {
                t.value: {"written": self.written.get(t, 0), "unchanged": self.unchanged.get(t, 0)}
                for t in MemoryType
                if t in self.written or t in self.unchanged
            },
        }


def _same_vector(stored: Sequence[float] | None, exported: Sequence[float]) -> bool:
    if stored is None or len(stored) != len(exported):
        return False
    return all(math.isclose(a, b, abs_tol=_VECTOR_TOLERANCE) for a, b in zip(stored, exported, strict=True))


def _with_tie_break(point: ExportedPoint) -> ExportedPoint:
    return replace(point, payload={**point.payload, TIE_BREAK_FIELD: tie_break(point.id)})


async def import_batch(
    index: VectorIndex, memory_type: MemoryType, batch: Sequence[ExportedPoint]
) -> tuple[int, int]:
    """Upsert the points the index does not already hold as they are; answer (written, unchanged).

    A point already there with the same payload and dense vector is left alone, so a second import
    of the same file writes nothing. (Its sparse vector follows from its content, which is in the
    payload.) A point exported by a version that stored no tie-break number gains it, as the write
    path would give it one.
    """
    batch = [p if TIE_BREAK_FIELD in p.payload else _with_tie_break(p) for p in batch]
    existing = {p.id: p for p in await index.get(memory_type, [p.id for p in batch], with_vector=True)}
    changed = [
        p
        for p in batch
        if (stored := existing.get(p.id)) is None
        or stored.payload != p.payload
        or not _same_vector(stored.vector, p.dense)
    ]
    await index.upsert(memory_type, [VectorPoint(p.id, p.dense, p.payload, p.sparse) for p in changed])
    return len(changed), len(batch) - len(changed)


def batches_by_type(
    points: Iterable[ExportedPoint], size: int
) -> Iterator[tuple[MemoryType, list[ExportedPoint]]]:
    """Consecutive runs of one type, at most `size` long (an export is written type by type)."""
    batch: list[ExportedPoint] = []
    for point in points:
        if batch and (point.memory_type is not batch[0].memory_type or len(batch) >= size):
            yield batch[0].memory_type, batch
            batch = []
        batch.append(point)
    if batch:
        yield batch[0].memory_type, batch
