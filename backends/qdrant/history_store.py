"""`DocumentStore` beside the vectors: a payload-only Qdrant collection `<prefix>_history`.

Embedded: one more Edge shard in the data dir (its points have no vectors), written through its WAL
like the memories and, with MNEMO_QDRANT__DURABLE_WRITES, its log synced before a write returns
(backends/group_flush.py). With a Qdrant server:
a plain (unsharded) collection without vectors, written with `wait=True`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from qdrant_edge import EdgeConfig, EdgeShard, EdgeSparseVectorParams, Point, ScrollRequest, UpdateOperation

from ...memtypes.errors import Unavailable
from ..group_flush import GroupFlush, wal_sync
from .schema import canonical_ids
from .store_record import history_lost, note

if TYPE_CHECKING:  # imported where used: qdrant-client costs seconds at an embedded service's start
    from qdrant_client import AsyncQdrantClient

HISTORY_SUFFIX = "history"
_UNUSED = "unused"


def history_name(prefix: str) -> str:
    return f"{prefix}_{HISTORY_SUFFIX}"


def _flush_and_close(shard: EdgeShard) -> None:
    shard.flush()
    shard.close()


class EdgeDocumentStore:
    def __init__(self, qdrant_dir: Path, prefix: str, *, durable: bool = False) -> None:
        self.path = Path(qdrant_dir) / history_name(prefix)
        self.prefix = prefix
        self.lost: str | None = None  # why the store's history is missing (store_record.py)
        self.durable = durable
        self._shard: EdgeShard | None = None
        self._durable = GroupFlush(lambda: wal_sync(self.path), self._flush)

    async def open(self) -> None:
        if self._shard is None:
            self._shard = await asyncio.to_thread(self._open)

    def _open(self) -> EdgeShard | None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.lost = history_lost(self.path.parent, self.prefix, self.path)
        if self.lost is not None:  # never created afresh: every history would answer 404
            return None
        if self.path.exists():
            shard = EdgeShard.load(str(self.path))
        else:
            # Edge wants at least one vector declared: an unused sparse one (points carry none).
            config = EdgeConfig(vectors={}, sparse_vectors={_UNUSED: EdgeSparseVectorParams()})
            shard = EdgeShard.create(str(self.path), config)
        note(self.path.parent, self.prefix, history=True)
        return shard

    def _flush(self) -> None:
        if self._shard is not None:
            self._shard.flush()

    async def close(self) -> None:
        shard, self._shard = self._shard, None
        if shard is not None:
            await asyncio.to_thread(_flush_and_close, shard)

    def _open_shard(self) -> EdgeShard:
        if self._shard is None:
            raise Unavailable(detail=self.lost or "the history store is not open", dependency="qdrant_edge")
        return self._shard

    async def get(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        point_ids: list[int | UUID | str] = list(canonical_ids(ids))
        if not point_ids:
            return {}
        shard = self._open_shard()
        records = await asyncio.to_thread(shard.retrieve, point_ids, True, False)
        return {str(r.id): dict(r.payload or {}) for r in records}

    async def put(self, documents: Mapping[str, dict[str, Any]]) -> None:
        if not documents:
            return
        shard = self._open_shard()
        points = [Point(point_id, {}, payload) for point_id, payload in documents.items()]

        await asyncio.to_thread(shard.update, UpdateOperation.upsert_points(points))
        if self.durable:
            await self._durable.after_write()

    async def delete(self, ids: Sequence[str]) -> None:
        point_ids: list[int | UUID | str] = list(canonical_ids(ids))
        if not point_ids:
            return
        shard = self._open_shard()
        await asyncio.to_thread(shard.update, UpdateOperation.delete_points(point_ids))
        if self.durable:
            await self._durable.after_write()

    async def scroll(
        self, limit: int, offset: str | None = None
    ) -> tuple[list[tuple[str, dict[str, Any]]], str | None]:
        shard = self._open_shard()
        request = ScrollRequest(offset=offset, limit=limit, with_payload=True, with_vector=False)
        records, next_offset = await asyncio.to_thread(shard.scroll, request)
        return [(str(r.id), dict(r.payload or {})) for r in records], (
            None if next_offset is None else str(next_offset)
        )


class ClientDocumentStore:
    """On a Qdrant server (or qdrant-client's local mode), through the service's client."""

    def __init__(self, client: AsyncQdrantClient, prefix: str, *, owns_client: bool = False) -> None:
        self.client = client
        self.name = history_name(prefix)
        self.owns_client = owns_client

    async def open(self) -> None:
        from qdrant_client.http.exceptions import UnexpectedResponse

        if not await self.client.collection_exists(self.name):
            try:
                await self.client.create_collection(self.name, vectors_config={})
            except (UnexpectedResponse, ValueError) as exc:  # another replica created it meanwhile
                if "already exists" not in str(exc):
                    raise

    async def close(self) -> None:
        if self.owns_client:
            await self.client.close()

    async def get(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        from qdrant_client import models

        point_ids: list[models.ExtendedPointId] = list(canonical_ids(ids))
        if not point_ids:
            return {}
        records = await self.client.retrieve(self.name, point_ids, with_payload=True, with_vectors=False)
        return {str(r.id): dict(r.payload or {}) for r in records}

    async def put(self, documents: Mapping[str, dict[str, Any]]) -> None:
        if documents:
            from qdrant_client import models

            points = [models.PointStruct(id=i, vector={}, payload=p) for i, p in documents.items()]
            await self.client.upsert(self.name, points=points, wait=True)

    async def delete(self, ids: Sequence[str]) -> None:
        from qdrant_client import models

        point_ids: list[models.ExtendedPointId] = list(canonical_ids(ids))
        if point_ids:
            await self.client.delete(
                self.name, points_selector=models.PointIdsList(points=point_ids), wait=True
            )

    async def scroll(
        self, limit: int, offset: str | None = None
    ) -> tuple[list[tuple[str, dict[str, Any]]], str | None]:
        records, next_offset = await self.client.scroll(
            self.name, limit=limit, offset=offset, with_payload=True, with_vectors=False
        )
        return [(str(r.id), dict(r.payload or {})) for r in records], (
            None if next_offset is None else str(next_offset)
        )
