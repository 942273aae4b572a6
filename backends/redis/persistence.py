"""Rewriting the embedded Redis's files without what was deleted (a forget's working memory and
threads), and a warning at start-up when an external Redis would not keep what it acknowledged.

The embedded redis-server (embedded.py) keeps an append-only file and a snapshot in the data dir. A
deleted key is gone from memory, but the append-only file still holds every command that wrote it,
and the last snapshot its value. `BGREWRITEAOF` writes the file anew from what is in memory now (and
renames it over the old one); a `BGSAVE` then does the same for the snapshot. Each waits for a
rewrite or save already running, which may have started before the deletion.

An external Redis's files are its operator's, not in the data dir: "not_ours".
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from redis import exceptions as redis_errors
from redis.asyncio.cluster import RedisCluster

from .client import RedisGateway, log

_POLL_S = 0.05


async def _persistence(client: Any) -> dict[str, Any]:
    info: dict[str, Any] = await client.info("persistence")
    return info


async def _until(client: Any, idle: tuple[str, ...], deadline: float) -> dict[str, Any]:
    """Wait until each of the `idle` counters of INFO persistence is 0; answers the last INFO."""
    while True:
        info = await _persistence(client)
        if all(int(info.get(name, 0)) == 0 for name in idle):
            return info
        if time.monotonic() > deadline:
            raise TimeoutError(f"Redis persistence still busy: {', '.join(idle)}")
        await asyncio.sleep(_POLL_S)


async def _started(client: Any, command: str, busy: tuple[str, ...], deadline: float) -> None:
    """Run `command` (BGREWRITEAOF, BGSAVE), after whatever of the same kind is running now."""
    while True:
        await _until(client, busy, deadline)
        try:
            await client.execute_command(command)
            return
        except redis_errors.ResponseError as exc:  # another one began meanwhile: wait for it too
            if "in progress" not in str(exc) or time.monotonic() > deadline:
                raise


async def rewrite_files(gateway: RedisGateway, timeout_s: float = 120.0) -> str:
    """ "erased" once the embedded server's append-only file and snapshot are rewritten from its
    memory as it is now; "not_ours" for an external Redis."""
    if gateway.embedded is None:
        return "not_ours"
    client, deadline = gateway.client, time.monotonic() + timeout_s
    aof = ("aof_rewrite_in_progress", "aof_rewrite_scheduled")
    await _started(client, "BGREWRITEAOF", aof, deadline)
    info = await _until(client, aof, deadline)
    rdb = ("rdb_bgsave_in_progress", "aof_rewrite_in_progress")
    await _started(client, "BGSAVE", rdb, deadline)
    info = {**info, **await _until(client, rdb, deadline)}
    if info.get("aof_last_bgrewrite_status") != "ok" or info.get("rdb_last_bgsave_status") != "ok":
        return "failed"
    return "erased"


async def _durability(client: Any) -> list[tuple[str, str]]:
    """(appendonly, appendfsync) of the server, or of each master of a cluster."""
    configs: list[dict[str, Any]]
    if isinstance(client, RedisCluster):  # {node: its reply}
        replies: Any = await client.config_get("append*", target_nodes=RedisCluster.PRIMARIES)
        configs = list(replies.values())
    else:
        configs = [await client.config_get("append*")]
    return [(str(c.get("appendonly", "")), str(c.get("appendfsync", ""))) for c in configs]


async def warn_if_not_durable(gateway: RedisGateway) -> None:
    """An external Redis that does not fsync each write before replying can lose acknowledged
    working memory and thread turns when it is killed: said once at start-up, not refused (it is
    its operator's choice). A server that refuses CONFIG (managed services often rename it) or is
    down is left alone: asked beside the breaker, so that a question at start-up neither opens it
    nor counts as an outage."""
    if gateway.embedded is not None:
        return  # ours: `appendfsync always` (client.py)
    try:
        settings = await _durability(gateway.client)
    # OSError covers the builtin TimeoutError; a cluster none of whose nodes answers raises
    # RedisClusterException, which is no RedisError.
    except (redis_errors.RedisError, redis_errors.RedisClusterException, OSError):
        return
    if any(appendonly != "yes" for appendonly, _ in settings):
        log.warning(
            "Redis keeps no append-only file (appendonly no): working memory and threads written since "
            "its last snapshot are lost if it stops uncleanly; set appendonly yes and appendfsync always"
        )
    elif any(fsync != "always" for _, fsync in settings):
        policy = ", ".join(sorted({fsync for _, fsync in settings}))
        log.warning(
            "Redis fsyncs its append-only file %s, not before each reply: killing redis-server can lose "
            "acknowledged working-memory writes and thread turns; set appendfsync always",
            policy,
        )
