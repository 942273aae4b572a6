"""Redis keys as plain records (key, type, value, TTL) for a backup and its restore.

Not `DUMP`/`RESTORE`: a dump payload is tied to the RDB version of the server that made it, so a
backup of a service on Redis 7 would not restore into the embedded Redis 6.2 (`DUMP payload version
or checksum are wrong`). mnemo's keys hold text (the client decodes responses), so each type's value
is written as JSON as it is.
"""

from __future__ import annotations

from typing import Any


async def read_key(client: Any, key: str) -> dict[str, Any] | None:
    """The key's record; None when it expired or was removed since it was listed."""
    kind = await client.type(key)
    value: Any
    if kind == "string":
        value = await client.get(key)
    elif kind == "hash":
        value = await client.hgetall(key)
    elif kind == "list":
        value = await client.lrange(key, 0, -1)
    elif kind == "set":
        value = sorted(await client.smembers(key))
    elif kind == "zset":
        value = [[member, score] for member, score in await client.zrange(key, 0, -1, withscores=True)]
    elif kind == "stream":
        value = [[entry_id, fields] for entry_id, fields in await client.xrange(key)]
    else:  # "none"
        return None
    ttl_ms = await client.pttl(key)
    return {"key": key, "type": kind, "value": value, "ttl_ms": max(0, int(ttl_ms))}


async def write_key(client: Any, record: dict[str, Any]) -> None:
    """The key as the record holds it (replacing one of that name), in one transaction."""
    key, kind, value = record["key"], record["type"], record["value"]
    pipe = client.pipeline(transaction=True)
    pipe.delete(key)
    if kind == "string":
        pipe.set(key, value)
    elif kind == "hash" and value:
        pipe.hset(key, mapping=value)
    elif kind == "list" and value:
        pipe.rpush(key, *value)
    elif kind == "set" and value:
        pipe.sadd(key, *value)
    elif kind == "zset" and value:
        pipe.zadd(key, {member: float(score) for member, score in value})
    elif kind == "stream":
        for entry_id, fields in value:
            pipe.xadd(key, fields, id=entry_id)
    elif kind not in {"hash", "list", "set", "zset"}:
        raise ValueError(f"a Redis record of unknown type {kind!r} (key {key!r})")
    if int(record["ttl_ms"]) > 0:
        pipe.pexpire(key, int(record["ttl_ms"]))
    await pipe.execute()
