"""Locks for read-modify-write sequences: redis-py's lock (a random token, a TTL, a bounded wait).

The TTL frees a lock whose holder died; the bounded wait turns contention into a prompt
`LockTimeout` (409) instead of a hung request; release is token-checked, so a holder whose lock
expired can never release someone else's.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.exceptions import LockError

from ...memtypes.errors import LockTimeout, Unavailable
from .client import RedisGateway
from .keys import KeySpace

log = logging.getLogger("mnemo.redis")
# How often a waiter retries. redis-py's default (100 ms) would serialize 50 concurrent writers of
# one task into seconds; each retry is one SET NX, cheap for Redis.
_POLL_S = 0.005


class RedisLocks:
    def __init__(self, gateway: RedisGateway, keys: KeySpace) -> None:
        self.gateway = gateway
        self.keys = keys

    @asynccontextmanager
    async def hold(self, tenant: str, resource: str, name: str) -> AsyncIterator[None]:
        config = self.gateway.config
        lock = self.gateway.client.lock(
            self.keys.lock(tenant, resource, name),
            timeout=config.lock_ttl_s,
            sleep=_POLL_S,
            blocking_timeout=config.lock_wait_s,
            thread_local=False,  # one Lock object per hold; coroutines share the thread anyway
        )
        if not await self.gateway.run(lambda _: lock.acquire()):
            raise LockTimeout(
                f"{resource} is being changed by another request; retry shortly",
            )
        try:
            yield
        finally:
            try:
                await self.gateway.run(lambda _: lock.release())
            except LockError:
                # The TTL ran out while we held it: a slow holder. Nothing to undo, but worth knowing.
                log.warning(
                    "lock on %s expired before release (held longer than %ss)", resource, config.lock_ttl_s
                )
            except Unavailable:
                log.warning("could not release a %s lock (Redis unavailable); it expires by itself", resource)
