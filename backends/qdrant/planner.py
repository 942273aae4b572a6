"""One Qdrant query planner for both backends: what a `MemoryFilter`, a `SearchRequest` and a
`NeighbourRequest` become (filter conditions, where the prefetches go, fusion, the relevance stage
and its cut, the ranking formula, the neighbour lookup), and the fan-out of a batch to one call per
collection.

Generic over a small vocabulary (`QueryVocabulary`): each backend supplies only its engine's
constructors (qdrant-edge-py's classes or qdrant-client's models), as the formula renderer does, so
the two cannot drift apart on what a request means.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from functools import lru_cache
from typing import Any, Generic, Protocol, TypeVar

from ...memtypes.formula import (
    AllOf,
    Condition,
    Const,
    Div,
    Excludes,
    ExpDecay,
    Expr,
    FieldEquals,
    FieldIn,
    GaussDecay,
    Missing,
    Mult,
    Sum,
    Var,
    variable_defaults,
)
from ...memtypes.queries import (
    Fusion,
    MemoryFilter,
    NeighbourRequest,
    ScoredPoint,
    SearchRequest,
    VectorPoint,
)
from ...memtypes.types import MemoryType
from .schema import DENSE, SPARSE, dense_vector

E = TypeVar("E")  # a formula expression
C = TypeVar("C")  # a filter condition
F = TypeVar("F")  # a filter
P = TypeVar("P")  # a prefetch (one stage of candidates)
Q = TypeVar("Q")  # a query request
Q_co = TypeVar("Q_co", covariant=True)
FQ = TypeVar("FQ")  # a formula query
V = TypeVar("V")  # a sparse vector


class QueryVocabulary(Protocol[E, C, F, P, Q_co, FQ, V]):
    """One engine's constructors; no decisions."""

    # Formula nodes.
    def const(self, value: float) -> E: ...
    def var(self, name: str) -> E: ...
    def sum(self, terms: list[E]) -> E: ...
    def mult(self, factors: list[E]) -> E: ...
    def div(self, left: E, right: E, by_zero_default: float) -> E: ...
    def exp_decay(self, x: E, target: E, scale: float, midpoint: float) -> E: ...
    def gauss_decay(self, x: E, target: E, scale: float, midpoint: float) -> E: ...
    def matches(self, flt: F) -> E: ...  # 1 where the filter holds, else 0

    # Filters.
    def equals(self, key: str, value: str | bool | int) -> C: ...
    def any_of(self, key: str, values: list[Any]) -> C: ...
    def in_range(self, key: str, gte: float | None, lt: float | None) -> C: ...
    def missing(self, key: str) -> C: ...
    def must(self, conditions: list[C], excluded: list[F]) -> F: ...

    # Queries.
    def sparse_vector(self, indices: list[int], values: list[float]) -> V: ...
    def nearest(self, vector: list[float] | V, using: str, flt: F, limit: int) -> P: ...
    def formula(self, expression: E, defaults: dict[str, float]) -> FQ: ...
    def ranked(self, formula: FQ, prefetches: list[P], limit: int) -> P: ...
    def fused(self, fusion: Fusion, rrf_k: int, prefetches: list[P], limit: int) -> P: ...
    def stage_request(
        self, stage: P, limit: int, with_vector: list[str] | bool, with_payload: bool
    ) -> Q_co: ...
    def formula_request(
        self, formula: FQ, prefetches: list[P], limit: int, with_vector: list[str] | bool, with_payload: bool
    ) -> Q_co: ...
    def ordered_request(
        self, key: str, descending: bool, start_from: float, flt: F, limit: int, with_payload: bool
    ) -> Q_co: ...


# Built filters kept: a tenant's scope and the formula's conditions recur request after request.
_BUILT_FILTERS = 4_096


class QueryPlanner(Generic[E, C, F, P, Q, FQ, V]):
    def __init__(self, vocabulary: QueryVocabulary[E, C, F, P, Q, FQ, V]) -> None:
        self.v = vocabulary
        # The engines' filter objects are never changed once built, so one may serve many requests.
        # `validity=False`: without a current read's validity conditions (MemoryFilter.conditions).
        self.filter: Callable[..., F] = lru_cache(_BUILT_FILTERS)(self._filter)
        self._matches: Callable[[AllOf], E] = lru_cache(_BUILT_FILTERS)(self._matches_all)

    def _filter(self, flt: MemoryFilter, validity: bool = True) -> F:
        return self.all_of(flt.conditions(validity))

    def _matches_all(self, node: AllOf) -> E:
        return self.v.matches(self.all_of(node.conditions))

    def all_of(self, conditions: Sequence[Condition]) -> F:
        excluded = [self.all_of(c.conditions) for c in conditions if isinstance(c, Excludes)]
        return self.v.must([self._condition(c) for c in conditions if not isinstance(c, Excludes)], excluded)

    def _condition(self, cond: Condition) -> C:
        if isinstance(cond, FieldEquals):
            return self.v.equals(cond.key, cond.value)
        if isinstance(cond, FieldIn):
            return self.v.any_of(cond.key, list(cond.values))
        if isinstance(cond, Missing):
            return self.v.missing(cond.key)
        assert not isinstance(cond, Excludes)  # all_of puts those in the filter's must_not
        return self.v.in_range(cond.key, cond.gte, cond.lt)

    def expression(self, expr: Expr) -> E:
        """The backend-neutral formula tree in this engine's nodes (defaults go separately)."""
        v, render = self.v, self.expression
        if isinstance(expr, Const):
            return v.const(expr.value)
        if isinstance(expr, Var):
            return v.var(expr.name)
        if isinstance(expr, Sum):
            return v.sum([render(t) for t in expr.terms])
        if isinstance(expr, Mult):
            return v.mult([render(f) for f in expr.factors])
        if isinstance(expr, Div):
            return v.div(render(expr.left), render(expr.right), expr.by_zero_default)
        if isinstance(expr, ExpDecay):
            return v.exp_decay(render(expr.x), render(expr.target), expr.scale, expr.midpoint)
        if isinstance(expr, GaussDecay):
            return v.gauss_decay(render(expr.x), render(expr.target), expr.scale, expr.midpoint)
        if isinstance(expr, AllOf):
            return self._matches(expr)
        raise TypeError(f"unknown formula node {expr!r}")

    def formula(self, expr: Expr) -> FQ:
        return self.v.formula(self.expression(expr), variable_defaults(expr))

    def relevance(self, request: SearchRequest, validity: bool = True) -> list[P]:
        """The relevance stage: dense or sparse nearest neighbours, or both (fused, or for the
        formula to combine), each list filtered."""
        flt, depth = self.filter(request.filter, validity), request.prefetch_limit
        lists = []
        if request.vector is not None:
            lists.append(self.v.nearest(request.vector, DENSE, flt, depth))
        if request.sparse is not None:
            sparse = self.v.sparse_vector(list(request.sparse.indices), list(request.sparse.values))
            lists.append(self.v.nearest(sparse, SPARSE, flt, depth))
        if request.stage_formula is not None and request.stage_limit is not None:
            return [self.v.ranked(self.formula(request.stage_formula), lists, request.stage_limit)]
        if len(lists) == 1 or request.fusion is Fusion.LINEAR:
            return lists
        # The filter sits on each list: fusion only ever sees points the request may see.
        return [self.v.fused(request.fusion, request.rrf_k, lists, depth)]

    def query(self, request: SearchRequest, with_payload: bool = True, validity: bool = True) -> Q:
        """`with_payload=False`: ids and scores only (an engine that caches payloads reads them itself);
        `validity=False`: a current read without its validity conditions (MemoryFilter.conditions)."""
        with_vector: list[str] | bool = [DENSE] if request.with_vector else False
        stages = self.relevance(request, validity)
        if request.formula is None:  # the relevance stage's own ranking
            [stage] = stages
            return self.v.stage_request(stage, request.limit, with_vector, with_payload)
        # The formula only ever re-scores the candidates the (filtered) relevance stage lets through.
        formula = self.formula(request.formula)
        return self.v.formula_request(formula, stages, request.limit, with_vector, with_payload)

    def neighbours(self, request: NeighbourRequest, with_payload: bool = True, validity: bool = True) -> Q:
        conditions = self.all_of(request.conditions(validity))
        # Started at the turn: without a start, the engine may walk the `seq` index from its far end,
        # checking the filter on every point it passes: at 1M memories many times the cost of a
        # lookup that starts at the turn.
        return self.v.ordered_request(
            "seq", request.before, request.start_from, conditions, request.limit, with_payload
        )

    def vectors(self, point: VectorPoint) -> dict[str, Any]:
        """The named vectors of a point to store: dense, and BM25 when it has any terms."""
        vectors: dict[str, Any] = {DENSE: point.vector}
        if point.sparse is not None and point.sparse.indices:
            vectors[SPARSE] = self.v.sparse_vector(list(point.sparse.indices), list(point.sparse.values))
        return vectors


def scored_hits(points: Sequence[Any], payload_limit: int | None) -> list[ScoredPoint]:
    """An engine's hits (both engines' points have id, score, payload, vector), best first, with
    payloads up to `payload_limit` only (None: all), as `SearchRequest.payload_limit` has it, whether
    or not the engine returned the others'."""
    head = len(points) if payload_limit is None else payload_limit
    return [
        ScoredPoint(str(p.id), float(p.score), (p.payload or {}) if k < head else {}, dense_vector(p.vector))
        for k, p in enumerate(points)
    ]


class _Typed(Protocol):
    @property
    def memory_type(self) -> MemoryType: ...


R = TypeVar("R", bound=_Typed)
T = TypeVar("T")


async def search_per_type(
    requests: Sequence[R],
    run_type: Callable[[MemoryType, list[R]], Awaitable[list[list[T]]]],
) -> list[list[T]]:
    """Run one batched call per memory type (concurrently) and answer in the caller's order."""
    positions = _positions(requests)
    per_type = await asyncio.gather(
        *(run_type(mt, [requests[i] for i in where]) for mt, where in positions.items())
    )
    return _in_order(len(requests), positions, per_type)


def serial_per_type(
    requests: Sequence[R], run_type: Callable[[MemoryType, list[R]], list[list[T]]]
) -> list[list[T]]:
    """`search_per_type` one type after the other, for an engine that holds the GIL anyway."""
    positions = _positions(requests)
    per_type = [run_type(mt, [requests[i] for i in where]) for mt, where in positions.items()]
    return _in_order(len(requests), positions, per_type)


def _positions(requests: Sequence[R]) -> dict[MemoryType, list[int]]:
    positions: dict[MemoryType, list[int]] = {}
    for i, request in enumerate(requests):
        positions.setdefault(request.memory_type, []).append(i)
    return positions


def _in_order(
    count: int, positions: dict[MemoryType, list[int]], per_type: Sequence[list[list[T]]]
) -> list[list[T]]:
    out: list[list[T]] = [[] for _ in range(count)]
    for where, results in zip(positions.values(), per_type, strict=True):
        for i, hits in zip(where, results, strict=True):
            out[i] = hits
    return out
