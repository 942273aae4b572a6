"""Redis Cluster: the client, and which of its errors are a failover in progress rather than a fault.

redis-py's cluster client follows MOVED/ASK redirects and refreshes its slot map by itself, but it
retries at once, so a master that just died (its slots not yet taken over by a replica: the
cluster's node timeout plus an election, a few seconds) fails every retry within milliseconds. The
gateway (backends/redis/client.py) retries those errors with exponential backoff for up to
`failover_wait_s`, and counts a failure towards its breaker only when no command anywhere in the
cluster succeeded meanwhile: one master's failover is not an outage of the service.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from typing import Any
from urllib.parse import urlsplit

from redis import exceptions as redis_errors
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

# A failover or resharding under way: the command can be sent again once the slot map settles.
# ReadOnlyError: a connection still on a master that was demoted to replica.
FAILOVER_ERRORS: tuple[type[BaseException], ...] = (
    redis_errors.ClusterError,  # ClusterDownError, MasterDownError, "TTL exhausted" redirects
    redis_errors.TryAgainError,
    redis_errors.AskError,  # and MovedError
    redis_errors.SlotNotCoveredError,
    redis_errors.ReadOnlyError,
)
BACKOFF_FIRST_S = 0.05
BACKOFF_MAX_S = 1.0


def connection_options(timeout_s: float, retries: int) -> dict[str, Any]:
    """How a client connects, a cluster's or a single server's (backends/redis/client.py): text
    replies, `timeout_s` to connect and for each command, `retries` immediate retries of a command."""
    return {
        "decode_responses": True,
        "socket_timeout": timeout_s,
        "socket_connect_timeout": timeout_s,
        "retry": Retry(NoBackoff(), retries),
    }


def make_cluster_client(url: str, timeout_s: float) -> RedisCluster:
    """A cluster client from the URL of any one node (redis:// or rediss://)."""
    if urlsplit(url).scheme not in ("redis", "rediss"):
        raise ValueError("a Redis Cluster is reached by a redis:// or rediss:// URL of one of its nodes")
    # Its own immediate retries re-read the slot map after a redirect or a lost node; the waiting
    # between tries is the gateway's.
    client: RedisCluster = RedisCluster.from_url(url, **connection_options(timeout_s, retries=3))
    return client


def is_cluster_unreachable(exc: BaseException) -> bool:
    """The client could not reach any node to learn the slot map (a plain RedisClusterException, as
    opposed to its subclasses that report a misuse such as a cross-slot transaction)."""
    return type(exc) is redis_errors.RedisClusterException


def is_client_glitch(exc: BaseException) -> bool:
    """redis-py's cluster transaction can write to a connection that the loss of its node just
    closed (AttributeError on its None writer; redis-py 8.1): a failover symptom, not our bug."""
    if not isinstance(exc, AttributeError):
        return False
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and f"{os.sep}redis{os.sep}" in tb.tb_frame.f_code.co_filename


def backoff_s(attempt: int) -> float:
    """Exponential, with jitter so that concurrent waiters do not all come back at once."""
    cap = min(BACKOFF_MAX_S, BACKOFF_FIRST_S * 2**attempt)
    return float(cap / 2 + random.uniform(0, cap / 2))  # noqa: S311 (jitter, not a secret)


async def ping_masters(client: RedisCluster, timeout_s: float) -> tuple[int, int]:
    """(masters that answered PING, masters in the client's slot map), within about `timeout_s`.

    Each master of the slot map is pinged: a cluster serves every key only while all of them answer
    (PING alone goes to one node, which answers while another master's slots have no owner). A lost
    node makes redis-py reload the slot map on the next command, so a round that failed is tried once
    more on the map it reloaded: after a failover the replica that took over is pinged, not the dead.
    """
    deadline = time.monotonic() + timeout_s
    answering, masters = 0, 0
    for _ in range(2):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            # A no-op unless a lost node asked for it. Shielded: a cancelled load closes every
            # connection of the client, the requests' too; let it finish in the background instead.
            await asyncio.wait_for(asyncio.shield(client.initialize()), left)
        except Exception:  # no node to load the map from, in time: nothing answers
            return 0, max(masters, 1)
        primaries = client.get_primaries()
        left = max(0.0, deadline - time.monotonic())
        answers = await asyncio.gather(
            *(asyncio.wait_for(client.ping(target_nodes=node), left) for node in primaries),
            return_exceptions=True,
        )
        answering, masters = sum(answer is True for answer in answers), len(primaries)
        if answering == masters:
            break
    return answering, masters
