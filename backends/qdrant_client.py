"""`VectorIndex` on qdrant-client's `AsyncQdrantClient`: a Qdrant server or cluster when mnemo scales out,
or the client's in-process `:memory:` mode in tests (the same client API either way).

One collection per memory type, `<prefix>_<type>`; tenants are payload partitions (`is_tenant`), and
with custom sharding also shard keys (`backends/qdrant_sharding.py`): every write carries its
tenant's key and every read (always filtered by tenant) asks only that key's shards.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import httpx
from qdrant_client import AsyncQdrantClient, models
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from backends._filters import (
    DENSE,
    PAYLOAD_INDEXES,
    SPARSE,
    IndexKind,
    canonical_ids,
    dense_vector,
    render_formula,
    search_per_type,
)
from backends.qdrant_sharding import QdrantSharding
from memtypes.errors import Unavailable
from memtypes.formula import Condition, Expr, FieldEquals, FieldIn, variable_defaults
from memtypes.queries import (
    Fusion,
    MemoryFilter,
    NeighbourRequest,
    ScoredPoint,
    SearchRequest,
    StoredPoint,
    VectorPoint,
)
from memtypes.types import MemoryType

_UPSERT_CHUNK = 512
_SCHEMA: dict[IndexKind, models.PayloadSchemaType | models.KeywordIndexParams] = {
    IndexKind.TENANT: models.KeywordIndexParams(type=models.KeywordIndexType.KEYWORD, is_tenant=True),
    IndexKind.KEYWORD: models.PayloadSchemaType.KEYWORD,
    IndexKind.BOOL: models.PayloadSchemaType.BOOL,
    IndexKind.FLOAT: models.PayloadSchemaType.FLOAT,
}


def _filter(flt: MemoryFilter) -> models.Filter:
    return _all_of(flt.conditions())


def _all_of(conditions: Sequence[Condition]) -> models.Filter:
    return models.Filter(must=[_condition(c) for c in conditions])


def _condition(cond: Condition) -> models.FieldCondition:
    if isinstance(cond, FieldEquals):
        return models.FieldCondition(key=cond.key, match=models.MatchValue(value=cond.value))
    if isinstance(cond, FieldIn):
        return models.FieldCondition(key=cond.key, match=models.MatchAny(any=list(cond.values)))
    return models.FieldCondition(key=cond.key, range=models.Range(gte=cond.gte, lt=cond.lt))


class _ClientFormula:
    """Formula nodes as qdrant-client expression models (constants are floats, variables strings)."""

    def const(self, value: float) -> models.Expression:
        return float(value)

    def var(self, name: str) -> models.Expression:
        return name

    def sum(self, terms: list[models.Expression]) -> models.Expression:
        return models.SumExpression(sum=terms)

    def mult(self, factors: list[models.Expression]) -> models.Expression:
        return models.MultExpression(mult=factors)

    def div(
        self, left: models.Expression, right: models.Expression, by_zero_default: float
    ) -> models.Expression:
        return models.DivExpression(
            div=models.DivParams(left=left, right=right, by_zero_default=by_zero_default)
        )

    def exp_decay(
        self, x: models.Expression, target: models.Expression, scale: float, midpoint: float
    ) -> models.Expression:
        params = models.DecayParamsExpression(x=x, target=target, scale=scale, midpoint=midpoint)
        return models.ExpDecayExpression(exp_decay=params)

    def gauss_decay(
        self, x: models.Expression, target: models.Expression, scale: float, midpoint: float
    ) -> models.Expression:
        params = models.DecayParamsExpression(x=x, target=target, scale=scale, midpoint=midpoint)
        return models.GaussDecayExpression(gauss_decay=params)

    def all_of(self, conditions: tuple[Condition, ...]) -> models.Expression:
        return _all_of(conditions)


_FORMULA = _ClientFormula()


def _relevance(request: SearchRequest) -> list[models.Prefetch]:
    """The relevance stage: dense or sparse nearest neighbours, or both (fused, or for the formula
    to combine), each list filtered."""
    flt, depth = _filter(request.filter), request.prefetch_limit
    lists = []
    if request.vector is not None:
        lists.append(models.Prefetch(query=request.vector, using=DENSE, filter=flt, limit=depth))
    if request.sparse is not None:
        sparse = models.SparseVector(indices=list(request.sparse.indices), values=list(request.sparse.values))
        lists.append(models.Prefetch(query=sparse, using=SPARSE, filter=flt, limit=depth))
    if request.stage_formula is not None and request.stage_limit is not None:
        stage = _formula(request.stage_formula)
        return [models.Prefetch(query=stage, prefetch=lists, limit=request.stage_limit)]
    if len(lists) == 1 or request.fusion is Fusion.LINEAR:
        return lists
    fusion: models.Query = (
        models.RrfQuery(rrf=models.Rrf(k=request.rrf_k))
        if request.fusion is Fusion.RRF
        else models.FusionQuery(fusion=models.Fusion.DBSF)
    )
    # The filter sits on each list: fusion only ever sees points the request may see.
    return [models.Prefetch(query=fusion, prefetch=lists, limit=depth)]


def _formula(expr: Expr) -> models.FormulaQuery:
    return models.FormulaQuery(formula=render_formula(expr, _FORMULA), defaults=variable_defaults(expr))


def _query_request(request: SearchRequest, shard_key: models.ShardKeySelector | None) -> models.QueryRequest:
    with_vector: list[str] | bool = [DENSE] if request.with_vector else False
    stages = _relevance(request)
    if request.formula is None:  # the relevance stage's own ranking
        [stage] = stages
        return models.QueryRequest(
            query=stage.query,
            using=stage.using,
            prefetch=stage.prefetch,
            filter=stage.filter,
            limit=request.limit,
            with_payload=True,
            with_vector=with_vector,
            shard_key=shard_key,
        )
    formula = _formula(request.formula)
    # The formula only ever re-scores the candidates the (filtered) relevance stage lets through.
    return models.QueryRequest(
        query=formula,
        prefetch=stages,
        limit=request.limit,
        with_payload=True,
        with_vector=with_vector,
        shard_key=shard_key,
    )


def _neighbour_request(
    request: NeighbourRequest, shard_key: models.ShardKeySelector | None
) -> models.QueryRequest:
    direction = models.Direction.DESC if request.before else models.Direction.ASC
    return models.QueryRequest(
        query=models.OrderByQuery(order_by=models.OrderBy(key="seq", direction=direction)),
        filter=_all_of(request.conditions()),
        limit=request.limit,
        with_payload=True,
        with_vector=False,
        shard_key=shard_key,
    )


def _vectors(point: VectorPoint) -> dict[str, models.Vector]:
    vectors: dict[str, models.Vector] = {DENSE: point.vector}
    if point.sparse is not None and point.sparse.indices:
        vectors[SPARSE] = models.SparseVector(
            indices=list(point.sparse.indices), values=list(point.sparse.values)
        )
    return vectors


def _scored(point: models.ScoredPoint) -> ScoredPoint:
    return ScoredPoint(str(point.id), float(point.score), point.payload or {}, dense_vector(point.vector))


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
        return f"{self.prefix}_{memory_type.value}"

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
            await self.client.collection_exists(self.collection(MemoryType.EPISODIC))
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
            struct = models.PointStruct(id=p.id, vector=_vectors(p), payload=p.payload)
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
                scroll_filter=_filter(flt),
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
                count_filter=_filter(flt),
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
        shard_key = self.sharding.selector(r.filter.tenant for r in requests)
        responses = await self.client.query_batch_points(
            self.collection(memory_type), requests=[_query_request(r, shard_key) for r in requests]
        )
        return [[_scored(p) for p in response.points] for response in responses]

    async def neighbours(self, requests: Sequence[NeighbourRequest]) -> list[list[StoredPoint]]:
        async with _server_errors():
            return await search_per_type(requests, self._neighbours_in_collection)

    async def _neighbours_in_collection(
        self, memory_type: MemoryType, requests: list[NeighbourRequest]
    ) -> list[list[StoredPoint]]:
        shard_key = self.sharding.selector(r.filter.tenant for r in requests)
        responses = await self.client.query_batch_points(
            self.collection(memory_type), requests=[_neighbour_request(r, shard_key) for r in requests]
        )
        return [[StoredPoint(str(p.id), p.payload or {}) for p in r.points] for r in responses]
