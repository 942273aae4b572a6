"""Per-tenant rate limits on the `/v1` API, held in Redis so that they hold across replicas.

An app-level guard: it runs after routing and before the body is read, so a refused request costs
one Redis round trip. Only `/v1/…` routes count; health, readiness, metrics and the schema are
exempt (probes and scrapers must never be refused), and so are the admin routes (`admin.py`).

When Redis is down the limit *fails open*: requests are let through, one warning is logged per
outage (not per request) and `fail_open_total` counts them for the metrics. Availability wins over
strictness: refusing every request because the limiter's store is down would turn a Redis outage
into a full outage, while the Redis circuit breaker keeps each check cheap meanwhile.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from ...backends.redis.client import RedisGateway
from ...backends.redis.keys import KeySpace
from ...backends.redis.rate_limit import RateLimit, RedisRateLimiter
from ...memtypes.errors import RateLimited, Unavailable
from ..config.settings import MULTI_TENANT_RATE_BURST, MULTI_TENANT_RATE_PER_MINUTE, Settings
from .admin import is_admin_path

log = logging.getLogger("mnemo.rate_limit")
LIMITED_PREFIX = "/v1/"
BUCKET = "api"
_WARN_EVERY_S = 60.0


class TenantRateLimit:
    def __init__(self, limiter: RedisRateLimiter, limit: RateLimit) -> None:
        self.limiter = limiter
        self.limit = limit
        self.limited_total = 0  # requests refused with 429
        self.fail_open_total = 0  # requests let through unchecked because Redis was down
        self._warned_at = -_WARN_EVERY_S

    async def admit(self, tenant: str) -> None:
        try:
            decision = await self.limiter.check(tenant, BUCKET, self.limit)
        except Unavailable as exc:
            self.fail_open_total += 1
            now = time.monotonic()
            if now - self._warned_at >= _WARN_EVERY_S:
                self._warned_at = now
                log.warning("rate limits not enforced while Redis is unavailable (%s)", exc.detail)
            return
        if not decision.allowed:
            self.limited_total += 1
            raise RateLimited(
                f"rate limit of {self.limit.per_minute} requests per minute "
                f"(burst {self.limit.burst}) used up; retry in {decision.retry_after_s}s",
                retry_after_s=decision.retry_after_s,
            )


def open_rate_limit(settings: Settings, redis: RedisGateway) -> TenantRateLimit | None:
    """The limiter the settings ask for, or None when rate limiting is off. Unset, it is on with
    API keys (MULTI_TENANT_RATE_*: one tenant's flood must not eat the others' share) and off in
    keyless single-tenant mode (one local user has nobody to share with)."""
    per_minute, burst = settings.rate_limit_per_minute, settings.rate_limit_burst
    if per_minute is None:
        if settings.single_tenant:
            return None
        per_minute, burst = MULTI_TENANT_RATE_PER_MINUTE, burst or MULTI_TENANT_RATE_BURST
    if per_minute <= 0:
        return None
    limiter = RedisRateLimiter(redis, KeySpace(settings.redis.key_prefix, cluster=settings.redis.cluster))
    return TenantRateLimit(limiter, RateLimit(per_minute, burst or per_minute))


async def rate_limit_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    limit: TenantRateLimit | None = getattr(connection.app.state, "rate_limit", None)
    path = connection.url.path
    if limit is None or not path.startswith(LIMITED_PREFIX) or is_admin_path(path):
        return
    services = connection.app.state.services
    # An unknown key is refused here with 401 as the route itself would; it never uses a bucket.
    tenant = services.keys.tenant_for(connection.headers.get("authorization"))
    await limit.admit(tenant)
