"""Redis going away and coming back, on a server of the test's own (never the shared one on 6379)."""

from __future__ import annotations

import asyncio
import os
import signal
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from mnemo.backends.redis.client import EmbeddedRedis
from tests.e2e.conftest import AppFactory

FACT = {"type": "semantic", "content": "The office wifi password is written on a note on the fridge door."}


@pytest.fixture
async def own_redis() -> AsyncIterator[EmbeddedRedis]:
    # A short directory: unix socket paths are limited to ~100 bytes, pytest's tmp paths are long.
    with tempfile.TemporaryDirectory(prefix="mnemo-outage-") as directory:
        server = EmbeddedRedis(Path(directory))
        await server.start()
        yield server
        await server.stop()


def kill(server: EmbeddedRedis) -> None:
    assert server.pid is not None
    os.kill(server.pid, signal.SIGKILL)


async def wait_until(client: AsyncTestClient[Any], check: Any, timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not await check(client):
        assert time.monotonic() < deadline, "did not recover in time"
        await asyncio.sleep(0.1)


async def redis_ready(client: AsyncTestClient[Any]) -> bool:
    return bool((await client.get("/ready")).json()["checks"]["redis"])


def assert_unavailable(response: Any) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "unavailable"
    assert int(response.headers["retry-after"]) >= 1


async def test_killing_redis_degrades_and_everything_recovers_without_a_restart(
    app_client: AppFactory, own_redis: EmbeddedRedis, caplog: pytest.LogCaptureFixture
) -> None:
    settings = {
        "redis": {"url": own_redis.url, "timeout_s": 0.5, "breaker_reset_s": 0.5},
        "working": {"sweep_interval_s": 0.2},
    }
    async with app_client(**settings) as client:
        assert (await client.post("/v1/memories", json={"memories": [FACT]})).status_code == 201
        assert (await client.post("/v1/working/wifi/items", json={"content": "Ask Bob."})).status_code == 201
        thread = (await client.post("/v1/threads", json={})).json()["id"]
        query = {"query": "wifi password", "task_id": "wifi"}
        before = (await client.post("/v1/retrieve", json=query)).json()
        assert before["context"].startswith("## Working memory\n- Ask Bob.\n")

        kill(own_redis)
        for _ in range(5):  # before and after the breaker opens
            started = time.monotonic()
            response = await client.post("/v1/retrieve", json=query)
            assert time.monotonic() - started < 5
            assert response.status_code == 200
            body = response.json()
            assert body["metadata"]["degraded"] == ["working_memory"]
            assert FACT["content"] in body["context"] and "Ask Bob" not in body["context"]
        assert_unavailable(await client.get("/v1/working/wifi"))
        assert_unavailable(await client.post("/v1/working/wifi/items", json={"content": "Lost?"}))
        assert_unavailable(await client.delete("/v1/working/wifi"))
        assert_unavailable(await client.post("/v1/threads", json={}))
        assert_unavailable(
            await client.post(f"/v1/threads/{thread}/turns", json={"role": "user", "content": "hi"})
        )
        assert_unavailable(await client.get(f"/v1/threads/{thread}/history"))
        ready = await client.get("/ready")  # acknowledged state unreachable: out of rotation
        assert ready.status_code == 503
        assert ready.json()["status"] == "not ready"
        assert ready.json()["checks"] == {"vectors": True, "redis": False, "embedder": True, "storage": True}
        assert ready.json()["dependencies"]["redis"]["breaker"] == "open"
        # What does not need Redis keeps working.
        other = dict(FACT, content="Bob from the IT department also knows the office wifi password.")
        written = await client.post("/v1/memories", json={"memories": [other]})
        assert written.status_code == 201 and written.json()["results"][0]["status"] == "created"

        await own_redis.stop()  # reap the killed process
        await own_redis.start()  # a new server on the same socket, reloading its append-only file
        await wait_until(client, redis_ready)
        assert (
            await client.post("/v1/working/wifi/items", json={"content": "Ask Carol."})
        ).status_code == 201
        after = (await client.post("/v1/retrieve", json=query)).json()
        assert after["metadata"]["degraded"] == []
        assert after["context"].startswith("## Working memory\n- Ask Carol.\n")
        thread = (await client.post("/v1/threads", json={})).json()["id"]
        turn = await client.post(f"/v1/threads/{thread}/turns", json={"role": "user", "content": "back"})
        assert turn.status_code == 201
        assert (await client.get("/ready")).json()["status"] == "ready"
    # The outage and the recovery are logged once each, not once per request.
    transitions = [r.getMessage() for r in caplog.records if r.name == "mnemo.redis"]
    # (A trial call during the restart may fail and open it once more: each closing follows an opening.)
    opened = sum("circuit breaker open" in m for m in transitions)
    assert 1 <= sum("circuit breaker closed" in m for m in transitions) <= opened <= 3
    assert len(transitions) <= 4


async def test_a_server_down_at_start_up_is_not_fatal(
    app_client: AppFactory, own_redis: EmbeddedRedis
) -> None:
    url = own_redis.url
    await own_redis.stop()
    async with app_client(redis={"url": url, "breaker_reset_s": 0.2}) as client:
        checks = (await client.get("/ready")).json()["checks"]
        assert checks == {"vectors": True, "redis": False, "embedder": True, "storage": True}
        body = (await client.post("/v1/retrieve", json={"query": "anything", "task_id": "t"})).json()
        assert body["metadata"]["degraded"] == ["working_memory"]
        await own_redis.start()
        await wait_until(client, redis_ready)
        assert (
            await client.post("/v1/working/t/items", json={"content": "Now it works."})
        ).status_code == 201
