"""Locks whose release an outage interrupted: the holder frees its own lock at its next hold, instead
of its next write waiting out the TTL and answering 409 as if another request held it."""

from __future__ import annotations

import asyncio
import os
import signal
import tempfile
from pathlib import Path

import pytest

from mnemo.backends.redis.client import RedisConfig, RedisGateway, make_client
from mnemo.backends.redis.embedded import EmbeddedRedis
from mnemo.backends.redis.keys import KeySpace
from mnemo.backends.redis.locks import RedisLocks
from mnemo.memtypes.errors import LockTimeout


async def _until_redis_answers(gateway: RedisGateway) -> None:
    for _ in range(200):
        if await gateway.ping():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("Redis did not come back")


async def test_a_lock_an_outage_kept_held_is_released_by_its_holder_at_the_next_hold() -> None:
    # A short directory: unix socket paths are limited to ~100 bytes.
    with tempfile.TemporaryDirectory(prefix="mnemo-locks-") as directory:
        server = EmbeddedRedis(Path(directory))
        await server.start()
        config = RedisConfig(lock_ttl_s=60.0, lock_wait_s=0.3, timeout_s=0.5, breaker_reset_s=0.1)
        gateway = RedisGateway(make_client(server.url, config.timeout_s), config)
        locks, other = RedisLocks(gateway, KeySpace("t")), RedisLocks(gateway, KeySpace("t"))
        try:
            async with locks.hold("acme", "task", "t1"):
                assert server.pid is not None
                os.kill(server.pid, signal.SIGKILL)  # the release below cannot reach Redis
            await server.stop()  # reap it, then start it on its files: the lock's key is back
            await server.start()
            await _until_redis_answers(gateway)
            # Another process (another replica) does not hold it: it waits, then 409.
            with pytest.raises(LockTimeout):
                async with other.hold("acme", "task", "t1"):
                    pass
            # Its holder releases it first, token-checked, and takes it at once.
            async with locks.hold("acme", "task", "t1"):
                pass
            async with other.hold("acme", "task", "t1"):  # and it is free again afterwards
                pass
        finally:
            await gateway.close()
            await server.stop()
