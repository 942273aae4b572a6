"""Per-tenant bounds (api/guards/fairness.py), rate limits on by default with API keys, CORS only when
configured: each refusal is a 429 (or 422) problem with `Retry-After`, and never touches another tenant."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from mnemo.api.config.settings import MULTI_TENANT_RATE_PER_MINUTE
from mnemo.benchmarks.target import Target
from mnemo.memtypes.records import MemoryIn
from mnemo_client import AsyncMnemo
from tests.e2e.conftest import AppFactory
from tests.e2e.live_server import LiveApp, live_app  # noqa: F401 - a fixture
from tests.e2e.requests.test_bad_input_http import assert_problem

KEYS = "key-a-000000:alpha,key-b-000000:beta"
A, B = {"Authorization": "Bearer key-a-000000"}, {"Authorization": "Bearer key-b-000000"}


def memories(chars: int, n: int = 1) -> dict[str, Any]:
    return {
        "memories": [
            {"type": "episodic", "content": f"Record {i} of the embedding allowance test. " + "x" * chars}
            for i in range(n)
        ]
    }


async def test_embedded_characters_are_bounded_per_request_and_per_second(app_client: AppFactory) -> None:
    async with app_client(api_keys=KEYS, embed_chars_per_s=1_000, embed_chars_burst=6_000) as client:
        assert (await client.post("/v1/memories", json=memories(4_000), headers=A)).status_code == 201
        response = await client.post("/v1/memories", json=memories(4_000), headers=A)
        assert_problem(response, 429)
        assert int(response.headers["retry-after"]) >= 1
        # Another tenant's allowance is its own.
        assert (await client.post("/v1/memories", json=memories(4_000), headers=B)).status_code == 201
        # More than a request may ever embed: no waiting helps, so it is a 422 naming the field.
        assert_problem(await client.post("/v1/memories", json=memories(3_500, 2), headers=B), 422, "memories")


async def test_rate_limits_are_on_by_default_with_api_keys_only(app_client: AppFactory) -> None:
    async with app_client(api_keys=KEYS) as client:
        limit = client.app.state.rate_limit
        assert limit is not None and limit.limit.per_minute == MULTI_TENANT_RATE_PER_MINUTE
    async with app_client() as client:
        assert client.app.state.rate_limit is None
    async with app_client(api_keys=KEYS, rate_limit_per_minute=0) as client:
        assert client.app.state.rate_limit is None  # explicitly off


async def test_a_tenant_over_its_concurrency_gets_429_and_the_other_does_not(live_app: LiveApp) -> None:  # noqa: F811
    settings = {"api_keys": KEYS, "tenant_retrieval_concurrency": 1, "tenant_queue_s": 0.0}
    async with live_app(**settings) as (url, _), httpx.AsyncClient(base_url=url, timeout=60) as client:
        body = {"query": "what was decided", "budget_tokens": 4_000}
        answers = await asyncio.gather(*(client.post("/v1/retrieve", json=body, headers=A) for _ in range(8)))
        statuses = sorted(r.status_code for r in answers)
        assert 200 in statuses and 429 in statuses, statuses
        refused = next(r for r in answers if r.status_code == 429)
        assert refused.headers["retry-after"] and refused.json()["code"] == "rate_limited"
        assert (await client.post("/v1/retrieve", json=body, headers=B)).status_code == 200


async def test_cors_is_off_unless_configured(app_client: AppFactory) -> None:
    preflight = {
        "origin": "https://app.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
    }
    async with app_client() as client:
        response = await client.options("/v1/retrieve", headers=preflight)
        assert "access-control-allow-origin" not in response.headers
        response = await client.post(
            "/v1/retrieve", json={"query": "q"}, headers={"origin": "https://app.example"}
        )
        assert_problem(response, 403, "Origin")
    async with app_client(cors_origins="https://app.example") as client:
        response = await client.options("/v1/retrieve", headers=preflight)
        assert response.headers["access-control-allow-origin"] == "https://app.example"
        response = await client.post(
            "/v1/retrieve", json={"query": "q"}, headers={"origin": "https://app.example"}
        )
        assert response.status_code == 200, response.text
        response = await client.post(
            "/v1/retrieve", json={"query": "q"}, headers={"origin": "https://evil.example"}
        )
        assert_problem(response, 403, "Origin")


async def test_a_benchmark_waits_out_the_embedding_allowance(app_client: AppFactory) -> None:
    """A benchmark with a warm embedding cache writes faster than the allowance: each 429 is waited
    out for its `Retry-After`, and every memory is written."""
    async with (
        app_client(embed_chars_per_s=4_000, embed_chars_burst=6_000) as client,
        AsyncMnemo(http_client=client) as mnemo,
    ):
        rows = memories(4_000, 3)["memories"]
        statuses = await Target(mnemo, "in-process").write([MemoryIn(**row) for row in rows], batch=1)
        assert statuses == {"created": 3}
