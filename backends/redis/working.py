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

import functools
import logging
from datetime import datetime

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from ...memtypes.errors import FieldProblem, Unavailable, UnreadableTask
from ...memtypes.records import Scope, utcnow
from ...sessions.working import Replication, WorkingState
from .client import RedisGateway
from .keys import KeySpace
from .replica_ack import (
    Command,
    QueuedCommands,
    fewest_replicas,
    run_transaction,
    transaction_acknowledged,
)
from .scopes import index_scope, indexed_scope, members_in_scope, unindex_scope

log = logging.getLogger("mnemo.redis")

EXPIRED_GRACE_S = 24 * 3600
_KIND = "wm"


class RedisWorkingStore:
    """`ack` = (replicas, timeout_ms): each write waits for that many replicas to acknowledge it
    (backends/redis/replica_ack.py) and says how many did; None: writes do not wait (the default)."""

    def __init__(self, gateway: RedisGateway, keys: KeySpace, ack: tuple[int, int] | None = None) -> None:
        self.gateway = gateway
        self.keys = keys
        self.ack = ack if ack and ack[0] > 0 else None

    async def warn_if_too_few_replicas(self) -> None:
        """At start-up, with `ack`: a master with fewer replicas than asked is logged, not fatal (a
        replica may be restarting); each write's answer says how many acknowledged it."""
        if self.ack is None:
            return
        try:
            fewest = await self.gateway.run(fewest_replicas)
        except Unavailable:
            return  # Redis down at start-up: logged by open_redis
        if fewest < self.ack[0]:
            log.warning(
                "working-memory writes wait for %d replica(s) (MNEMO_WORKING__ACK_REPLICAS), but a Redis "
                "master has %d: until it has more, each write waits %d ms and answers that it was not "
                "acknowledged",
                self.ack[0],
                fewest,
                self.ack[1],
            )

    async def load(self, tenant: str, task_id: str) -> WorkingState | None:
        raw = await self.raw(tenant, task_id)
        try:
            return WorkingState.model_validate_json(raw) if raw else None
        except ValueError as exc:
            raise UnreadableTask(
                f"the working memory of task {task_id!r} cannot be read back "
                f"({type(exc).__name__}); DELETE /v1/working/{{task_id}}?force=true archives its raw text",
                problems=[FieldProblem("task_id", "its stored state is unreadable")],
            ) from exc

    async def raw(self, tenant: str, task_id: str) -> str | None:
        """The stored state as text, read or not. A key of another Redis type (written by hand, or by
        another program under mnemo's prefix) answers what it is, which no task state parses as: the
        task is then unreadable (409), and a forced clear or a forget removes it."""
        key = self.keys.working(tenant, task_id)
        try:
            value = await self.gateway.run(lambda r: r.get(key))
        except ResponseError as exc:
            if not str(exc).startswith("WRONGTYPE"):
                raise
            kind = await self.gateway.run(lambda r: r.type(key))
            return f"(a Redis {kind.decode() if isinstance(kind, bytes) else kind}, not a task's state)"
        return value.decode() if isinstance(value, bytes) else value

    async def save(self, tenant: str, task_id: str, state: WorkingState) -> Replication | None:
        key = self.keys.working(tenant, task_id)
        member = self.keys.deadline_member(tenant, task_id)
        ttl_ms = int(((state.expires_at - utcnow()).total_seconds() + EXPIRED_GRACE_S) * 1000)
        cluster = self.keys.cluster
        index = QueuedCommands()  # on a cluster, the tenant's scope sets: another slot, written first
        write = QueuedCommands()
        write.set(key, state.model_dump_json(), px=max(ttl_ms, 1))
        write.zadd(self.keys.working_deadlines_of(tenant, task_id), {member: state.expires_at.timestamp()})
        index_scope(index if cluster else write, self.keys, tenant, _KIND, state.scope, task_id)
        return await self._write(task_id, index.commands, write.commands)

    async def delete(self, tenant: str, task_id: str) -> Replication | None:
        member = self.keys.deadline_member(tenant, task_id)
        scope = await self.recorded_scope(tenant, task_id)  # callers hold the lock: it holds still
        cluster = self.keys.cluster
        remove = QueuedCommands()
        remove.delete(self.keys.working(tenant, task_id))
        remove.zrem(self.keys.working_deadlines_of(tenant, task_id), member)
        unindex = QueuedCommands()  # on a cluster: removed just after
        unindex_scope(unindex if cluster else remove, self.keys, tenant, _KIND, scope, task_id)
        return await self._write(task_id, remove.commands, unindex.commands)

    async def recorded_scope(self, tenant: str, task_id: str) -> Scope:
        """The task's scope, even when its stored state cannot be read (the scope index holds it)."""
        try:
            state = await self.load(tenant, task_id)
        except UnreadableTask:
            return await indexed_scope(self.gateway, self.keys, tenant, _KIND, task_id)
        return state.scope if state is not None else Scope()

    async def defer(self, tenant: str, task_id: str, until: datetime) -> int:
        """The sweeper could not archive the task: quarantine it until `until` (its deadline moved
        there, so the tasks due after it are swept meanwhile), keep its key alive that long plus the
        grace period (Redis must not drop what was never archived), count the failure; the count."""
        member = self.keys.deadline_member(tenant, task_id)
        keep_ms = int(((until - utcnow()).total_seconds() + EXPIRED_GRACE_S) * 1000)

        async def run(r: Redis) -> int:
            async with r.pipeline(transaction=False) as pipe:
                pipe.zadd(
                    self.keys.working_deadlines_of(tenant, task_id), {member: until.timestamp()}, xx=True
                )
                pipe.pexpire(self.keys.working(tenant, task_id), max(keep_ms, 1))
                pipe.hincrby(self.keys.working_quarantine, member, 1)
                result = await pipe.execute()
            return int(result[2])

        return await self.gateway.run(run)

    async def release(self, tenant: str, task_id: str) -> None:
        """The task left quarantine (archived, cleared, or gone)."""
        member = self.keys.deadline_member(tenant, task_id)
        await self.gateway.run(lambda r: r.hdel(self.keys.working_quarantine, member))

    async def quarantined(self) -> dict[tuple[str, str], int]:
        """Every quarantined task (any tenant's): its failures so far."""
        raw = await self.gateway.run(lambda r: r.hgetall(self.keys.working_quarantine))
        return {self.keys.parse_deadline_member(str(m)): int(n) for m, n in raw.items()}

    async def _write(self, task_id: str, *transactions: list[Command]) -> Replication | None:
        """Each non-empty transaction in turn (one slot each); with `ack`, each followed by WAIT, and
        the write counts as acknowledged by the fewest replicas any of its parts reached."""
        if self.ack is None:
            for commands in filter(None, transactions):
                await self.gateway.run(functools.partial(run_transaction, commands=commands))
            return None
        replicas, timeout_ms = self.ack
        acknowledged = [
            await self.gateway.run(
                functools.partial(
                    transaction_acknowledged, commands=commands, replicas=replicas, timeout_ms=timeout_ms
                )
            )
            for commands in filter(None, transactions)
        ]
        replication = Replication(asked=replicas, acknowledged=min(acknowledged, default=replicas))
        if replication.acknowledged < replication.asked:
            log.warning(
                "working-memory write of task %s: %d of %d replicas acknowledged in %d ms; kept on master",
                task_id,
                replication.acknowledged,
                replication.asked,
                timeout_ms,
            )
        return replication

    async def in_scope(self, tenant: str, scope: Scope) -> list[str]:
        async def scope_of(task_id: str) -> Scope | None:
            try:
                state = await self.load(tenant, task_id)
            except UnreadableTask:
                # Found in every set asked for: the index says it is in the scope, and a forget of
                # the scope erases it with the rest rather than stopping at it.
                return scope
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
