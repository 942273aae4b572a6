"""The CPU scheduler (api/guards/scheduler.py) on a real server: a tenant arriving beside another's
flood is served before the flood's queue, busy tenants alternate, and refusals are cheap 429/503
problems with `Retry-After`. Orders and statuses are asserted, never durations."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from mnemo.api.guards.scheduler import FairScheduler
from tests.e2e.live_server import LiveApp, live_app  # noqa: F401 - a fixture
from tests.e2e.requests.test_bad_input_http import assert_problem

KEYS = "key-a-000000:alpha,key-b-000000:beta"
A, B = {"Authorization": "Bearer key-a-000000"}, {"Authorization": "Bearer key-b-000000"}
BODY = {"query": "what was decided about the release", "budget_tokens": 2_000}
# One slot, so that every request but one waits, and per-tenant bounds out of the way.
ONE_SLOT: dict[str, Any] = {
    "api_keys": KEYS,
    "cpu_slots": 1,
    "tenant_retrieval_concurrency": 64,
    "tenant_concurrency": 64,
    "rate_limit_per_minute": 0,
}


async def _until(condition: Any, what: str) -> None:
    for _ in range(2_000):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"never happened: {what}")


async def _seed(client: httpx.AsyncClient) -> None:
    memories = [
        {"type": "episodic", "content": f"Decision {i}: the release ships on day {i}."} for i in range(20)
    ]
    for headers in (A, B):
        reply = await client.post("/v1/memories", json={"memories": memories}, headers=headers)
        assert reply.status_code == 201, reply.text


async def served_beside_a_flood(
    client: httpx.AsyncClient, cpu: FairScheduler, quiet_request: Callable[[], Awaitable[httpx.Response]]
) -> httpx.Response:
    """Beta's `quiet_request`, sent while a flood of alpha's retrievals waits for the one CPU slot:
    its answer, once the flood is answered too and beta is seen served before the flood's queue."""
    flood = [asyncio.create_task(client.post("/v1/retrieve", json=BODY, headers=A)) for _ in range(8)]
    await _until(lambda: cpu.queued("alpha") >= 6, "alpha's requests queued for the CPU")
    served_before = len(cpu.stats.grants)
    quiet = await quiet_request()
    assert [r.status_code for r in await asyncio.gather(*flood)] == [200] * 8
    after = cpu.stats.grants[served_before:]
    # At most the slot alpha held (and one more that took it meanwhile) went before beta.
    assert "beta" in after[:2], after
    assert after.count("alpha") >= 6, after
    return quiet


async def test_a_tenant_beside_a_flood_is_served_before_the_floods_queue(live_app: LiveApp) -> None:  # noqa: F811
    async with live_app(**ONE_SLOT) as (url, app), httpx.AsyncClient(base_url=url, timeout=120) as client:
        await _seed(client)
        cpu: FairScheduler = app.state.fairness.cpu
        assert cpu.slots == 1
        quiet = await served_beside_a_flood(
            client, cpu, lambda: client.post("/v1/retrieve", json=BODY, headers=B)
        )
        assert quiet.status_code == 200, quiet.text


async def test_a_tenants_mcp_recall_beside_a_rest_flood_is_served_before_the_floods_queue(
    live_app: LiveApp,  # noqa: F811
) -> None:
    """A `/mcp` tool call is an in-process request under the caller's key: the same tenant's queue of
    the CPU scheduler (and its fair-share bounds) as the REST call it stands for."""
    mcp_headers = {**B, "Accept": "application/json, text/event-stream"}
    recall = {"jsonrpc": "2.0", "id": 1, "method": "tools/call"}
    recall["params"] = {"name": "recall", "arguments": {"query": "what was decided about the release"}}
    async with live_app(**ONE_SLOT) as (url, app), httpx.AsyncClient(base_url=url, timeout=120) as client:
        await _seed(client)
        cpu: FairScheduler = app.state.fairness.cpu
        # Served before the flood's queue, as a REST call of beta's would be.
        quiet = await served_beside_a_flood(
            client, cpu, lambda: client.post("/mcp", json=recall, headers=mcp_headers)
        )
        assert quiet.status_code == 200 and not quiet.json()["result"].get("isError"), quiet.text
        assert "release" in str(quiet.json()["result"]["content"])


async def test_beside_a_flood_a_slot_is_kept_for_the_other_active_tenant(live_app: LiveApp) -> None:  # noqa: F811
    """Two slots: while beta retrieves one request after another, alpha's flood holds one slot and
    waits for more, the other kept for beta's next request (it then starts at once rather than
    behind one of the flood's running requests)."""
    async with (
        live_app(**{**ONE_SLOT, "cpu_slots": 2}) as (url, app),
        httpx.AsyncClient(base_url=url, timeout=120) as client,
    ):
        await _seed(client)
        cpu: FairScheduler = app.state.fairness.cpu
        cpu.active_s = 600.0  # beta counts as active through the test, however slow the machine
        stop = asyncio.Event()

        async def flood() -> list[int]:
            statuses = []
            while not stop.is_set():
                statuses.append((await client.post("/v1/retrieve", json=BODY, headers=A)).status_code)
            return statuses

        flooders = [asyncio.create_task(flood()) for _ in range(6)]
        await _until(lambda: cpu.queued("alpha") >= 3, "alpha's requests queued for the CPU")
        seen = []
        for _ in range(5):
            quiet = await client.post("/v1/retrieve", json=BODY, headers=B)
            assert quiet.status_code == 200, quiet.text
            seen.append((cpu.held("alpha"), cpu.queued("alpha"), cpu.running))
        stop.set()
        assert all(status == 200 for statuses in await asyncio.gather(*flooders) for status in statuses)
        # After each of beta's answers: alpha at its share with requests waiting, beta's slot free.
        assert all(held <= 1 for held, _, _ in seen), seen
        assert any(queued > 0 and running == 1 for _, queued, running in seen), seen


async def test_two_busy_tenants_alternate(live_app: LiveApp) -> None:  # noqa: F811
    async with live_app(**ONE_SLOT) as (url, app), httpx.AsyncClient(base_url=url, timeout=120) as client:
        await _seed(client)
        cpu: FairScheduler = app.state.fairness.cpu
        first = [asyncio.create_task(client.post("/v1/retrieve", json=BODY, headers=A)) for _ in range(6)]
        await _until(lambda: cpu.queued("alpha") >= 4, "alpha's requests queued")
        second = [asyncio.create_task(client.post("/v1/retrieve", json=BODY, headers=B)) for _ in range(6)]
        await _until(lambda: cpu.queued("beta") >= 5, "beta's requests queued")
        served_before = len(cpu.stats.grants)
        assert all(r.status_code == 200 for r in await asyncio.gather(*first, *second))
        after = cpu.stats.grants[served_before:]
        # While both wait, neither is served twice in a row.
        both_waiting = after[: 2 * min(after.count("alpha"), after.count("beta"))]
        assert len(both_waiting) >= 8, after
        assert all(x != y for x, y in itertools.pairwise(both_waiting)), after


async def test_a_full_tenant_queue_is_refused_with_429_and_the_other_tenant_is_not(live_app: LiveApp) -> None:  # noqa: F811
    settings = {**ONE_SLOT, "cpu_queue_per_tenant": 2}
    async with live_app(**settings) as (url, app), httpx.AsyncClient(base_url=url, timeout=120) as client:
        await _seed(client)
        flood = (client.post("/v1/retrieve", json=BODY, headers=A) for _ in range(10))
        answers = await asyncio.gather(*flood)
        refused = [r for r in answers if r.status_code == 429]
        assert refused and any(r.status_code == 200 for r in answers), [r.status_code for r in answers]
        assert_problem(refused[0], 429)
        assert refused[0].json()["code"] == "rate_limited" and int(refused[0].headers["retry-after"]) >= 1
        assert app.state.fairness.cpu.stats.refused_queue_full == len(refused)
        assert (await client.post("/v1/retrieve", json=BODY, headers=B)).status_code == 200


async def test_no_slot_within_the_queue_time_is_a_503_with_retry_after(live_app: LiveApp) -> None:  # noqa: F811
    settings = {**ONE_SLOT, "cpu_queue_s": 0.0}
    async with live_app(**settings) as (url, app), httpx.AsyncClient(base_url=url, timeout=120) as client:
        await _seed(client)
        answers = await asyncio.gather(*(client.post("/v1/retrieve", json=BODY, headers=A) for _ in range(6)))
        statuses = [r.status_code for r in answers]
        assert 200 in statuses and 503 in statuses, statuses
        busy = next(r for r in answers if r.status_code == 503)
        assert_problem(busy, 503)
        assert busy.json()["code"] == "unavailable" and int(busy.headers["retry-after"]) >= 1
        cpu: FairScheduler = app.state.fairness.cpu
        assert cpu.stats.refused_timeout == statuses.count(503)
        assert cpu.running == 0 and cpu.waiting == 0  # nothing leaked: every slot given back
