"""Live working memory in Redis: one JSON state per (tenant, task), plus one sorted set of expiry times.

Expiry is the sweeper's job, not Redis's: a key Redis expires is gone before anyone could archive
it. So each state carries its logical `expires_at`, the sorted set tells the sweeper which tasks
are due, and the key's own Redis TTL is that time plus a grace period, only so that a deployment
that stops running mnemo does not leave scratchpads behind forever.
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
        member = self.keys.deadline_member(tenant, task_id)
        ttl_ms = int(((state.expires_at - utcnow()).total_seconds() + EXPIRED_GRACE_S) * 1000)
        body = state.model_dump_json()

        async def write(r: Redis) -> None:
            async with r.pipeline(transaction=True) as pipe:
                pipe.set(key, body, px=max(ttl_ms, 1))
                pipe.zadd(self.keys.working_deadlines, {member: state.expires_at.timestamp()})
                index_scope(pipe, self.keys, tenant, _KIND, state.scope, task_id)
                await pipe.execute()

        await self.gateway.run(write)

    async def delete(self, tenant: str, task_id: str) -> None:
        key = self.keys.working(tenant, task_id)
        member = self.keys.deadline_member(tenant, task_id)
        state = await self.load(tenant, task_id)  # callers hold the task's lock: its scope holds still

        async def remove(r: Redis) -> None:
            async with r.pipeline(transaction=True) as pipe:
                pipe.delete(key)
                pipe.zrem(self.keys.working_deadlines, member)
                if state is not None:
                    unindex_scope(pipe, self.keys, tenant, _KIND, state.scope, task_id)
                await pipe.execute()

        await self.gateway.run(remove)

    async def in_scope(self, tenant: str, scope: Scope) -> list[str]:
        async def scope_of(task_id: str) -> Scope | None:
            state = await self.load(tenant, task_id)
            return state.scope if state is not None else None

        return await members_in_scope(self.gateway, self.keys, tenant, _KIND, scope, scope_of)

    async def due(self, now: datetime, limit: int) -> list[tuple[str, str]]:
        deadlines = self.keys.working_deadlines
        members = await self.gateway.run(
            lambda r: r.zrangebyscore(deadlines, "-inf", now.timestamp(), start=0, num=limit)
        )
        return [self.keys.parse_deadline_member(str(m)) for m in members]
