"""`VectorIndex` on qdrant-client's `AsyncQdrantClient`: a Qdrant server or cluster when mnemo scales out,
or the client's in-process `:memory:` mode in tests (the same client API either way).

One collection per memory type, `<prefix>_<type>`; tenants are payload partitions (`is_tenant`), and
with custom sharding also shard keys (`backends/qdrant_server/sharding.py`): every write carries its
tenant's key and every read (always filtered by tenant) asks only that key's shards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager

import httpx
from qdrant_client import AsyncQdrantClient, models
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from ...memtypes.errors import Unavailable
from ...memtypes.ports import IndexHealth
from ...memtypes.queries import (
    MemoryFilter,
    NeighbourRequest,
    ScoredPoint,
    SearchRequest,
    StoredPoint,
    VectorPoint,
)
from ...memtypes.types import MemoryType, collection_name
from ..qdrant.planner import QueryPlanner, scored_hits, search_per_type
from ..qdrant.schema import DENSE, PAYLOAD_INDEXES, SPARSE, IndexKind, canonical_ids, dense_vector
from .sharding import QdrantSharding
from .vocabulary import PLAN, ClientVocabulary

_UPSERT_CHUNK = 512
_SCHEMA: dict[IndexKind, models.PayloadSchemaType | models.KeywordIndexParams] = {
    IndexKind.TENANT: models.KeywordIndexParams(type=models.KeywordIndexType.KEYWORD, is_tenant=True),
    IndexKind.KEYWORD: models.PayloadSchemaType.KEYWORD,
    IndexKind.BOOL: models.PayloadSchemaType.BOOL,
    IndexKind.FLOAT: models.PayloadSchemaType.FLOAT,
}


@asynccontextmanager
async def _server_errors() -> AsyncIterator[None]:
    """A server that cannot be reached (or answers 5xx) is a dependency outage, not a bug."""
    try:
        yield
    except (ResponseHandlingException, httpx.TransportError, ConnectionError) as exc:
        raise Unavailable(detail=f"Qdrant cannot be reached: {exc}", dependency="qdrant") from exc
    except UnexpectedResponse as exc:
        if exc.status_code is not None and exc.status_code >= 500:
            raise Unavailable(detail=f"Qdrant answered {exc.status_code}", dependency="qdrant") from exc
        raise


class QdrantClientVectorIndex:
    """One collection per memory type, through an `AsyncQdrantClient` the caller built."""

    def __init__(
        self, client: AsyncQdrantClient, prefix: str, dimension: int, sharding: QdrantSharding | None = None
    ) -> None:
        self.client = client
        self.prefix = prefix
        self.dimension = dimension
        self.sharding = sharding or QdrantSharding()

    def collection(self, memory_type: MemoryType) -> str:
        return collection_name(self.prefix, memory_type)

    # -- lifecycle -------------------------------------------------------------------------------

    async def open(self) -> None:
        async with _server_errors():
            for memory_type in MemoryType:
                await self._ensure_collection(self.collection(memory_type))

    async def _ensure_collection(self, name: str) -> None:
        if not await self.client.collection_exists(name):
            try:
                await self.client.create_collection(
                    name,
                    vectors_config={
                        DENSE: models.VectorParams(size=self.dimension, distance=models.Distance.COSINE)
                    },
                    sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
                    **self.sharding.collection_params(),
                )
            except (UnexpectedResponse, ValueError) as exc:
                # Another replica created it between our check and our create: that is fine.
                if "already exists" not in str(exc):
                    raise
        info = await self.client.get_collection(name)
        self.sharding.check(name, info.config.metadata)
        # Every time, not only after creating: a replica that died between creating the collection
        # and its keys leaves keys missing, and points of their tenants would have nowhere to go.
        for key in self.sharding.all_keys() if self.sharding.custom else ():
            try:
                await self.client.create_shard_key(
                    name, key, replication_factor=self.sharding.replication_factor
                )
            except UnexpectedResponse as exc:
                if "already exists" not in str(exc):
                    raise
        if SPARSE not in (info.config.params.sparse_vectors or {}):
            # Created before hybrid search: add the sparse vector (old points simply lack it).
            config = models.SparseVectorNameConfig(
                sparse=models.SparseVectorConfig(modifier=models.Modifier.IDF)
            )
            await self.client.create_vector_name(name, SPARSE, config, wait=True)
        for field, kind in PAYLOAD_INDEXES:
            if field not in info.payload_schema:
                await self.client.create_payload_index(name, field, field_schema=_SCHEMA[kind], wait=True)

    async def close(self) -> None:
        await self.client.close()

    async def ready(self) -> bool:
        try:
            # Any collection will do: what is asked is whether the server answers.
            await self.client.collection_exists(self.collection(next(iter(MemoryType))))
        except Exception:
            return False
        return True

    # -- writes ----------------------------------------------------------------------------------

    async def upsert(self, memory_type: MemoryType, points: Sequence[VectorPoint]) -> None:
        if not points:
            return
        # Custom sharding: each tenant's points go to its own shard key (one group in auto mode).
        groups: dict[str, list[models.PointStruct]] = {}
        for p in points:
            key = self.sharding.key_for(str(p.payload["tenant"])) if self.sharding.custom else ""
            struct = models.PointStruct(id=p.id, vector=PLAN.vectors(p), payload=p.payload)
            groups.setdefault(key, []).append(struct)
        async with _server_errors():
            for key, structs in groups.items():
                # A server refuses requests over 32 MB; a chunk stays far below that at any usual dimension.
                for start in range(0, len(structs), _UPSERT_CHUNK):
                    chunk = structs[start : start + _UPSERT_CHUNK]
                    await self.client.upsert(
                        self.collection(memory_type), points=chunk, wait=True, shard_key_selector=key or None
                    )

    async def delete(self, memory_type: MemoryType, ids: Sequence[str]) -> None:
        point_ids: list[models.ExtendedPointId] = list(canonical_ids(ids))
        if point_ids:
            async with _server_errors():
                await self.client.delete(
                    self.collection(memory_type),
                    points_selector=models.PointIdsList(points=point_ids),
                    wait=True,
                    shard_key_selector=self.sharding.every_key(),
                )

    async def set_payload(
        self, memory_type: MemoryType, ids: Sequence[str], payload: dict[str, object], *, durable: bool = True
    ) -> None:
        point_ids: list[models.ExtendedPointId] = list(canonical_ids(ids))
        if point_ids and payload:
            async with _server_errors():
                await self.client.set_payload(
                    self.collection(memory_type),
                    dict(payload),
                    points=point_ids,
                    wait=durable,
                    shard_key_selector=self.sharding.every_key(),
                )

    async def set_payloads(
        self, memory_type: MemoryType, updates: Mapping[str, dict[str, object]], *, durable: bool = True
    ) -> None:
        shard_key = self.sharding.every_key()
        operations: list[models.UpdateOperation] = [
            models.SetPayloadOperation(
                set_payload=models.SetPayload(payload=dict(payload), points=point_ids, shard_key=shard_key)
            )
            for point_id, payload in updates.items()
            if payload and (point_ids := list[models.ExtendedPointId](canonical_ids([point_id])))
        ]
        if operations:
            async with _server_errors():
                await self.client.batch_update_points(self.collection(memory_type), operations, wait=durable)

    async def health(self) -> IndexHealth:
        return IndexHealth(await self.ready(), "qdrant")

    def maintenance(self) -> None:
        return None  # a server builds its HNSW indexes itself

    # -- reads -----------------------------------------------------------------------------------

    async def get(
        self, memory_type: MemoryType, ids: Sequence[str], *, with_vector: bool = False
    ) -> list[StoredPoint]:
        point_ids: list[models.ExtendedPointId] = list(canonical_ids(ids))
        if not point_ids:
            return []
        async with _server_errors():
            records = await self.client.retrieve(
                self.collection(memory_type),
                point_ids,
                with_payload=True,
                with_vectors=[DENSE] if with_vector else False,
                shard_key_selector=self.sharding.every_key(),
            )
        return [
            StoredPoint(str(r.id), r.payload or {}, dense_vector(r.vector) if with_vector else None)
            for r in records
        ]

    async def scroll(
        self, memory_type: MemoryType, flt: MemoryFilter, limit: int, offset: str | None = None
    ) -> tuple[list[StoredPoint], str | None]:
        async with _server_errors():
            records, next_offset = await self.client.scroll(
                self.collection(memory_type),
                scroll_filter=PLAN.filter(flt),
                limit=limit,
                offset=offset,
                with_payload=True,
                with_vectors=False,
                shard_key_selector=self.sharding.selector([flt.tenant]),
            )
        points = [StoredPoint(str(r.id), r.payload or {}) for r in records]
        return points, None if next_offset is None else str(next_offset)

    async def count(self, memory_type: MemoryType, flt: MemoryFilter, *, exact: bool = True) -> int:
        async with _server_errors():
            result = await self.client.count(
                self.collection(memory_type),
                count_filter=PLAN.filter(flt),
                exact=exact,
                shard_key_selector=self.sharding.selector([flt.tenant]),
            )
        return result.count

    async def search(self, requests: Sequence[SearchRequest]) -> list[list[ScoredPoint]]:
        async with _server_errors():
            return await search_per_type(requests, self._search_collection)

    async def _search_collection(
        self, memory_type: MemoryType, requests: list[SearchRequest]
    ) -> list[list[ScoredPoint]]:
        responses = await self._query_batch(memory_type, requests)
        return [
            scored_hits(response.points, r.payload_limit)
            for r, response in zip(requests, responses, strict=True)
        ]

    async def neighbours(self, requests: Sequence[NeighbourRequest]) -> list[list[StoredPoint]]:
        async with _server_errors():
            return await search_per_type(requests, self._neighbours_in_collection)

    async def _neighbours_in_collection(
        self, memory_type: MemoryType, requests: list[NeighbourRequest]
    ) -> list[list[StoredPoint]]:
        responses = await self._query_batch(memory_type, requests)
        return [[StoredPoint(str(p.id), p.payload or {}) for p in r.points] for r in responses]

    async def _query_batch(
        self, memory_type: MemoryType, requests: Sequence[SearchRequest | NeighbourRequest]
    ) -> list[models.QueryResponse]:
        """One call to the type's collection: each request planned as a search or a neighbour lookup,
        in the shards of the requests' tenants."""
        plan = QueryPlanner(ClientVocabulary(self.sharding.selector(r.filter.tenant for r in requests)))
        queries = [plan.query(r) if isinstance(r, SearchRequest) else plan.neighbours(r) for r in requests]
        return await self.client.query_batch_points(self.collection(memory_type), requests=queries)
