"""A working-memory task whose stored state cannot be read never blocks forgetting its subject: it is
erased with the rest (dry run too), on the real app and a real Redis; and a forced clear of such a
task archives its raw text under the task's scope, so that the next forget of the subject finds it."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from mnemo.backends.redis.keys import KeySpace
from tests.e2e.conftest import AppFactory
from tests.e2e.working_and_threads.test_working_http import append, archived

GARBLED = '{"items": [{"content": "Gus asked to move the appointment'


async def garble(redis_client: Redis, keys: KeySpace, task_id: str) -> None:
    """Overwrite a task's stored state as a crash mid-write or a hand edit would leave it (its scope
    index and deadline stay as they were)."""
    key = keys.working("default", task_id)
    ttl = await redis_client.pttl(key)
    await redis_client.set(key, GARBLED, px=ttl)


async def test_forget_erases_an_unreadable_task_with_the_rest(
    app_client: AppFactory, redis_client: Redis, redis_keys: KeySpace
) -> None:
    scope = {"user_id": "gus"}
    async with app_client() as client:
        await append(client, "stuck", "Gus is comparing dentists.", scope=scope)
        await append(client, "fine", "Gus prefers mornings.", scope=scope)
        await append(client, "others", "Ida is comparing dentists.", scope={"user_id": "ida"})
        await garble(redis_client, redis_keys, "stuck")
        assert (await client.get("/v1/working/stuck")).status_code == 409  # unreadable indeed

        dry = await client.post("/v1/forget", json={"scope": scope, "dry_run": True})
        assert dry.status_code == 200, dry.text  # was 409 unreadable_task
        assert dry.json()["task_ids"] == ["fine", "stuck"]
        forgot = await client.post("/v1/forget", json={"scope": scope})
        assert forgot.status_code == 200, forgot.text
        assert forgot.json()["task_ids"] == ["fine", "stuck"]

        for task in ("stuck", "fine"):
            assert await redis_client.exists(redis_keys.working("default", task)) == 0
        index = redis_keys.by_scope("default", "wm", "user_id", "gus")
        assert await redis_client.smembers(index) == set()  # unindexed too
        assert (await client.get("/v1/working/others")).json()["items"]  # another subject's stays
        again = await client.post("/v1/forget", json={"scope": scope})
        assert again.json()["removed"] == 0


async def test_a_forced_clear_keeps_the_task_scope_on_its_archive(
    client: AsyncTestClient[Any], redis_client: Redis, redis_keys: KeySpace
) -> None:
    scope = {"user_id": "hal", "agent_id": "planner"}
    await append(client, "garbled", "Hal wants a table for four.", scope=scope)
    await garble(redis_client, redis_keys, "garbled")
    cleared = await client.delete("/v1/working/garbled", params={"force": "true"})
    assert cleared.status_code == 200, cleared.text
    (record,) = await archived(client, "garbled")
    assert record["content"] == GARBLED and record["metadata"]["reason"] == "unreadable"
    kept = {k: v for k, v in record["scope"].items() if v is not None}
    assert kept == scope  # was empty: the subject's forget missed it
    for field, value in scope.items():
        assert await redis_client.smembers(redis_keys.by_scope("default", "wm", field, value)) == set()

    forgot = await client.post("/v1/forget", json={"scope": {"user_id": "hal"}})
    assert forgot.status_code == 200, forgot.text
    assert record["id"] in forgot.json()["memory_ids"]
    assert await archived(client, "garbled") == []
