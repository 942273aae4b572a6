"""A working-memory task key that holds another Redis type (written by hand, or by another program
under mnemo's prefix) is an unreadable task: a problem-details 409 naming the task, never a 500;
`/v1/scopes/live` still answers, and forgetting the task's subject (dry run too) still works and
removes the key."""

from __future__ import annotations

import redis.asyncio as aioredis

from mnemo.backends.redis.keys import KeySpace
from tests.e2e.conftest import AppFactory

SCOPE = {"user_id": "kim"}


async def test_a_task_key_of_another_redis_type(
    app_client: AppFactory, redis_url: str, redis_prefix: str
) -> None:
    async with app_client() as client:
        item = {"content": "Compare the Blenthaven ferry fares.", "scope": SCOPE}
        assert (await client.post("/v1/working/trip/items", json=item)).status_code == 201
        key = KeySpace(redis_prefix).working("default", "trip")
        raw = aioredis.from_url(redis_url)
        try:
            await raw.delete(key)
            await raw.rpush(key, "not", "a", "task")
            read = await client.get("/v1/working/trip")
            assert read.status_code == 409, read.text
            assert read.headers["content-type"].startswith("application/problem+json")
            assert read.json()["code"] == "unreadable_task" and "trip" in read.json()["detail"]
            live = await client.get("/v1/scopes/live", params=SCOPE)
            assert live.status_code == 200, live.text
            dry = await client.post("/v1/forget", json={"scope": SCOPE, "dry_run": True})
            assert dry.status_code == 200, dry.text
            assert dry.json()["task_ids"] == ["trip"]
            forgot = await client.post("/v1/forget", json={"scope": SCOPE})
            assert forgot.status_code == 200, forgot.text
            assert forgot.json()["task_ids"] == ["trip"]
            assert await raw.exists(key) == 0
        finally:
            await raw.aclose()
