"""Writes acknowledged by replicas: one MULTI/EXEC, then `WAIT numreplicas timeout`, on one connection.

Redis replication is asynchronous; `WAIT` blocks until the replicas have acknowledged every write
made *on the connection that sends it*, or its timeout passes, and answers how many did. So the
transaction and the WAIT must share a connection, which redis-py's pipelines do not allow (they hand
their connection back to the pool when they finish; a WAIT queued inside MULTI does not block). Here
the commands are sent together on a connection held for the purpose:

- a single Redis: a connection taken from the client's pool;
- a Redis Cluster: a connection to the master that owns the commands' slot (every key of one
  transaction shares a hash tag). A MOVED there updates redis-py's slot map and a lost node makes it
  reload the map, then the error is raised: the gateway's failover retries (backends/redis/client.py)
  send the whole write again, to the new owner (an ASK, a slot being migrated, is retried the same
  way until the slot has moved). The transaction sets state, so sending it twice is harmless.

A WAIT that comes back short is not an error: the write is on the master and stays there; the caller
says so to its client (`Replication`, README "What a failover can lose").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from redis import exceptions as redis_errors
from redis.asyncio import Redis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.asyncio.connection import AbstractConnection

Command = tuple[str | int | float, ...]
# How long a connection may take to answer besides the WAIT's own timeout, when the client sets none.
_REPLY_MARGIN_S = 1.0


class QueuedCommands:
    """Commands of one transaction, written down to be sent later (through a pipeline, or together
    with a WAIT). The few that working memory uses, with the pipeline's names and arguments."""

    def __init__(self) -> None:
        self.commands: list[Command] = []

    def set(self, name: str, value: str, px: int) -> None:
        self.commands.append(("SET", name, value, "PX", px))

    def zadd(self, name: str, mapping: dict[str, float]) -> None:
        for member, score in mapping.items():
            self.commands.append(("ZADD", name, score, member))

    def zrem(self, name: str, *members: str) -> None:
        self.commands.append(("ZREM", name, *members))

    def delete(self, *names: str) -> None:
        self.commands.append(("DEL", *names))

    def sadd(self, name: str, *members: str) -> None:
        self.commands.append(("SADD", name, *members))

    def srem(self, name: str, *members: str) -> None:
        self.commands.append(("SREM", name, *members))


async def run_transaction(client: Redis, commands: Sequence[Command]) -> None:
    """The commands as one MULTI/EXEC through redis-py's pipeline (no acknowledgement asked)."""
    async with client.pipeline(transaction=True) as pipe:
        for command in commands:
            pipe.execute_command(*command)
        await pipe.execute()


async def transaction_acknowledged(
    client: Redis, commands: Sequence[Command], replicas: int, timeout_ms: int
) -> int:
    """The commands as one MULTI/EXEC, then WAIT on the same connection: how many replicas
    acknowledged the write (WAIT answers as soon as `replicas` did, else after `timeout_ms`)."""
    if isinstance(client, RedisCluster):
        return await _on_cluster(client, commands, replicas, timeout_ms)
    pool = client.connection_pool
    connection = await pool.get_connection()  # type: ignore[no-untyped-call]
    try:
        # The client's own retry (one, after a server restart closed a pooled connection); the
        # transaction sets state, so sending it again cannot apply anything twice.
        return int(
            await connection.retry.call_with_retry(
                lambda: _send(connection, commands, replicas, timeout_ms),
                lambda _error: connection.disconnect(),
            )
        )
    finally:
        await pool.release(connection)


async def _on_cluster(
    client: RedisCluster, commands: Sequence[Command], replicas: int, timeout_ms: int
) -> int:
    await client.initialize()  # a no-op unless a lost node asked for the slot map to be reloaded
    node: ClusterNode | None = client.get_node_from_key(str(commands[0][1]))
    if node is None:
        raise redis_errors.SlotNotCoveredError("no master owns the write's slot")
    connection = node.acquire_connection()
    try:
        await node.disconnect_if_needed(connection)
        return await _send(connection, commands, replicas, timeout_ms)
    except redis_errors.MovedError as moved:  # a failover moved the slot: learn where, then retry
        await client.nodes_manager.move_slot(moved)
        raise
    except (redis_errors.ConnectionError, redis_errors.TimeoutError, redis_errors.ReadOnlyError, OSError):
        # The node is gone or no longer a master: as redis-py does for its own commands, drop its
        # connections and reload the slot map, so that the gateway's retry finds the new owner.
        await connection.disconnect()
        node.update_active_connections_for_reconnect()
        await node.disconnect_free_connections()
        client.nodes_manager.move_node_to_end_of_cached_nodes(node.name)
        await client.nodes_manager.initialize(last_failed_node_name=node.name)
        raise
    finally:
        node.release(connection)


async def _send(
    connection: AbstractConnection, commands: Sequence[Command], replicas: int, timeout_ms: int
) -> int:
    """MULTI, the commands, EXEC, WAIT, written at once; every reply read (so the connection stays in
    step) before the first error is raised. Anything but an error reply leaves the connection closed."""
    wire: list[Sequence[Any]] = [("MULTI",), *commands, ("EXEC",), ("WAIT", replicas, timeout_ms)]
    try:
        await connection.send_packed_command(connection.pack_commands(wire))
        errors: list[BaseException] = []
        for _ in range(len(commands) + 2):  # MULTI, each QUEUED, EXEC
            try:
                reply = await connection.read_response()
            except redis_errors.ResponseError as error:
                errors.append(error)
            else:  # EXEC's replies: a command that failed as it ran (WRONGTYPE, …) is one of them
                errors += [r for r in reply if isinstance(r, Exception)] if isinstance(reply, list) else []
        socket_timeout = getattr(connection, "socket_timeout", None) or _REPLY_MARGIN_S
        # The WAIT's own timeout on top of the client's: a WAIT longer than the socket timeout is
        # not a dead server. (An explicit read timeout answers None when it passes.)
        acknowledged = await connection.read_response(timeout=socket_timeout + timeout_ms / 1000)
    except BaseException:
        await connection.disconnect()
        raise
    if acknowledged is None:
        await connection.disconnect()
        raise redis_errors.TimeoutError(f"no answer to WAIT within {timeout_ms} ms and the socket timeout")
    if errors:
        # A queued command refused (MOVED, ASK, CROSSSLOT, …) aborts EXEC; the first says why.
        raise next((e for e in errors if not isinstance(e, redis_errors.ExecAbortError)), errors[0])
    return int(acknowledged)


async def fewest_replicas(client: Redis) -> int:
    """The replicas connected to the master that has fewest (on a cluster, over every master)."""
    if isinstance(client, RedisCluster):
        per_node: dict[str, dict[str, Any]] = await client.info(
            "replication", target_nodes=RedisCluster.PRIMARIES
        )
        return min(int(info.get("connected_slaves", 0)) for info in per_node.values())
    info: dict[str, Any] = await client.info("replication")
    return int(info.get("connected_slaves", 0))
