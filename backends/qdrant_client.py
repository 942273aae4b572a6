"""`VectorIndex` on qdrant-client's `AsyncQdrantClient`: a Qdrant server or cluster when mnemo scales out,
or the client's in-process `:memory:` mode in tests (the same client API either way).

One collection per memory type, `<prefix>_<type>`; tenants are payload partitions (`is_tenant`).
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
    IndexKind,
    canonical_ids,
    dense_vector,
    render_formula,
    search_per_type,
)
from memtypes.errors import Unavailable
from memtypes.formula import Condition, FieldEquals, FieldIn, variable_defaults
from memtypes.queries import MemoryFilter, ScoredPoint, SearchRequest, StoredPoint, VectorPoint
from memtypes.types import MemoryType

_UPSERT_CHUNK = 512
_SCHEMA: dict[IndexKind, models.PayloadSchemaType | models.KeywordIndexParams] = {
    IndexKind.TENANT: models.KeywordIndexParams(type=models.KeywordIndexType.KEYWORD, is_tenant=True),
    IndexKind.KEYWORD: models.PayloadSchemaType.KEYWORD,
    IndexKind.BOOL: models.PayloadSchemaType.BOOL,
    IndexKind.FLOAT: models.PayloadSchemaType.FLOAT,
}


def _filter(flt: MemoryFilter) -> models.Filter:
    return models.Filter(must=[_condition(c) for c in flt.conditions()])


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
        return models.Filter(must=[_condition(c) for c in conditions])


_FORMULA = _ClientFormula()


def _query_request(request: SearchRequest) -> models.QueryRequest:
    with_vector: list[str] | bool = [DENSE] if request.with_vector else False
    if request.formula is None:
        return models.QueryRequest(
            query=models.NearestQuery(nearest=request.vector),
            using=DENSE,
            filter=_filter(request.filter),
            limit=request.limit,
            with_payload=True,
            with_vector=with_vector,
        )
    formula = models.FormulaQuery(
        formula=render_formula(request.formula, _FORMULA), defaults=variable_defaults(request.formula)
    )
    # The filter sits on the prefetch: the formula only ever re-scores the candidates it lets through.
    prefetch = models.Prefetch(
        query=models.NearestQuery(nearest=request.vector),
        using=DENSE,
        filter=_filter(request.filter),
        limit=request.prefetch_limit,
    )
    return models.QueryRequest(
        query=formula, prefetch=prefetch, limit=request.limit, with_payload=True, with_vector=with_vector
    )


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

    def __init__(self, client: AsyncQdrantClient, prefix: str, dimension: int) -> None:
        self.client = client
        self.prefix = prefix
        self.dimension = dimension

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
                )
            except (UnexpectedResponse, ValueError) as exc:
                # Another replica created it between our check and our create: that is fine.
                if "already exists" not in str(exc):
                    raise
        info = await self.client.get_collection(name)
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
        structs = [models.PointStruct(id=p.id, vector={DENSE: p.vector}, payload=p.payload) for p in points]
        async with _server_errors():
            # A server refuses requests over 32 MB; a chunk stays far below that at any usual dimension.
            for start in range(0, len(structs), _UPSERT_CHUNK):
                chunk = structs[start : start + _UPSERT_CHUNK]
                await self.client.upsert(self.collection(memory_type), points=chunk, wait=True)

    async def delete(self, memory_type: MemoryType, ids: Sequence[str]) -> None:
        point_ids: list[models.ExtendedPointId] = list(canonical_ids(ids))
        if point_ids:
            async with _server_errors():
                await self.client.delete(
                    self.collection(memory_type),
                    points_selector=models.PointIdsList(points=point_ids),
                    wait=True,
                )

    async def set_payload(
        self, memory_type: MemoryType, ids: Sequence[str], payload: dict[str, object]
    ) -> None:
        point_ids: list[models.ExtendedPointId] = list(canonical_ids(ids))
        if point_ids and payload:
            async with _server_errors():
                await self.client.set_payload(
                    self.collection(memory_type), dict(payload), points=point_ids, wait=True
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
            )
        points = [StoredPoint(str(r.id), r.payload or {}) for r in records]
        return points, None if next_offset is None else str(next_offset)

    async def count(self, memory_type: MemoryType, flt: MemoryFilter) -> int:
        async with _server_errors():
            result = await self.client.count(
                self.collection(memory_type), count_filter=_filter(flt), exact=True
            )
        return result.count

    async def search(self, requests: Sequence[SearchRequest]) -> list[list[ScoredPoint]]:
        async with _server_errors():
            return await search_per_type(requests, self._search_collection)

    async def _search_collection(
        self, memory_type: MemoryType, requests: list[SearchRequest]
    ) -> list[list[ScoredPoint]]:
        responses = await self.client.query_batch_points(
            self.collection(memory_type), requests=[_query_request(r) for r in requests]
        )
        return [[_scored(p) for p in response.points] for response in responses]
