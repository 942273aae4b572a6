"""Per-tenant rate limits kept in Redis, so that every replica draws on the same allowance.

GCRA (the generic cell rate algorithm, a token bucket stored as one timestamp): each request moves
the bucket's "theoretical arrival time" one emission interval (60 s / per-minute rate) into the
future; a request is refused while that time would lie more than `burst` intervals ahead of now.
It runs as one Lua script, so the read-check-write is atomic across replicas, and the clock is
Redis's own (`TIME`), so replicas with skewed clocks still agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from redis.asyncio import Redis

from .client import RedisGateway
from .keys import KeySpace

# KEYS[1]: the bucket; ARGV[1]: emission interval (ms); ARGV[2]: burst (requests).
# Returns {allowed (1|0), ms until the next request would be allowed (0 when allowed)}.
_GCRA = """
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local new_tat = tat + interval
local allowed_at = new_tat - burst * interval
if allowed_at > now then
  return {0, allowed_at - now}
end
redis.call('SET', KEYS[1], new_tat, 'PX', math.max(1, new_tat - now))
return {1, 0}
"""


@dataclass(frozen=True)
class RateLimit:
    per_minute: int  # sustained rate; 0 = no limit
    burst: int  # requests that may arrive at once after a quiet spell

    @property
    def interval_ms(self) -> int:
        return max(1, round(60_000 / self.per_minute))


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after_s: int  # whole seconds until a request would be allowed (0 when allowed)


class RedisRateLimiter:
    """`check(tenant, bucket)`: take one request from the tenant's allowance in `bucket`."""

    def __init__(self, gateway: RedisGateway, keys: KeySpace) -> None:
        self.gateway = gateway
        self.keys = keys
        self._script = gateway.client.register_script(_GCRA)

    async def check(self, tenant: str, bucket: str, limit: RateLimit) -> RateDecision:
        key = self.keys.rate(tenant, bucket)
        args = [limit.interval_ms, max(1, limit.burst)]

        async def run(client: Redis) -> list[int]:
            result: list[int] = await self._script(keys=[key], args=args, client=client)
            return result

        allowed, wait_ms = await self.gateway.run(run)  # Unavailable when Redis is down
        if allowed:
            return RateDecision(True, 0)
        return RateDecision(False, max(1, math.ceil(int(wait_ms) / 1000)))
