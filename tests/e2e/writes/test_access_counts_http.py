"""Access counts live in Redis beside the index, never in its payloads: a payload update moves a
point out of Qdrant Edge's HNSW index, so counting retrievals there drifted the most-retrieved
memories out of it (docs/engine.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from mnemo.backends.redis.client import EmbeddedRedis
from mnemo.backends.redis.keys import KeySpace
from mnemo.memtypes.types import MemoryType
from tests.e2e.conftest import AppFactory, in_app_loop, write_one
from tests.e2e.engines.test_redis_outage_http import kill, own_redis, redis_ready, wait_until

__all__ = ["own_redis"]  # the fixture, for this module's tests

TENANT = "default"  # single-tenant: no API keys
FACT = {"type": "episodic", "content": "Alice asked about flights to Lisbon."}


async def retrieve(client: AsyncTestClient[Any], query: str) -> None:
    assert (await client.post("/v1/retrieve", json={"query": query})).status_code == 200


async def count(client: AsyncTestClient[Any], memory_id: str) -> int:
    return int((await client.get(f"/v1/memories/{memory_id}")).json()["access_count"])


async def test_counts_are_kept_in_redis_not_in_the_index_and_outlive_a_restart(
    app_client: AppFactory, tmp_path: Path, redis_client: Redis, redis_keys: KeySpace
) -> None:
    data = tmp_path / "data"
    async with app_client() as client:
        memory_id = (await write_one(client, FACT))["id"]
        await retrieve(client, "flights")
        await retrieve(client, "Lisbon")
        assert await count(client, memory_id) == 2  # noted, not yet flushed
        services = client.app.state.services
        assert await in_app_loop(client, services.access_log.flush) == 1
        assert await count(client, memory_id) == 2  # stored once, not counted twice
        [point] = await in_app_loop(client, services.index.get, MemoryType.EPISODIC, [memory_id])
        assert point.payload["access_count"] == 0 and "last_accessed_at" not in point.payload  # untouched
        key = redis_keys.access(TENANT, "episodic")
        assert await redis_client.hget(key, f"n:{memory_id}") in ("2", b"2")
        listed = (await client.get("/v1/memories")).json()["memories"]
        assert [m["access_count"] for m in listed] == [2]
        await retrieve(client, "Lisbon")  # noted only; the shutdown flushes it
    async with app_client(data) as client:
        record = (await client.get(f"/v1/memories/{memory_id}")).json()
        assert record["access_count"] == 3 and record["last_accessed_at"] is not None
        hits = (await client.get("/v1/memories/search", params={"q": "Lisbon"})).json()["hits"]
        assert [h["memory"]["access_count"] for h in hits] == [3]  # a search shows, and adds nothing


async def test_deleting_or_forgetting_a_memory_drops_its_counts(
    client: AsyncTestClient[Any], redis_client: Redis, redis_keys: KeySpace
) -> None:
    deleted = (await write_one(client, FACT))["id"]
    forgotten = (await write_one(client, {**FACT, "content": "Bob booked a hotel in Porto for May."}))["id"]
    await retrieve(client, "Lisbon flights")
    await retrieve(client, "hotel in Porto")
    access_log = client.app.state.services.access_log
    assert await in_app_loop(client, access_log.flush) == 2
    await retrieve(client, "hotel in Porto")  # noted after the flush: the forget drops it too
    key = redis_keys.access(TENANT, "episodic")
    assert await redis_client.hlen(key) == 4  # a count and a time each

    assert (await client.delete(f"/v1/memories/{deleted}")).status_code == 204
    assert (await client.post("/v1/forget", json={"ids": [forgotten]})).status_code == 200
    assert await in_app_loop(client, access_log.flush) == 0
    assert await redis_client.hlen(key) == 0


async def test_counts_noted_while_redis_is_down_are_written_once_it_is_back(
    app_client: AppFactory, own_redis: EmbeddedRedis
) -> None:
    redis = {"url": own_redis.url, "timeout_s": 0.5, "breaker_reset_s": 0.5}
    async with app_client(redis=redis) as client:
        memory_id = (await write_one(client, FACT))["id"]
        await retrieve(client, "flights")
        kill(own_redis)
        await retrieve(client, "Lisbon")
        access_log = client.app.state.services.access_log
        assert await in_app_loop(client, access_log.flush) == 0  # kept for the next flush, not dropped
        assert await count(client, memory_id) == 2  # the index's and the noted counts still show

        await own_redis.stop()  # reap the killed process
        await own_redis.start()
        await wait_until(client, redis_ready)
        assert await in_app_loop(client, access_log.flush) == 1
        assert await count(client, memory_id) == 2
