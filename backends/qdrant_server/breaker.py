"""A circuit breaker around a Qdrant *server* (the qdrant-client index), like the one around Redis.

Each call already has a timeout (the client's, `MNEMO_QDRANT__TIMEOUT_S`) and turns an unreachable
or failing server into `Unavailable`. The breaker adds: after `failures` of those in a row, calls
fail at once (503 + Retry-After) for `reset_s` instead of each waiting out the timeout and piling
up requests; then one trial call decides. Embedded Qdrant Edge is not wrapped: it is in-process,
and a call through the breaker would only cost time on the hot path.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

from aiobreaker import CircuitBreakerError

from ...memtypes.errors import Unavailable
from ...memtypes.ports import IndexHealth, IndexMaintenance, VectorIndex
from ...memtypes.queries import (
    MemoryFilter,
    NeighbourRequest,
    ScoredPoint,
    SearchRequest,
    StoredPoint,
    VectorPoint,
)
from ...memtypes.types import MemoryType
from ..circuit import BreakerGuarded, dependency_breaker

log = logging.getLogger("mnemo.qdrant")
T = TypeVar("T")


class BreakerGuardedIndex(BreakerGuarded):
    """A `VectorIndex` whose every call to the wrapped one goes through a circuit breaker."""

    def __init__(self, inner: VectorIndex, failures: int = 3, reset_s: float = 5.0) -> None:
        self.inner = inner
        self.dimension = inner.dimension
        self._breaker = dependency_breaker(
            "qdrant",
            "Qdrant server",
            failures=failures,
            reset_s=reset_s,
            is_outage=lambda exc: isinstance(exc, Unavailable),
            log=log,
        )

    async def _call(self, op: Callable[[], Awaitable[T]]) -> T:
        try:
            result: T = await self._breaker.call_async(op)
            return result
        except CircuitBreakerError:
            raise Unavailable(
                "the Qdrant server is unavailable (circuit open); retry later",
                dependency="qdrant",
                retry_after_s=self.retry_after_s,
            ) from None
        except Unavailable as exc:  # a new problem with the breaker's Retry-After; the caught one as is
            raise Unavailable(exc.detail, dependency="qdrant", retry_after_s=self.retry_after_s) from exc

    async def open(self) -> None:
        await self.inner.open()  # start-up: not through the breaker, a failure there is fatal

    async def close(self) -> None:
        await self.inner.close()

    async def ready(self) -> bool:
        try:
            return await self._call(self._checked_ready)
        except Unavailable:
            return False

    async def health(self) -> IndexHealth:
        return IndexHealth(await self.ready(), "qdrant", self.breaker_state)

    def maintenance(self) -> IndexMaintenance | None:
        return self.inner.maintenance()

    async def set_payloads(
        self, memory_type: MemoryType, updates: Mapping[str, dict[str, object]], *, durable: bool = True
    ) -> None:
        await self._call(lambda: self.inner.set_payloads(memory_type, updates, durable=durable))

    async def _checked_ready(self) -> bool:
        if not await self.inner.ready():
            raise Unavailable("the Qdrant server does not answer", dependency="qdrant")
        return True

    async def upsert(self, memory_type: MemoryType, points: Sequence[VectorPoint]) -> None:
        await self._call(lambda: self.inner.upsert(memory_type, points))

    async def get(
        self, memory_type: MemoryType, ids: Sequence[str], *, with_vector: bool = False
    ) -> list[StoredPoint]:
        return await self._call(lambda: self.inner.get(memory_type, ids, with_vector=with_vector))

    async def delete(self, memory_type: MemoryType, ids: Sequence[str]) -> None:
        await self._call(lambda: self.inner.delete(memory_type, ids))

    async def set_payload(
        self, memory_type: MemoryType, ids: Sequence[str], payload: dict[str, object], *, durable: bool = True
    ) -> None:
        await self._call(lambda: self.inner.set_payload(memory_type, ids, payload, durable=durable))

    async def scroll(
        self, memory_type: MemoryType, flt: MemoryFilter, limit: int, offset: str | None = None
    ) -> tuple[list[StoredPoint], str | None]:
        return await self._call(lambda: self.inner.scroll(memory_type, flt, limit, offset))

    async def count(self, memory_type: MemoryType, flt: MemoryFilter, *, exact: bool = True) -> int:
        return await self._call(lambda: self.inner.count(memory_type, flt, exact=exact))

    async def search(self, requests: Sequence[SearchRequest]) -> list[list[ScoredPoint]]:
        return await self._call(lambda: self.inner.search(requests))

    async def neighbours(self, requests: Sequence[NeighbourRequest]) -> list[list[StoredPoint]]:
        return await self._call(lambda: self.inner.neighbours(requests))
