"""Locks for read-modify-write sequences: redis-py's lock (a random token, a TTL, a bounded wait).

The TTL frees a lock whose holder died; the bounded wait turns contention into a prompt
`LockTimeout` (409) instead of a hung request; release is token-checked, so a holder whose lock
expired can never release someone else's. A lock this process could not release (Redis went away
mid-request: a restart, a cluster failover that kept the key) is released by it before its next
hold of the same lock, so that its own next write does not wait out the TTL and answer 409 as if
another request held it.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio.lock import Lock
from redis.exceptions import LockError

from ...memtypes.errors import LockTimeout, Unavailable
from .client import RedisGateway
from .keys import KeySpace

log = logging.getLogger("mnemo.redis")
# How often a waiter retries. redis-py's default (100 ms) would serialize 50 concurrent writers of
# one task into seconds; each retry is one SET NX, cheap for Redis.
_POLL_S = 0.005
_MAX_UNRELEASED = 10_000  # locks left held by outages, remembered for their next hold (oldest out)


class RedisLocks:
    def __init__(self, gateway: RedisGateway, keys: KeySpace) -> None:
        self.gateway = gateway
        self.keys = keys
        self._unreleased: OrderedDict[str, Lock] = OrderedDict()  # by key: held, release failed

    @asynccontextmanager
    async def hold(self, tenant: str, resource: str, name: str) -> AsyncIterator[None]:
        config = self.gateway.config
        key = self.keys.lock(tenant, resource, name)
        await self._release_unreleased(key)
        lock = self.gateway.client.lock(
            key,
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
                log.warning(
                    "could not release a %s lock (Redis unavailable): released before its next hold, "
                    "or it expires by itself",
                    resource,
                )
                self._unreleased[key] = lock
                if len(self._unreleased) > _MAX_UNRELEASED:
                    self._unreleased.popitem(last=False)

    async def _release_unreleased(self, key: str) -> None:
        """Release this process's own lock on `key` that an outage kept it from releasing (token-
        checked: a lock that expired and was taken by another request since is left alone)."""
        stale = self._unreleased.pop(key, None)
        if stale is None:
            return
        try:
            await self.gateway.run(lambda _: stale.release())
        except LockError:
            pass  # expired, or gone with the Redis that held it
        except Unavailable:
            self._unreleased[key] = stale  # still unreachable: the hold below answers for it
