"""The Redis breaker counts Redis's failures, not our own queueing (hundreds of concurrent appends
of one tenant opened it on client-side timeouts while Redis answered everyone else)."""

from __future__ import annotations

import asyncio

import pytest
from redis import exceptions as redis_errors
from redis.asyncio import Redis

from mnemo.backends.redis.client import RedisConfig, RedisGateway, make_client
from mnemo.memtypes.errors import Unavailable


async def _late_reply(client: Redis) -> None:
    """A command whose reply we read too late: Redis answered, our side gave up first."""
    await client.ping()
    await asyncio.sleep(0.05)  # meanwhile others are answered
    raise redis_errors.TimeoutError("Timeout reading from socket")


async def test_timeouts_while_redis_answers_others_do_not_open_the_breaker(redis_url: str) -> None:
    gateway = RedisGateway(make_client(redis_url, 1.0), RedisConfig(breaker_failures=2))
    try:

        async def pings() -> None:
            for _ in range(10):
                assert await gateway.ping()
                await asyncio.sleep(0.005)

        results = await asyncio.gather(
            *(gateway.run(_late_reply) for _ in range(10)), pings(), return_exceptions=True
        )
        refused = [r for r in results if isinstance(r, Unavailable)]
        assert len(refused) == 10 and all(r.retry_after_s == 1 for r in refused)  # a 503 for those only
        assert gateway.breaker_state == "closed"
        assert await gateway.ping()
    finally:
        await gateway.close()


async def test_timeouts_with_no_answer_at_all_do_open_it(redis_url: str) -> None:
    gateway = RedisGateway(make_client(redis_url, 1.0), RedisConfig(breaker_failures=2))

    async def silent(_: Redis) -> None:
        raise redis_errors.TimeoutError("Timeout reading from socket")

    try:
        for _ in range(2):
            with pytest.raises(Unavailable):
                await gateway.run(silent)
        assert gateway.breaker_state == "open"
    finally:
        await gateway.close()
