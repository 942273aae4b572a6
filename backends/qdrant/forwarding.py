"""A `VectorIndex` whose data calls are forwarded, each by its method's name, to one `_call`: what an
index in front of another does (a circuit breaker, a pipe to an engine in a child process), the
calls it passes on written once. Sequences travel as lists and mappings as dicts, so that a call
can be pickled."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...memtypes.queries import (
    MemoryFilter,
    NeighbourRequest,
    ScoredPoint,
    SearchRequest,
    StoredPoint,
    VectorPoint,
)
from ...memtypes.types import MemoryType


class ForwardedCalls:
    """The reads and writes of a `VectorIndex`, each `_call(method, *args, **kwargs)`; a subclass
    says how a call is made, and answers the lifecycle and health calls itself."""

    async def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    async def upsert(self, memory_type: MemoryType, points: Sequence[VectorPoint]) -> None:
        await self._call("upsert", memory_type, list(points))

    async def get(
        self, memory_type: MemoryType, ids: Sequence[str], *, with_vector: bool = False
    ) -> list[StoredPoint]:
        result: list[StoredPoint] = await self._call("get", memory_type, list(ids), with_vector=with_vector)
        return result

    async def delete(self, memory_type: MemoryType, ids: Sequence[str]) -> None:
        await self._call("delete", memory_type, list(ids))

    async def set_payload(
        self, memory_type: MemoryType, ids: Sequence[str], payload: dict[str, object], *, durable: bool = True
    ) -> None:
        await self._call("set_payload", memory_type, list(ids), payload, durable=durable)

    async def set_payloads(
        self, memory_type: MemoryType, updates: Mapping[str, dict[str, object]], *, durable: bool = True
    ) -> None:
        await self._call("set_payloads", memory_type, dict(updates), durable=durable)

    async def scroll(
        self, memory_type: MemoryType, flt: MemoryFilter, limit: int, offset: str | None = None
    ) -> tuple[list[StoredPoint], str | None]:
        result: tuple[list[StoredPoint], str | None] = await self._call(
            "scroll", memory_type, flt, limit, offset
        )
        return result

    async def count(self, memory_type: MemoryType, flt: MemoryFilter, *, exact: bool = True) -> int:
        result: int = await self._call("count", memory_type, flt, exact=exact)
        return result

    async def search(self, requests: Sequence[SearchRequest]) -> list[list[ScoredPoint]]:
        result: list[list[ScoredPoint]] = await self._call("search", list(requests))
        return result

    async def neighbours(self, requests: Sequence[NeighbourRequest]) -> list[list[StoredPoint]]:
        result: list[list[StoredPoint]] = await self._call("neighbours", list(requests))
        return result
