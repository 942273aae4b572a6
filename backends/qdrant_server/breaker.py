"""A circuit breaker around a Qdrant *server* (the qdrant-client index), like the one around Redis.

Each call already has a timeout (the client's, `MNEMO_QDRANT__TIMEOUT_S`) and turns an unreachable
or failing server into `Unavailable`. The breaker adds: after `failures` of those in a row, calls
fail at once (503 + Retry-After) for `reset_s` instead of each waiting out the timeout and piling
up requests; then one trial call decides. Embedded Qdrant Edge is not wrapped: it is in-process,
and a call through the breaker would only cost time on the hot path.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiobreaker import CircuitBreakerError

from ...memtypes.errors import Unavailable
from ...memtypes.ports import IndexHealth, IndexMaintenance, VectorIndex
from ..circuit import BreakerGuarded, dependency_breaker
from ..qdrant.forwarding import ForwardedCalls

log = logging.getLogger("mnemo.qdrant")
T = TypeVar("T")


class BreakerGuardedIndex(ForwardedCalls, BreakerGuarded):
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

    async def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        forwarded = getattr(self.inner, method)
        return await self._guarded(lambda: forwarded(*args, **kwargs))

    async def _guarded(self, op: Callable[[], Awaitable[T]]) -> T:
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
            return await self._guarded(self._checked_ready)
        except Unavailable:
            return False

    async def health(self) -> IndexHealth:
        return IndexHealth(await self.ready(), "qdrant", self.breaker_state)

    def maintenance(self) -> IndexMaintenance | None:
        return self.inner.maintenance()

    async def _checked_ready(self) -> bool:
        if not await self.inner.ready():
            raise Unavailable("the Qdrant server does not answer", dependency="qdrant")
        return True
