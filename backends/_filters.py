"""What the two vector backends share: the payload schema, the walk
over the ranking-formula tree, and the fan-out of a search batch to one call per collection.

Each backend still builds its own engine's objects; this module only decides *what* to build, so the
two cannot drift apart on which fields are indexed or what a `MemoryFilter` means.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

from memtypes.formula import AllOf, Condition, Const, Div, ExpDecay, Expr, GaussDecay, Mult, Sum, Var
from memtypes.types import MemoryType

DENSE = "dense"  # the name of the one dense vector of every collection
SPARSE = "bm25"  # the name of the sparse (BM25) vector, IDF applied by the engine


class IndexKind(StrEnum):
    TENANT = "tenant"  # a keyword index that also partitions storage by tenant
    KEYWORD = "keyword"
    BOOL = "bool"
    FLOAT = "float"


# Every field a filter or the ranking formula reads. The timestamps are indexed as floats because the
# formula's conditions take ranges over them (`due_ts < now` for overdue items).
PAYLOAD_INDEXES: tuple[tuple[str, IndexKind], ...] = (
    ("tenant", IndexKind.TENANT),
    ("user_id", IndexKind.KEYWORD),
    ("agent_id", IndexKind.KEYWORD),
    ("thread_id", IndexKind.KEYWORD),
    ("namespace", IndexKind.KEYWORD),  # agent bindings' `<resource>/<key>`
    ("status", IndexKind.KEYWORD),
    ("content_hash", IndexKind.KEYWORD),
    ("external_id", IndexKind.KEYWORD),
    ("task_id", IndexKind.KEYWORD),
    ("fact_key", IndexKind.KEYWORD),
    ("trigger_key", IndexKind.KEYWORD),
    ("superseded", IndexKind.BOOL),
    ("occurred_ts", IndexKind.FLOAT),
    ("due_ts", IndexKind.FLOAT),
    ("created_ts", IndexKind.FLOAT),
    ("seq", IndexKind.FLOAT),  # write order: neighbouring turns are found by ordering on it
)


def canonical_ids(ids: Sequence[str]) -> list[str]:
    """The ids that can name a point at all, in canonical UUID form.

    A string that is not a UUID cannot exist in the index, so reads and deletes skip it instead of
    letting the engine fail the whole call (ids may come straight from a URL).
    """
    out: list[str] = []
    for raw in ids:
        try:
            out.append(str(uuid.UUID(raw)))
        except (ValueError, TypeError, AttributeError):
            continue
    return out


def dense_vector(vector: object) -> list[float] | None:
    """The "dense" vector out of whatever shape the engine returned it in."""
    if isinstance(vector, dict):
        vector = vector.get(DENSE)
    if isinstance(vector, list):
        return [float(x) for x in vector]
    return None


E = TypeVar("E")


class FormulaRenderer(Protocol, Generic[E]):
    """One engine's constructors for the nodes of a ranking formula."""

    def const(self, value: float) -> E: ...

    def var(self, name: str) -> E: ...

    def sum(self, terms: list[E]) -> E: ...

    def mult(self, factors: list[E]) -> E: ...

    def div(self, left: E, right: E, by_zero_default: float) -> E: ...

    def exp_decay(self, x: E, target: E, scale: float, midpoint: float) -> E: ...

    def gauss_decay(self, x: E, target: E, scale: float, midpoint: float) -> E: ...

    def all_of(self, conditions: tuple[Condition, ...]) -> E: ...


def render_formula(expr: Expr, renderer: FormulaRenderer[E]) -> E:
    """Translate the backend-neutral tree with one engine's constructors (defaults go separately)."""
    if isinstance(expr, Const):
        return renderer.const(expr.value)
    if isinstance(expr, Var):
        return renderer.var(expr.name)
    if isinstance(expr, Sum):
        return renderer.sum([render_formula(t, renderer) for t in expr.terms])
    if isinstance(expr, Mult):
        return renderer.mult([render_formula(f, renderer) for f in expr.factors])
    if isinstance(expr, Div):
        left, right = render_formula(expr.left, renderer), render_formula(expr.right, renderer)
        return renderer.div(left, right, expr.by_zero_default)
    if isinstance(expr, ExpDecay):
        x, target = render_formula(expr.x, renderer), render_formula(expr.target, renderer)
        return renderer.exp_decay(x, target, expr.scale, expr.midpoint)
    if isinstance(expr, GaussDecay):
        x, target = render_formula(expr.x, renderer), render_formula(expr.target, renderer)
        return renderer.gauss_decay(x, target, expr.scale, expr.midpoint)
    if isinstance(expr, AllOf):
        return renderer.all_of(expr.conditions)
    raise TypeError(f"unknown formula node {expr!r}")


class _Typed(Protocol):
    @property
    def memory_type(self) -> MemoryType: ...


R = TypeVar("R", bound=_Typed)
P = TypeVar("P")


async def search_per_type(
    requests: Sequence[R],
    run_type: Callable[[MemoryType, list[R]], Awaitable[list[list[P]]]],
) -> list[list[P]]:
    """Run one batched call per memory type (concurrently) and answer in the caller's order."""
    positions = _positions(requests)
    per_type = await asyncio.gather(
        *(run_type(mt, [requests[i] for i in where]) for mt, where in positions.items())
    )
    return _in_order(len(requests), positions, per_type)


def serial_per_type(
    requests: Sequence[R], run_type: Callable[[MemoryType, list[R]], list[list[P]]]
) -> list[list[P]]:
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
    count: int, positions: dict[MemoryType, list[int]], per_type: Sequence[list[list[P]]]
) -> list[list[P]]:
    out: list[list[P]] = [[] for _ in range(count)]
    for where, results in zip(positions.values(), per_type, strict=True):
        for i, hits in zip(where, results, strict=True):
            out[i] = hits
    return out
