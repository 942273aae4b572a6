"""Redis stopped mid-load loses no acknowledged write, and the service recovers
by itself. Memory writes and working-memory writes run concurrently while the test's own
redis-server is killed (SIGKILL) and later restarted on the same socket and directory."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from mnemo.backends.redis.client import EmbeddedRedis
from tests.e2e.engines.test_redis_outage_http import kill, own_redis  # noqa: F401 - a fixture
from tests.e2e.live_server import LiveApp, live_app  # noqa: F401 - a fixture

MEMORY_WRITERS = 3
WORKING_WRITERS = 4


@dataclass
class Load:
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    bad: list[str] = field(default_factory=list)  # answers that are neither a 2xx nor a proper 503
    memories: dict[str, str] = field(default_factory=dict)  # acknowledged: id → content
    working: dict[str, list[str]] = field(default_factory=dict)  # acknowledged: task → contents, in order
    working_ok_at: list[float] = field(default_factory=list)

    def check_failure(self, kind: str, response: Any) -> None:
        retry_after = response.headers.get("retry-after")
        problem = response.headers.get("content-type", "").startswith("application/problem+json")
        if response.status_code != 503 or not retry_after or not problem:
            self.bad.append(f"{kind}: {response.status_code} {response.text[:200]}")


async def write_memories(client: httpx.AsyncClient, load: Load, writer: int) -> None:
    n = 0
    while not load.stop.is_set():
        n += 1
        content = (
            f"Load test fact {writer}-{n}: the build server in rack {n} was rebooted by writer {writer}."
        )
        body = {"memories": [{"type": "semantic", "content": content}], "prefilter": False, "dedup": False}
        response = await client.post("/v1/memories", json=body)
        load.statuses["memory", response.status_code] += 1
        if response.status_code == 201:
            load.memories[response.json()["results"][0]["id"]] = content
        else:
            load.check_failure("memory", response)


async def write_working(client: httpx.AsyncClient, load: Load, writer: int) -> None:
    task, n = f"load-{writer}", 0
    acknowledged = load.working.setdefault(task, [])
    while not load.stop.is_set():
        n += 1
        content = f"step {n} of writer {writer}"
        response = await client.post(f"/v1/working/{task}/items", json={"content": content})
        load.statuses["working", response.status_code] += 1
        if response.status_code == 201:
            acknowledged.append(content)
            load.working_ok_at.append(time.monotonic())
        else:
            load.check_failure("working", response)
            await asyncio.sleep(0.02)  # a real client backs off a little on 503


async def test_no_acknowledged_write_is_lost_when_redis_dies_mid_load(
    live_app: LiveApp,  # noqa: F811 - the fixture
    own_redis: EmbeddedRedis,  # noqa: F811 - the fixture
) -> None:
    settings = {
        "redis": {
            "url": own_redis.url,
            "timeout_s": 0.5,
            "breaker_reset_s": 0.5,
            "lock_ttl_s": 1.0,  # a lock taken just before the kill frees itself soon after the restart
            "lock_wait_s": 3.0,
        },
        "working": {"max_tokens": 100_000},  # no evictions: every acknowledged item stays live
    }
    load = Load()
    async with live_app(**settings) as (url, _), httpx.AsyncClient(base_url=url, timeout=60) as client:
        writers = [asyncio.create_task(write_memories(client, load, w)) for w in range(MEMORY_WRITERS)]
        writers += [asyncio.create_task(write_working(client, load, w)) for w in range(WORKING_WRITERS)]
        try:
            await asyncio.sleep(2.0)
            before_kill = sum(len(items) for items in load.working.values())
            kill(own_redis)
            await asyncio.sleep(3.0)
            during = dict(load.statuses)
            assert (await client.get("/ready")).status_code == 503  # working memory unreachable
            await own_redis.stop()  # reap the killed process
            restarted = time.monotonic()
            await own_redis.start()  # same socket and directory: it reloads its append-only file
            deadline = restarted + 20
            while not any(t > restarted for t in load.working_ok_at):
                assert time.monotonic() < deadline, "working-memory writes did not recover"
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.0)
        finally:
            load.stop.set()
            await asyncio.gather(*writers, return_exceptions=True)

        assert load.bad == [], load.bad[:5]
        assert before_kill > 0 and during.get(("working", 503), 0) > 0, during
        assert load.statuses["memory", 201] > 0
        # Every acknowledged memory is readable, with its content.
        for memory_id, content in load.memories.items():
            found = await client.get(f"/v1/memories/{memory_id}")
            assert found.status_code == 200 and found.json()["content"] == content
        # Every acknowledged working item is in its task, in the order it was acknowledged.
        for task, acknowledged in load.working.items():
            view = (await client.get(f"/v1/working/{task}")).json()
            stored = [item["content"] for item in reversed(view["items"])]  # the view is newest first
            assert len(stored) == len(set(stored)), f"duplicates in {task}"
            assert [c for c in stored if c in set(acknowledged)] == acknowledged, task
        assert (await client.get("/ready")).json()["status"] == "ready"
    print(f"outage under load: {dict(load.statuses)}")
