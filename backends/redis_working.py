"""Live working memory in Redis: one JSON state per (tenant, task), plus one sorted set of expiry times.

Expiry is the sweeper's job, not Redis's: a key Redis expires is gone before anyone could archive
it. So each state carries its logical `expires_at`, the sorted set tells the sweeper which tasks
are due, and the key's own Redis TTL is that time plus a grace period, only so that a deployment
that stops running mnemo does not leave scratchpads behind forever.

On a Redis Cluster the task's key and its shard of the deadline index share a hash tag, so the
state and its deadline still change in one transaction; the tenant's scope-index sets live in
another slot and are written just before (adding first: a stale member is harmless, lookups
check it) and removed just after.
"""

from __future__ import annotations

from datetime import datetime

from redis.asyncio import Redis

from backends.redis_client import RedisGateway
from backends.redis_keys import KeySpace
from backends.redis_scopes import index_scope, members_in_scope, unindex_scope
from memtypes.records import Scope, utcnow
from memtypes.working import WorkingState

EXPIRED_GRACE_S = 24 * 3600
_KIND = "wm"


class RedisWorkingStore:
    def __init__(self, gateway: RedisGateway, keys: KeySpace) -> None:
        self.gateway = gateway
        self.keys = keys

    async def load(self, tenant: str, task_id: str) -> WorkingState | None:
        key = self.keys.working(tenant, task_id)
        raw = await self.gateway.run(lambda r: r.get(key))
        return WorkingState.model_validate_json(raw) if raw else None

    async def save(self, tenant: str, task_id: str, state: WorkingState) -> None:
        key = self.keys.working(tenant, task_id)
        deadlines = self.keys.working_deadlines_of(tenant, task_id)
        member = self.keys.deadline_member(tenant, task_id)
        ttl_ms = int(((state.expires_at - utcnow()).total_seconds() + EXPIRED_GRACE_S) * 1000)
        body = state.model_dump_json()
        cluster = self.keys.cluster
        if cluster and state.scope.items():
            await self.gateway.run(lambda r: self._index(r, tenant, state.scope, task_id))

        async def write(r: Redis) -> None:
            async with r.pipeline(transaction=True) as pipe:
                pipe.set(key, body, px=max(ttl_ms, 1))
                pipe.zadd(deadlines, {member: state.expires_at.timestamp()})
                if not cluster:
                    index_scope(pipe, self.keys, tenant, _KIND, state.scope, task_id)
                await pipe.execute()

        await self.gateway.run(write)

    async def _index(self, r: Redis, tenant: str, scope: Scope, task_id: str, add: bool = True) -> None:
        async with r.pipeline(transaction=False) as pipe:
            (index_scope if add else unindex_scope)(pipe, self.keys, tenant, _KIND, scope, task_id)
            await pipe.execute()

    async def delete(self, tenant: str, task_id: str) -> None:
        key = self.keys.working(tenant, task_id)
        member = self.keys.deadline_member(tenant, task_id)
        state = await self.load(tenant, task_id)  # callers hold the task's lock: its scope holds still

        deadlines = self.keys.working_deadlines_of(tenant, task_id)
        cluster = self.keys.cluster

        async def remove(r: Redis) -> None:
            async with r.pipeline(transaction=True) as pipe:
                pipe.delete(key)
                pipe.zrem(deadlines, member)
                if state is not None and not cluster:
                    unindex_scope(pipe, self.keys, tenant, _KIND, state.scope, task_id)
                await pipe.execute()

        await self.gateway.run(remove)
        if cluster and state is not None and state.scope.items():
            await self.gateway.run(lambda r: self._index(r, tenant, state.scope, task_id, add=False))

    async def in_scope(self, tenant: str, scope: Scope) -> list[str]:
        async def scope_of(task_id: str) -> Scope | None:
            state = await self.load(tenant, task_id)
            return state.scope if state is not None else None

        return await members_in_scope(self.gateway, self.keys, tenant, _KIND, scope, scope_of)

    async def due(self, now: datetime, limit: int) -> list[tuple[str, str]]:
        """Up to `limit` tasks whose deadline passed, earliest first (over every shard on a cluster)."""
        shards = self.keys.all_working_deadlines
        if len(shards) == 1:
            members = await self.gateway.run(
                lambda r: r.zrangebyscore(shards[0], "-inf", now.timestamp(), start=0, num=limit)
            )
            return [self.keys.parse_deadline_member(str(m)) for m in members]

        async def read(r: Redis) -> list[list[tuple[str, float]]]:
            async with r.pipeline(transaction=False) as pipe:  # one round trip per master
                for shard in shards:
                    pipe.zrangebyscore(shard, "-inf", now.timestamp(), start=0, num=limit, withscores=True)
                result: list[list[tuple[str, float]]] = await pipe.execute()
                return result

        earliest = sorted((score, str(m)) for rows in await self.gateway.run(read) for m, score in rows)
        return [self.keys.parse_deadline_member(m) for _, m in earliest[:limit]]
