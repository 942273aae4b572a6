"""Which working-memory tasks and threads belong to a scope: one Redis set per (kind, field, value).

Tasks and threads are keyed by their own id only, so forgetting a subject needs an index: when a
task or thread is stored with a scope, its id is added to the set of each scope field
(`<prefix>:<tenant>:<kind>-by-<field>:<value>`). A lookup intersects the sets of the fields asked
for, then the caller checks every candidate against its stored scope, so a stale member (a task
that expired on its own) is harmless; lookups prune them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from redis.asyncio import Redis

from ...memtypes.records import SCOPE_FIELDS, Scope
from .client import RedisGateway
from .keys import KeySpace


def within(stored: Scope, wanted: Scope) -> bool:
    """Whether `stored` has every field of `wanted`, exactly (case-sensitive: "Bob" is not "bob")."""
    return all(getattr(stored, f) == v for f, v in wanted.items())


class SetWrites(Protocol):
    """Where set writes are queued: a redis-py pipeline, or `QueuedCommands` (redis_replica_ack.py)."""

    def sadd(self, name: str, *values: str) -> object: ...

    def srem(self, name: str, *values: str) -> object: ...


def index_scope(pipe: SetWrites, keys: KeySpace, tenant: str, kind: str, scope: Scope, member: str) -> None:
    for field, value in scope.items():
        pipe.sadd(keys.by_scope(tenant, kind, field, value), member)


def unindex_scope(pipe: SetWrites, keys: KeySpace, tenant: str, kind: str, scope: Scope, member: str) -> None:
    for field, value in scope.items():
        pipe.srem(keys.by_scope(tenant, kind, field, value), member)


async def indexed_scope(gateway: RedisGateway, keys: KeySpace, tenant: str, kind: str, member: str) -> Scope:
    """The scope the index holds `member` under: all that is known of a task whose stored state
    cannot be read. A scan of the tenant's index sets: only for such a rare task."""
    pattern = keys.by_scope_pattern(tenant, kind)

    async def find(r: Redis) -> dict[str, str]:
        fields: dict[str, str] = {}
        async for raw_key in r.scan_iter(match=pattern, count=1000):
            key = raw_key.decode() if isinstance(raw_key, bytes) else str(raw_key)
            if await r.sismember(key, member):
                field, value = keys.parse_by_scope(key)
                fields[field] = value
        return fields

    found = await gateway.run(find)
    return Scope(**{field: value for field, value in found.items() if field in SCOPE_FIELDS})


async def members_in_scope(
    gateway: RedisGateway,
    keys: KeySpace,
    tenant: str,
    kind: str,
    scope: Scope,
    scope_of: Callable[[str], Awaitable[Scope | None]],
) -> list[str]:
    """Ids whose stored scope (`scope_of`, None when gone) has every field of `scope`; stale set
    members are removed."""
    sets = [keys.by_scope(tenant, kind, f, v) for f, v in scope.items()]
    if not sets:
        return []
    raw = await gateway.run(lambda r: r.sinter(sets))
    found, stale = [], []
    for member in sorted(str(m) for m in raw):
        stored = await scope_of(member)
        if stored is not None and within(stored, scope):
            found.append(member)
        elif stored is None:
            stale.append(member)
    if stale:

        async def prune(r: Redis) -> None:
            async with r.pipeline(transaction=False) as pipe:
                for key in sets:
                    pipe.srem(key, *stale)
                await pipe.execute()

        await gateway.run(prune)
    return found
