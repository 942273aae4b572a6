"""How often and when each memory was returned by a retrieval, in one Redis hash per tenant and type.

Statistics for people (the explorer, `GET /v1/memories`), not for ranking. They live beside the index
rather than in its payloads: every payload update makes Qdrant Edge copy the point out of its HNSW
index into the shard's appendable segment, where each search reads it by brute force, so writing
counts into payloads drifted the most-retrieved memories out of the index (benchmarks/README.md,
engine notes). Increments add up, so replicas flushing at once never lose each other's counts.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import datetime

from redis.asyncio import Redis

from ...memtypes.types import MemoryType
from .client import RedisGateway
from .keys import KeySpace

_DROP_CHUNK = 1_000


def _count_field(point_id: str) -> str:
    return f"n:{point_id}"


def _time_field(point_id: str) -> str:
    return f"t:{point_id}"


def _fields(ids: Sequence[str]) -> list[str]:
    """Each id's two fields, count then time."""
    return [f for point_id in ids for f in (_count_field(point_id), _time_field(point_id))]


async def _hdel(r: Redis, key: str, fields: list[str]) -> int:
    return int(await r.hdel(key, *fields))


class RedisAccessCounts:
    def __init__(self, gateway: RedisGateway, keys: KeySpace) -> None:
        self.gateway = gateway
        self.keys = keys

    async def add(
        self, tenant: str, memory_type: MemoryType, counts: Mapping[str, int], at: datetime
    ) -> None:
        """One round trip (a pipeline, not a transaction: each increment stands alone)."""
        if not counts:
            return
        key = self.keys.access(tenant, memory_type.value)
        stamp = at.isoformat()

        async def run(r: Redis) -> None:
            async with r.pipeline(transaction=False) as pipe:
                for point_id, count in counts.items():
                    pipe.hincrby(key, _count_field(point_id), count)
                pipe.hset(key, mapping={_time_field(point_id): stamp for point_id in counts})
                await pipe.execute()

        await self.gateway.run(run)

    async def read(
        self, tenant: str, memory_type: MemoryType, ids: Sequence[str]
    ) -> dict[str, tuple[int, datetime | None]]:
        """The counted ones among `ids`: times returned and when last."""
        if not ids:
            return {}
        key = self.keys.access(tenant, memory_type.value)
        fields = _fields(ids)
        values = await self.gateway.run(lambda r: r.hmget(key, fields))
        found: dict[str, tuple[int, datetime | None]] = {}
        for n, point_id in enumerate(ids):
            count, stamp = values[2 * n], values[2 * n + 1]
            if count is not None:
                found[point_id] = (int(count), datetime.fromisoformat(str(stamp)) if stamp else None)
        return found

    async def drop(self, tenant: str, memory_type: MemoryType, ids: Sequence[str]) -> None:
        if not ids:
            return
        key = self.keys.access(tenant, memory_type.value)
        for start in range(0, len(ids), _DROP_CHUNK):  # a forget of a whole subject: bounded commands
            fields = _fields(ids[start : start + _DROP_CHUNK])
            await self.gateway.run(functools.partial(_hdel, key=key, fields=fields))

    async def move(self, tenant: str, memory_type: MemoryType, renamed: Mapping[str, str]) -> None:
        """Counts kept under an old id set under its new one (a store's ids re-keyed), at once per
        id: a move repeated after a crash finds nothing left to move and changes nothing."""
        if not renamed:
            return
        key = self.keys.access(tenant, memory_type.value)
        old_ids = list(renamed)
        values = await self.gateway.run(lambda r: r.hmget(key, _fields(old_ids)))

        async def run(r: Redis) -> None:
            async with r.pipeline(transaction=True) as pipe:
                for n, old in enumerate(old_ids):
                    count, stamp = values[2 * n], values[2 * n + 1]
                    if count is None and stamp is None:
                        continue
                    new = renamed[old]
                    if count is not None:
                        pipe.hset(key, _count_field(new), count)
                    if stamp is not None:
                        pipe.hset(key, _time_field(new), stamp)
                    pipe.hdel(key, _count_field(old), _time_field(old))
                await pipe.execute()

        await self.gateway.run(run)
