"""Qdrant Edge's constructors for the shared query planner (mnemo.backends.qdrant.planner): the Edge
binding's filters, formula expressions, prefetches and query requests. No decisions here."""

from __future__ import annotations

from typing import Any

import numpy as np
from qdrant_edge import (
    DecayKind,
    Direction,
    Expression,
    FieldCondition,
    Filter,
    Formula,
    Fusion,
    IsEmptyCondition,
    MatchAny,
    MatchValue,
    OrderBy,
    Prefetch,
    Query,
    QueryRequest,
    RangeFloat,
    SearchParams,
)
from qdrant_edge import SparseVector as EdgeSparseVector

from ...memtypes.queries import Fusion as FusionKind
from ..qdrant.planner import QueryPlanner
from ..qdrant.schema import DENSE

# The HNSW beam of a dense search (at least its limit). Edge's default (the build's ef_construct, 100)
# fell short of the recall against exact search the latency benchmark asks for (benchmarks/README.md).
HNSW_EF = 200


def _bool_match(value: bool) -> MatchValue:
    # qdrant-edge-py 0.9 converts a Python bool to the integer 0/1, which then matches no stored
    # boolean. numpy's bool is not an int to the binding, so it arrives as a real boolean.
    return MatchValue(np.bool_(value))  # type: ignore[arg-type]


# Built once: the binding's conversion of a numpy bool is slow, and every filter of every
# search asks for `superseded = false`.
_BOOL_MATCHES = {True: _bool_match(True), False: _bool_match(False)}


def match_value(value: str | bool | int) -> MatchValue:
    if isinstance(value, bool):
        return _BOOL_MATCHES[value]
    return MatchValue(value)


class EdgeVocabulary:
    def const(self, value: float) -> Expression:
        return Expression.Constant(value)

    def var(self, name: str) -> Expression:
        return Expression.Variable(name)

    def sum(self, terms: list[Expression]) -> Expression:
        return Expression.Sum(terms)

    def mult(self, factors: list[Expression]) -> Expression:
        return Expression.Mult(factors)

    def div(self, left: Expression, right: Expression, by_zero_default: float) -> Expression:
        return Expression.Div(left, right, by_zero_default=by_zero_default)

    def exp_decay(self, x: Expression, target: Expression, scale: float, midpoint: float) -> Expression:
        return Expression.Decay(DecayKind.Exp, x, target, midpoint=midpoint, scale=scale)

    def gauss_decay(self, x: Expression, target: Expression, scale: float, midpoint: float) -> Expression:
        return Expression.Decay(DecayKind.Gauss, x, target, midpoint=midpoint, scale=scale)

    def matches(self, flt: Filter) -> Expression:
        return Expression.Condition(flt)

    def equals(self, key: str, value: str | bool | int) -> FieldCondition:
        return FieldCondition(key, match=match_value(value))

    def any_of(self, key: str, values: list[Any]) -> FieldCondition:
        return FieldCondition(key, match=MatchAny(values))

    def in_range(self, key: str, gte: float | None, lt: float | None) -> FieldCondition:
        return FieldCondition(key, range=RangeFloat(gte=gte, lt=lt))

    def missing(self, key: str) -> IsEmptyCondition:
        return IsEmptyCondition(key)

    def must(self, conditions: list[Any], excluded: list[Any]) -> Filter:
        return Filter(must=conditions, must_not=excluded or None)

    def sparse_vector(self, indices: list[int], values: list[float]) -> EdgeSparseVector:
        return EdgeSparseVector(indices, values)

    def nearest(
        self, vector: list[float] | EdgeSparseVector, using: str, flt: Filter, limit: int
    ) -> Prefetch:
        params = SearchParams(hnsw_ef=max(HNSW_EF, limit)) if using == DENSE else None
        return Prefetch(limit=limit, query=Query.Nearest(vector, using=using), filter=flt, params=params)

    def formula(self, expression: Expression, defaults: dict[str, float]) -> Formula:
        return Formula(expression, defaults=defaults)

    def ranked(self, formula: Formula, prefetches: list[Prefetch], limit: int) -> Prefetch:
        return Prefetch(limit=limit, query=formula, prefetches=prefetches)

    def fused(self, fusion: FusionKind, rrf_k: int, prefetches: list[Prefetch], limit: int) -> Prefetch:
        query: Fusion.Rrf | Fusion.Dbsf = Fusion.Rrf(k=rrf_k) if fusion is FusionKind.RRF else Fusion.Dbsf()
        # The stubs list `Fusion`, whose variants are what the binding takes.
        return Prefetch(limit=limit, query=query, prefetches=prefetches)  # type: ignore[arg-type]

    def stage_request(
        self, stage: Prefetch, limit: int, with_vector: list[str] | bool, with_payload: bool
    ) -> QueryRequest:
        return QueryRequest(
            limit=limit,
            query=stage.query,
            prefetches=stage.prefetches or None,
            filter=stage.filter,
            params=stage.params,
            with_payload=with_payload,
            with_vector=with_vector,
        )

    def formula_request(
        self,
        formula: Formula,
        prefetches: list[Prefetch],
        limit: int,
        with_vector: list[str] | bool,
        with_payload: bool,
    ) -> QueryRequest:
        return QueryRequest(
            limit=limit,
            query=formula,
            prefetches=prefetches,
            with_payload=with_payload,
            with_vector=with_vector,
        )

    def ordered_request(
        self, key: str, descending: bool, start_from: float, flt: Filter, limit: int, with_payload: bool
    ) -> QueryRequest:
        direction = Direction.Desc if descending else Direction.Asc
        return QueryRequest(
            limit=limit,
            query=OrderBy(key, direction, start_from),
            filter=flt,
            with_payload=with_payload,
            with_vector=False,
        )


EDGE_PLANNER = QueryPlanner(EdgeVocabulary())
