"""Congruence of the two vector backends (as qdrant-client's `tests/congruence_tests`):
`compare_indexes(edge, client)` is a `VectorIndex` that runs every call on both engines and checks
that they answer alike: the same ids in the same order, the same scores, the same payloads, the same
errors. The `index` fixture's `congruent` parameter runs every backend scenario through it."""

from __future__ import annotations

import itertools
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from mnemo.memtypes.ports import IndexHealth, IndexMaintenance, VectorIndex
from mnemo.memtypes.queries import (
    MemoryFilter,
    NeighbourRequest,
    ScoredPoint,
    SearchRequest,
    StoredPoint,
    VectorPoint,
)
from mnemo.memtypes.types import MemoryType

T = TypeVar("T")
P = TypeVar("P", list[ScoredPoint], list[StoredPoint])
# Edge stores dense vectors as float16 and rounds the query to float16 (its similarities of these
# tests' 8-dimensional unit vectors move by up to ~5e-4); the client's local mode computes in f64.
SCORE_TOLERANCE = 1e-3


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=SCORE_TOLERANCE, abs_tol=SCORE_TOLERANCE)


def _same_payload(a: Any, b: Any) -> bool:
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return _close(float(a), float(b))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_same_payload(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same_payload(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _same_content(a: StoredPoint | ScoredPoint, b: StoredPoint | ScoredPoint) -> None:
    """One point as each engine returned it: the same payload and, when asked for, vector."""
    assert _same_payload(a.payload, b.payload), (a.id, a.payload, b.payload)
    if a.vector is not None or b.vector is not None:
        assert a.vector is not None and b.vector is not None
        assert all(_close(x, y) for x, y in zip(a.vector, b.vector, strict=True))


def _compare_scored(first: Sequence[ScoredPoint], second: Sequence[ScoredPoint]) -> None:
    """The same hits with close scores. Hits whose scores are within the tolerance may come in
    either order, and at a `limit` cut either may be the one kept: a hit only one engine returned
    must score as low as that engine's last one (a tie at the cut)."""
    assert len(first) == len(second), "the engines found different numbers of points"
    theirs = {p.id: p for p in second}
    for a in first:
        b = theirs.get(a.id)
        if b is not None:
            assert _close(a.score, b.score), (a.id, a.score, b.score)
            _same_content(a, b)
    ours = {p.id for p in first}
    for hits, other in ((first, theirs.keys()), (second, ours)):
        for only in (p for p in hits if p.id not in other):
            assert _close(only.score, hits[-1].score), "the engines found different points"


def compare_points(
    first: Sequence[StoredPoint | ScoredPoint], second: Sequence[StoredPoint | ScoredPoint]
) -> None:
    """Ids, order, scores (within tolerance, ties in any order), payloads and vectors agree."""
    scored = bool(first) and all(isinstance(p, ScoredPoint) for p in [*first, *second])
    if scored:
        for hits in (first, second):  # each engine's own order is by score
            scores = [p.score for p in hits]  # type: ignore[union-attr]
            assert all(a >= b or _close(a, b) for a, b in itertools.pairwise(scores)), scores
        _compare_scored(first, second)  # type: ignore[arg-type]
        return
    assert [p.id for p in first] == [p.id for p in second], "the engines found different points"
    for a, b in zip(first, second, strict=True):
        _same_content(a, b)


class CongruentIndexes:
    """A `VectorIndex` over two engines: each call runs on both, their answers must agree, and the
    first engine's answer is returned."""

    def __init__(self, first: VectorIndex, second: VectorIndex) -> None:
        assert first.dimension == second.dimension
        self.first, self.second = first, second
        self.dimension = first.dimension

    async def _both(self, call: Callable[[VectorIndex], Awaitable[T]]) -> tuple[T, T]:
        outcomes: list[tuple[bool, Any]] = []
        for index in (self.first, self.second):
            try:
                outcomes.append((True, await call(index)))
            except Exception as exc:  # the same failure on both is congruent too
                outcomes.append((False, exc))
        (ok_a, a), (ok_b, b) = outcomes
        if not (ok_a and ok_b):
            assert ok_a == ok_b and type(a) is type(b), f"only one engine failed: {a!r} / {b!r}"
            raise a
        return a, b

    async def open(self) -> None:
        await self._both(lambda i: i.open())

    async def close(self) -> None:
        await self._both(lambda i: i.close())

    async def ready(self) -> bool:
        a, b = await self._both(lambda i: i.ready())
        assert a == b
        return a

    async def health(self) -> IndexHealth:
        a, b = await self._both(lambda i: i.health())
        assert a.ready == b.ready
        return a

    def maintenance(self) -> IndexMaintenance | None:
        return None  # the congruence is of answers; each engine keeps its own indexes

    async def upsert(self, memory_type: MemoryType, points: Sequence[VectorPoint]) -> None:
        await self._both(lambda i: i.upsert(memory_type, points))

    async def delete(self, memory_type: MemoryType, ids: Sequence[str]) -> None:
        await self._both(lambda i: i.delete(memory_type, ids))

    async def set_payload(
        self, memory_type: MemoryType, ids: Sequence[str], payload: dict[str, object], *, durable: bool = True
    ) -> None:
        await self._both(lambda i: i.set_payload(memory_type, ids, payload, durable=durable))

    async def set_payloads(
        self, memory_type: MemoryType, updates: Mapping[str, dict[str, object]], *, durable: bool = True
    ) -> None:
        await self._both(lambda i: i.set_payloads(memory_type, updates, durable=durable))

    async def get(
        self, memory_type: MemoryType, ids: Sequence[str], *, with_vector: bool = False
    ) -> list[StoredPoint]:
        a, b = await self._both(lambda i: i.get(memory_type, ids, with_vector=with_vector))
        compare_points(a, b)
        return a

    async def scroll(
        self, memory_type: MemoryType, flt: MemoryFilter, limit: int, offset: str | None = None
    ) -> tuple[list[StoredPoint], str | None]:
        a, b = await self._both(lambda i: i.scroll(memory_type, flt, limit, offset))
        compare_points(a[0], b[0])
        assert a[1] == b[1], "the engines page differently"
        return a

    async def count(self, memory_type: MemoryType, flt: MemoryFilter, *, exact: bool = True) -> int:
        a, b = await self._both(lambda i: i.count(memory_type, flt, exact=exact))
        if exact:  # estimates are each engine's own
            assert a == b
        return a

    async def _per_request(
        self, requests: Sequence[object], call: Callable[[VectorIndex], Awaitable[list[P]]]
    ) -> list[P]:
        """A batched read on both engines: an answer per request, each request's points agreeing."""
        a, b = await self._both(call)
        assert len(a) == len(b) == len(requests)
        for points_a, points_b in zip(a, b, strict=True):
            compare_points(points_a, points_b)
        return a

    async def search(self, requests: Sequence[SearchRequest]) -> list[list[ScoredPoint]]:
        return await self._per_request(requests, lambda i: i.search(requests))

    async def neighbours(self, requests: Sequence[NeighbourRequest]) -> list[list[StoredPoint]]:
        return await self._per_request(requests, lambda i: i.neighbours(requests))


def compare_indexes(edge: VectorIndex, client: VectorIndex) -> CongruentIndexes:
    return CongruentIndexes(edge, client)
