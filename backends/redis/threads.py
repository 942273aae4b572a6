"""Conversation threads in Redis: the thread as a JSON string, its turns as a list, both with one TTL.

On a Redis Cluster the thread and its turns share a hash tag (one slot, so appends stay one
transaction); the tenant's scope-index sets are in their own slot, added before the thread is
created and removed after it is deleted (a stale member is harmless: lookups check it).
"""

from __future__ import annotations

from redis.asyncio import Redis

from ...memtypes.records import Scope
from ...sessions.threads import Thread, Turn
from .client import RedisGateway
from .keys import KeySpace
from .scopes import index_scope, members_in_scope, unindex_scope, within

_KIND = "thread"


class RedisThreadStore:
    def __init__(self, gateway: RedisGateway, keys: KeySpace) -> None:
        self.gateway = gateway
        self.keys = keys

    async def create(self, tenant: str, thread: Thread) -> None:
        key = self.keys.thread(tenant, thread.id)
        body = thread.model_dump_json()
        cluster = self.keys.cluster
        if cluster and thread.scope.items():
            await self.gateway.run(lambda r: self._index(r, tenant, thread.scope, thread.id))

        async def write(r: Redis) -> None:
            async with r.pipeline(transaction=True) as pipe:
                pipe.set(key, body, px=int(thread.ttl_s * 1000), nx=True)
                if not cluster:
                    index_scope(pipe, self.keys, tenant, _KIND, thread.scope, thread.id)
                await pipe.execute()

        await self.gateway.run(write)

    async def _index(self, r: Redis, tenant: str, scope: Scope, thread_id: str, add: bool = True) -> None:
        async with r.pipeline(transaction=False) as pipe:
            (index_scope if add else unindex_scope)(pipe, self.keys, tenant, _KIND, scope, thread_id)
            await pipe.execute()

    async def thread(self, tenant: str, thread_id: str) -> Thread | None:
        key = self.keys.thread(tenant, thread_id)
        raw = await self.gateway.run(lambda r: r.get(key))
        return Thread.model_validate_json(raw) if isinstance(raw, str) else None

    async def in_scope(self, tenant: str, scope: Scope) -> list[str]:
        async def scope_of(thread_id: str) -> Scope | None:
            thread = await self.thread(tenant, thread_id)
            return thread.scope.model_copy(update={"thread_id": thread.id}) if thread else None

        if scope.thread_id is None:
            return await members_in_scope(self.gateway, self.keys, tenant, _KIND, scope, scope_of)
        # A thread's own id is its thread_id: that one thread, if the rest of the scope matches too.
        stored = await scope_of(scope.thread_id)
        return [scope.thread_id] if stored is not None and within(stored, scope) else []

    async def delete(self, tenant: str, thread_id: str) -> None:
        thread = await self.thread(tenant, thread_id)
        keys = (self.keys.thread(tenant, thread_id), self.keys.thread_turns(tenant, thread_id))

        cluster = self.keys.cluster

        async def remove(r: Redis) -> None:
            async with r.pipeline(transaction=True) as pipe:
                pipe.delete(*keys)
                if thread is not None and not cluster:
                    unindex_scope(pipe, self.keys, tenant, _KIND, thread.scope, thread_id)
                await pipe.execute()

        await self.gateway.run(remove)
        if cluster and thread is not None and thread.scope.items():
            await self.gateway.run(lambda r: self._index(r, tenant, thread.scope, thread_id, add=False))

    async def load(self, tenant: str, thread_id: str) -> tuple[Thread, list[Turn]] | None:
        key, turns_key = self.keys.thread(tenant, thread_id), self.keys.thread_turns(tenant, thread_id)

        async def read(r: Redis) -> list[object]:
            async with r.pipeline(transaction=False) as pipe:
                pipe.get(key)
                pipe.lrange(turns_key, 0, -1)
                result: list[object] = await pipe.execute()
                return result

        raw, turns = await self.gateway.run(read)
        if not isinstance(raw, str) or not isinstance(turns, list):
            return None
        return Thread.model_validate_json(raw), [Turn.model_validate_json(t) for t in turns]

    async def turn_count(self, tenant: str, thread_id: str) -> int | None:
        key, turns_key = self.keys.thread(tenant, thread_id), self.keys.thread_turns(tenant, thread_id)

        async def read(r: Redis) -> list[int]:
            async with r.pipeline(transaction=False) as pipe:
                pipe.exists(key)
                pipe.llen(turns_key)
                result: list[int] = await pipe.execute()
                return result

        exists, count = await self.gateway.run(read)
        return int(count) if exists else None

    async def append(self, tenant: str, turn: Turn, ttl_s: float) -> None:
        key, turns_key = (
            self.keys.thread(tenant, turn.thread_id),
            self.keys.thread_turns(tenant, turn.thread_id),
        )
        ttl_ms = int(ttl_s * 1000)
        body = turn.model_dump_json()

        async def write(r: Redis) -> None:
            async with r.pipeline(transaction=True) as pipe:
                pipe.rpush(turns_key, body)
                pipe.pexpire(turns_key, ttl_ms)
                pipe.pexpire(key, ttl_ms)
                await pipe.execute()

        await self.gateway.run(write)
