"""Per-tenant rate limits, kept in Redis: 429 + Retry-After, per tenant, shared by app instances."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from mnemo.backends.redis.client import EmbeddedRedis
from tests.conftest import copy_sparse
from tests.e2e.conftest import AppFactory
from tests.e2e.engines.test_redis_outage_http import kill, own_redis  # noqa: F401 - a fixture

KEYS = "key-a:alpha,key-b:beta"
A = {"authorization": "Bearer key-a"}
B = {"authorization": "Bearer key-b"}


def assert_limited(response: Any) -> int:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == "rate_limited"
    retry_after = int(response.headers["retry-after"])
    assert retry_after >= 1
    return retry_after


async def test_the_limit_trips_per_tenant_and_probes_are_exempt(app_client: AppFactory) -> None:
    async with app_client(api_keys=KEYS, rate_limit_per_minute=6, rate_limit_burst=3) as client:
        for _ in range(3):
            assert (await client.get("/v1/working/t1", headers=A)).status_code == 200
        retry_after = assert_limited(await client.get("/v1/working/t1", headers=A))
        assert retry_after <= 10  # one request every 10 s
        assert_limited(await client.post("/v1/working/t1/items", json={"content": "x"}, headers=A))
        # Another tenant has its own allowance.
        for _ in range(3):
            assert (await client.get("/v1/working/t1", headers=B)).status_code == 200
        assert_limited(await client.get("/v1/working/t1", headers=B))
        # Probes, metrics and the schema are never limited; a bad key is a 401, not a 429.
        for _ in range(5):
            assert (await client.get("/health")).status_code == 200
            assert (await client.get("/ready")).status_code == 200
            assert (await client.get("/schema/openapi.json")).status_code == 200
        assert (
            await client.get("/v1/working/t1", headers={"authorization": "Bearer nope"})
        ).status_code == 401


async def test_the_allowance_comes_back_after_the_interval(app_client: AppFactory) -> None:
    # One request every 2 s: the three requests below fit in that even on a loaded machine.
    async with app_client(rate_limit_per_minute=30, rate_limit_burst=2) as client:
        assert (await client.get("/v1/working/t")).status_code == 200
        assert (await client.get("/v1/working/t")).status_code == 200
        assert 1 <= assert_limited(await client.get("/v1/working/t")) <= 2
        await asyncio.sleep(2.1)
        assert (await client.get("/v1/working/t")).status_code == 200
        assert_limited(await client.get("/v1/working/t"))


async def test_two_app_instances_share_one_allowance(
    app_client: AppFactory, tmp_path: Path, empty_data_dir: Path
) -> None:
    second_dir = tmp_path / "second"
    copy_sparse(empty_data_dir, second_dir)
    limits = {"api_keys": KEYS, "rate_limit_per_minute": 6, "rate_limit_burst": 4}
    async with app_client(**limits) as first, app_client(data_dir=second_dir, **limits) as second:
        for client in (first, second, first, second):
            assert (await client.get("/v1/working/t", headers=A)).status_code == 200
        assert_limited(await first.get("/v1/working/t", headers=A))
        assert_limited(await second.get("/v1/working/t", headers=A))
        assert (await second.get("/v1/working/t", headers=B)).status_code == 200


async def test_limits_fail_open_while_redis_is_down(
    app_client: AppFactory,
    own_redis: EmbeddedRedis,  # noqa: F811 - the fixture
) -> None:
    redis = {"url": own_redis.url, "timeout_s": 0.5, "breaker_reset_s": 30.0}
    async with app_client(rate_limit_per_minute=6, rate_limit_burst=1, redis=redis) as client:
        assert (await client.get("/v1/memories")).status_code == 200
        assert_limited(await client.get("/v1/memories"))
        kill(own_redis)
        # Listing memories needs no Redis: with the limiter's store gone it is let through, not refused.
        for _ in range(5):
            assert (await client.get("/v1/memories")).status_code == 200
        assert client.app.state.rate_limit.fail_open_total >= 5
