"""Hostile ids cannot reach other keys: not another task's, not another tenant's, not a glob's."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote, unquote

import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from mnemo.backends.redis.keys import KeySpace
from tests.e2e.conftest import TWO_TENANTS, A, AppFactory, B

REFUSED = [
    "*",
    "a*b",
    "{beta}",
    "new\nline",
    "trailing\n",
    "x" * 10_000,
    " lead",
    "..",
    "ünï",
    "a/b",
    "-x",
    "a%2Ab",
]
# Paths a client or router rewrites before any handler runs (dot segments, an encoded slash): no
# route matches them (404). Through a JSON body they reach validation (422). Either way: no key.
REROUTED = {"..", "a/b"}
ACCEPTED = ["beta", "beta:wm:shared", "a.b@c+d", "x" * 128]


@pytest.fixture
async def client(app_client: AppFactory) -> Any:
    # Rate limits (on by default with API keys) keep their own Redis key: off here, where the point
    # is that no id reaches a key.
    async with app_client(api_keys=TWO_TENANTS, rate_limit_per_minute=0) as c:
        yield c


async def test_hostile_task_ids_are_refused_before_redis(
    client: AsyncTestClient[Any], redis_client: Redis, redis_prefix: str
) -> None:
    for task_id in REFUSED:
        segment = quote(task_id, safe="")  # what a client sends; the app sees the decoded id
        responses = [
            await client.post(f"/v1/working/{segment}/items", json={"content": "probe"}, headers=A),
            await client.get(f"/v1/working/{segment}", headers=A),
            await client.delete(f"/v1/working/{segment}", headers=A),
            await client.post("/v1/retrieve", json={"query": "probe", "task_id": task_id}, headers=A),
        ]
        for response in responses:
            if task_id in REROUTED and response.status_code == 404:
                continue
            assert response.status_code == 422, (task_id, response.text)
            assert response.json()["errors"][0]["field"] in ("task_id", "body.task_id")
            assert len(response.json()["detail"]) < 200  # a 10 kB id is not echoed back whole
    assert [k async for k in redis_client.scan_iter(match=f"{redis_prefix}:*")] == []


async def test_accepted_ids_stay_inside_their_tenant_and_task(
    client: AsyncTestClient[Any], redis_client: Redis, redis_prefix: str, redis_keys: KeySpace
) -> None:
    await client.post("/v1/working/shared/items", json={"content": "Beta's own secret."}, headers=B)
    for task_id in ACCEPTED:
        response = await client.post(f"/v1/working/{task_id}/items", json={"content": "alpha"}, headers=A)
        assert response.status_code == 201, (task_id, response.text)
        assert [
            i["content"] for i in (await client.get(f"/v1/working/{task_id}", headers=A)).json()["items"]
        ] == ["alpha"]
    # Beta's task is untouched and invisible to alpha, whatever alpha calls its tasks.
    assert (await client.get("/v1/working/shared", headers=A)).json()["items"] == []
    assert (await client.delete("/v1/working/shared", headers=A)).json()["archived"] == 0
    beta_items = (await client.get("/v1/working/shared", headers=B)).json()["items"]
    assert [i["content"] for i in beta_items] == ["Beta's own secret."]
    found = (
        await client.post("/v1/retrieve", json={"query": "secret", "task_id": "shared"}, headers=A)
    ).json()
    assert "Beta's own secret" not in found["context"]

    # Every key is <prefix>:<tenant>:<kind>:<encoded id> (on a cluster, then a hash tag of digits),
    # and decodes back to exactly one task; the rest is the deadline index (on a cluster, its shards).
    keys = sorted([k async for k in redis_client.scan_iter(match=f"{redis_prefix}:*")])
    deadline_keys = set(redis_keys.all_working_deadlines)
    working = [k for k in keys if k not in deadline_keys]
    tag = r"\{wm\.[0-9]+\}" if redis_keys.cluster else ""
    pattern = re.compile(rf"^{re.escape(redis_prefix)}:(alpha|beta):wm:([A-Za-z0-9._~%-]+){tag}$")
    owners = sorted((m[1], unquote(m[2])) for k in working if (m := pattern.match(k)))
    assert len(owners) == len(working)
    assert owners == sorted([("alpha", t) for t in ACCEPTED] + [("beta", "shared")])
    assert working == sorted(redis_keys.working(tenant, task) for tenant, task in owners)
    assert set(keys) - set(working) == {redis_keys.working_deadlines_of(t, task) for t, task in owners}


async def test_threads_of_another_tenant_are_out_of_reach(client: AsyncTestClient[Any]) -> None:
    beta_thread = (await client.post("/v1/threads", json={}, headers=B)).json()["id"]
    await client.post(f"/v1/threads/{beta_thread}/turns", json={"role": "user", "content": "beta"}, headers=B)
    turn = {"role": "user", "content": "alpha was here"}
    assert (await client.post(f"/v1/threads/{beta_thread}/turns", json=turn, headers=A)).status_code == 404
    assert (await client.get(f"/v1/threads/{beta_thread}/history", headers=A)).status_code == 404
    child = await client.post("/v1/threads", json={"parent_thread_id": beta_thread}, headers=A)
    assert child.status_code == 404
    history = (await client.get(f"/v1/threads/{beta_thread}/history", headers=B)).json()
    assert [t["content"] for t in history["turns"]] == ["beta"]
