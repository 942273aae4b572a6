"""Qdrant Edge request objects: filters, ranking formulas, relevance stages, neighbour lookups.

The translation of the backend-neutral queries (memtypes.queries) into the Edge binding's classes;
`backends.qdrant_client` makes the same decisions with qdrant-client's models.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from qdrant_edge import (
    DecayKind,
    Direction,
    Expression,
    FieldCondition,
    Filter,
    Formula,
    Fusion,
    MatchAny,
    MatchValue,
    OrderBy,
    Prefetch,
    Query,
    QueryRequest,
    RangeFloat,
)
from qdrant_edge import ScoredPoint as EdgeScoredPoint
from qdrant_edge import SparseVector as EdgeSparseVector

from backends._filters import DENSE, SPARSE, dense_vector, render_formula
from memtypes.formula import Condition, Expr, FieldEquals, FieldIn, variable_defaults
from memtypes.queries import Fusion as FusionKind
from memtypes.queries import MemoryFilter, NeighbourRequest, ScoredPoint, SearchRequest, VectorPoint

if TYPE_CHECKING:
    from qdrant_edge import NamedVector  # a type alias of the stubs only


def match_value(value: str | bool | int) -> MatchValue:
    # qdrant-edge-py 0.9 converts a Python bool to the integer 0/1, which then matches no stored
    # boolean. numpy's bool is not an int to the binding, so it arrives as a real boolean.
    if isinstance(value, bool):
        return MatchValue(np.bool_(value))  # type: ignore[arg-type]
    return MatchValue(value)


def to_filter(flt: MemoryFilter) -> Filter:
    return all_of(flt.conditions())


def all_of(conditions: Sequence[Condition]) -> Filter:
    return Filter(must=[_condition(c) for c in conditions])


def _condition(cond: Condition) -> FieldCondition:
    if isinstance(cond, FieldEquals):
        return FieldCondition(cond.key, match=match_value(cond.value))
    if isinstance(cond, FieldIn):
        return FieldCondition(cond.key, match=MatchAny(list(cond.values)))
    return FieldCondition(cond.key, range=RangeFloat(gte=cond.gte, lt=cond.lt))


class _EdgeFormula:
    """Formula nodes as Edge `Expression`s."""

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

    def all_of(self, conditions: tuple[Condition, ...]) -> Expression:
        return Expression.Condition(all_of(conditions))


_FORMULA = _EdgeFormula()


def _relevance(request: SearchRequest) -> list[Prefetch]:
    """The relevance stage: dense or sparse nearest neighbours, or both (fused, or for the formula
    to combine), each list filtered."""
    flt, depth = to_filter(request.filter), request.prefetch_limit
    nearest = []
    if request.vector is not None:
        nearest.append(Query.Nearest(request.vector, using=DENSE))
    if request.sparse is not None:
        sparse = EdgeSparseVector(list(request.sparse.indices), list(request.sparse.values))
        nearest.append(Query.Nearest(sparse, using=SPARSE))
    lists = [Prefetch(limit=depth, query=query, filter=flt) for query in nearest]
    if request.stage_formula is not None and request.stage_limit is not None:
        return [Prefetch(limit=request.stage_limit, query=_formula(request.stage_formula), prefetches=lists)]
    if len(lists) == 1 or request.fusion is FusionKind.LINEAR:
        return lists
    fusion: Fusion.Rrf | Fusion.Dbsf = (
        Fusion.Rrf(k=request.rrf_k) if request.fusion is FusionKind.RRF else Fusion.Dbsf()
    )
    # The filter sits on each list: fusion only ever sees points the request may see. (The stubs
    # list `Fusion`, whose variants are what the binding takes.)
    return [Prefetch(limit=depth, query=fusion, prefetches=lists)]  # type: ignore[arg-type]


def _formula(expr: Expr) -> Formula:
    return Formula(render_formula(expr, _FORMULA), defaults=variable_defaults(expr))


def query_request(request: SearchRequest) -> QueryRequest:
    with_vector: list[str] | bool = [DENSE] if request.with_vector else False
    stages = _relevance(request)
    if request.formula is None:  # the relevance stage's own ranking
        [stage] = stages
        return QueryRequest(
            limit=request.limit,
            query=stage.query,
            prefetches=stage.prefetches or None,
            filter=stage.filter,
            with_payload=True,
            with_vector=with_vector,
        )
    formula = _formula(request.formula)
    # The formula only ever re-scores the candidates the (filtered) relevance stage lets through.
    return QueryRequest(
        limit=request.limit,
        query=formula,
        prefetches=stages,
        with_payload=True,
        with_vector=with_vector,
    )


def neighbour_request(request: NeighbourRequest) -> QueryRequest:
    direction = Direction.Desc if request.before else Direction.Asc
    return QueryRequest(
        limit=request.limit,
        query=OrderBy("seq", direction),
        filter=all_of(request.conditions()),
        with_payload=True,
        with_vector=False,
    )


def vectors(point: VectorPoint) -> dict[str, NamedVector]:
    vectors: dict[str, NamedVector] = {DENSE: point.vector}
    if point.sparse is not None and point.sparse.indices:
        vectors[SPARSE] = EdgeSparseVector(list(point.sparse.indices), list(point.sparse.values))
    return vectors


def scored(point: EdgeScoredPoint) -> ScoredPoint:
    return ScoredPoint(str(point.id), float(point.score), point.payload or {}, dense_vector(point.vector))
