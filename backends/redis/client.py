"""The connection to Redis: any server by URL, or an embedded one (`embedded.py`, supervised: restarted
when it dies); every call behind a circuit breaker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar, cast

from aiobreaker import CircuitBreakerError
from pydantic import Field, SecretStr
from redis import exceptions as redis_errors
from redis.asyncio import Redis
from redis.asyncio.cluster import RedisCluster

from ...memtypes.errors import InsufficientStorage, Unavailable
from ...memtypes.jsontypes import SettingsGroup
from ..circuit import BreakerFailures, BreakerGuarded, BreakerResetS, dependency_breaker
from .cluster import (
    FAILOVER_ERRORS,
    backoff_s,
    connection_options,
    is_client_glitch,
    is_cluster_unreachable,
    make_cluster_client,
    ping_masters,
)
from .embedded import EmbeddedRedis

log = logging.getLogger("mnemo.redis")
T = TypeVar("T")

# What says "Redis is not there" (and trips the breaker), as opposed to a bad command or a lock
# that is not ours. BusyLoadingError (a restarting server reading its snapshot) is a ConnectionError.
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (
    redis_errors.ConnectionError,
    redis_errors.TimeoutError,
    OSError,  # includes the builtin TimeoutError (= asyncio.TimeoutError)
)


class RedisConfig(SettingsGroup):
    """Redis (working memory, threads, locks): the `redis` group of the settings (MNEMO_REDIS__*)."""

    url: SecretStr | None = Field(
        default=None,
        description="redis://, rediss:// or unix:// URL of any Redis server; unset = an embedded "
        "redis-server on a unix socket under the data dir",
    )
    cluster: bool = Field(
        default=False, description="`url` names one node of a Redis Cluster (keys carry hash tags)"
    )
    failover_wait_s: float = Field(
        default=10.0,
        ge=0.0,
        le=120.0,
        description="Redis Cluster: how long a command is retried, with backoff, through a failover",
    )
    key_prefix: str = Field(
        default="mnemo",
        pattern=r"^[a-z][a-z0-9_-]{0,31}$",
        description="begins every Redis key: services sharing one Redis each take their own",
    )
    timeout_s: float = Field(default=1.0, gt=0.0, le=30.0, description="connect and command timeout")
    breaker_failures: BreakerFailures = Field(
        default=3, description="failed calls in a row that open Redis's circuit breaker"
    )
    breaker_reset_s: BreakerResetS = Field(
        default=5.0, description="how long an open breaker waits before a trial call"
    )
    lock_ttl_s: float = Field(
        default=10.0, gt=0.0, le=300.0, description="a Redis lock (thread, task) frees itself after this"
    )
    lock_wait_s: float = Field(default=5.0, ge=0.0, le=60.0, description="longest wait for a lock, then 409")


def make_client(url: str, timeout_s: float) -> Redis:
    # One quick retry: after a server restart the first command on a pooled connection fails and the
    # retry reconnects. More retries would only delay noticing an outage.
    client: Redis = Redis.from_url(url, **connection_options(timeout_s, retries=1))
    return client


class OwnQueueing(Exception):
    """A command timed out although Redis answered other commands meanwhile: the reply waited on our
    own busy event loop (or our connection queue), not on Redis. Never counted by the breaker."""


class PartOfClusterDown(Exception):
    """Cluster: a command kept failing through `failover_wait_s` while other nodes answered: some
    slots have no master (a failover that did not complete). Never counted by the breaker."""


class ClusterUnreachable(redis_errors.ConnectionError):
    """Cluster: no node answered through `failover_wait_s`: an outage, counted by the breaker."""


_TIMEOUTS = (redis_errors.TimeoutError, TimeoutError)


class RedisGateway(BreakerGuarded):
    """The one door to Redis. A run of failures opens the breaker: calls then fail at once with
    `Unavailable` (503 + Retry-After) instead of each waiting out a timeout, until a trial call after
    `breaker_reset_s` finds Redis back. Nothing needs restarting when it returns: redis-py reconnects."""

    def __init__(self, client: Redis, config: RedisConfig, embedded: EmbeddedRedis | None = None) -> None:
        self.client = client
        self.config = config
        self.embedded = embedded
        self._last_success = -math.inf  # monotonic time of the last command Redis answered
        self._breaker = dependency_breaker(
            "redis",
            "Redis",
            failures=config.breaker_failures,
            reset_s=config.breaker_reset_s,
            is_outage=lambda exc: isinstance(exc, OUTAGE_ERRORS),
            log=log,
        )

    def server_restarted(self) -> None:
        """The embedded server was restarted and answers: calls need not wait out the breaker."""
        if self.breaker_state != "closed":
            self._breaker.close()

    async def _observed(self, op: Callable[[Redis], Awaitable[T]], started: float) -> T:
        if self.config.cluster:
            return await self._through_failover(op, started)
        try:
            result = await op(self.client)
        except _TIMEOUTS as exc:
            if self._last_success >= started:  # Redis answered someone else meanwhile: it is alive
                raise OwnQueueing(str(exc)) from exc
            raise
        self._last_success = time.monotonic()
        return result

    async def _through_failover(self, op: Callable[[Redis], Awaitable[T]], started: float) -> T:
        """Cluster: retry with backoff while a failover moves slots (see backends/redis/cluster.py)."""
        deadline = started + self.config.failover_wait_s
        attempt = 0
        while True:
            try:
                result = await op(self.client)
            except Exception as exc:
                transient = isinstance(exc, OUTAGE_ERRORS + FAILOVER_ERRORS)
                if not (transient or is_cluster_unreachable(exc) or is_client_glitch(exc)):
                    raise
                pause = backoff_s(attempt)
                if time.monotonic() + pause < deadline:
                    attempt += 1
                    await asyncio.sleep(pause)
                    continue
                if self._last_success >= started:  # other slots answered meanwhile
                    raise PartOfClusterDown(f"{type(exc).__name__}: {exc}") from exc
                raise ClusterUnreachable(f"{type(exc).__name__}: {exc}") from exc
            self._last_success = time.monotonic()
            return result

    async def run(self, op: Callable[[Redis], Awaitable[T]]) -> T:
        """`op` on the client, behind the breaker. The breaker counts failures of Redis only: a
        refused connection, or a timeout while no other command succeeded (see OwnQueueing)."""
        try:
            result: T = await self._breaker.call_async(self._observed, op, time.monotonic())
            return result
        except OwnQueueing:
            raise Unavailable(
                "the service is too busy to hear Redis in time; retry shortly",
                dependency="redis",
                retry_after_s=1,
            ) from None
        except PartOfClusterDown:
            raise Unavailable(
                "part of the Redis Cluster is unavailable (a failover in progress?); retry shortly",
                dependency="redis",
                retry_after_s=1,
            ) from None
        except CircuitBreakerError:
            raise Unavailable(
                "Redis is unavailable (circuit open); retry later",
                dependency="redis",
                retry_after_s=self.retry_after_s,
            ) from None
        except OUTAGE_ERRORS as exc:
            raise Unavailable(
                f"Redis is unavailable: {type(exc).__name__}",
                dependency="redis",
                retry_after_s=self.retry_after_s,
            ) from exc
        except redis_errors.ResponseError as exc:  # a write it cannot persist (full disk) or hold (OOM)
            if str(exc).startswith(("MISCONF", "OOM")) or "AOF" in str(exc):
                raise InsufficientStorage(f"the redis store cannot store the write: {exc}", "redis") from exc
            raise

    async def ping(self) -> bool:
        try:
            return bool(await self.run(lambda r: r.ping()))
        except Unavailable:
            return False

    async def probe(self, timeout_s: float) -> dict[str, object]:
        """For /ready: {"up": can Redis serve every key now}, and on a cluster how many of its
        masters answered, within about `timeout_s`. One try, no failover retries: a probe says what is
        true now. Through the breaker, as calls are: a cluster none of whose masters answered is an
        outage, unless another command succeeded meanwhile (our own queueing); some answering (a
        failover under way) is not one."""
        if not self.config.cluster:  # one node: its ping is bounded by the client's own timeouts
            return {"up": await self.ping()}
        counted = {"answering": 0, "of": 0}
        started = time.monotonic()

        async def every_master() -> None:
            answering, masters = await ping_masters(cast(RedisCluster, self.client), timeout_s)
            counted.update(answering=answering, of=masters)
            if answering:
                self._last_success = time.monotonic()
            elif self._last_success >= started:
                raise OwnQueueing("no master answered the probe in time, other commands meanwhile")
            else:
                raise ClusterUnreachable("no master of the Redis Cluster answered")
            if answering < masters:
                raise PartOfClusterDown(f"{masters - answering} of {masters} masters did not answer")

        with contextlib.suppress(CircuitBreakerError, ClusterUnreachable, PartOfClusterDown, OwnQueueing):
            await self._breaker.call_async(every_master)
        return {"up": 0 < counted["answering"] == counted["of"], "masters": counted}

    async def close(self) -> None:
        await self.client.aclose()
        if self.embedded is not None:
            await self.embedded.stop()


async def open_redis(config: RedisConfig, data_dir: Path | None = None) -> RedisGateway:
    """Connect (starting the embedded server under `data_dir` when no URL is given). A server that is
    down at start-up is not fatal: the service starts degraded and recovers when Redis answers."""
    embedded = None
    url = config.url.get_secret_value() if config.url else None
    if config.cluster and url is None:
        raise ValueError(
            "a Redis Cluster (MNEMO_REDIS__CLUSTER) needs MNEMO_REDIS__URL naming one of its nodes"
        )
    if url is None:
        if data_dir is None:
            raise ValueError("embedded Redis needs a data directory")
        embedded = EmbeddedRedis(data_dir / "redis")
        await embedded.start()
        url = embedded.url
    if config.cluster:
        # The cluster client has the single client's command surface; the stores need no branch.
        client = cast(Redis, make_cluster_client(url, config.timeout_s))
    else:
        client = make_client(url, config.timeout_s)
    gateway = RedisGateway(client, config, embedded)
    if embedded is not None:
        embedded.supervise(gateway.server_restarted)
    if embedded is None and not await gateway.ping():
        log.warning(
            "Redis does not answer at start-up; working memory and threads are unavailable until it does"
        )
    return gateway
