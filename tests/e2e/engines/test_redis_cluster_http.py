"""The app on a real Redis Cluster (6 redis-server processes: 3 masters, 3 replicas; tests/redis_cluster.py):
concurrent working-memory appends, threads whose keys lie in different slots, retrieval with a
task_id, one rate limit over two app instances, and a master killed under load."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from redis.asyncio import Redis

from mnemo.backends.redis.cluster import make_cluster_client
from mnemo.backends.redis.keys import KeySpace
from tests.conftest import copy_sparse
from tests.e2e.conftest import AppFactory
from tests.e2e.live_server import LiveApp, live_app  # noqa: F401 (a fixture)
from tests.redis_cluster import LocalCluster

TENANT_KEYS = "key-alpha:alpha,key-beta:beta"
ALPHA = {"authorization": "Bearer key-alpha"}


@pytest.fixture
def on_cluster(app_client: AppFactory, redis_cluster: LocalCluster, cluster_prefix: str) -> AppFactory:
    def open_client(**overrides: Any) -> Any:
        overrides = {
            "redis": {"url": redis_cluster.url, "cluster": True, "key_prefix": cluster_prefix},
            **overrides,
        }
        return app_client(**overrides)

    return open_client


def masters_of(cluster: LocalCluster, keys: list[str]) -> set[int]:
    return {cluster.master_of(k) for k in keys}


async def test_concurrent_appends_over_five_tasks_are_all_stored_and_readable(
    live_app: LiveApp,  # noqa: F811 (the fixture imported above)
    redis_cluster: LocalCluster,
    cluster_prefix: str,
) -> None:
    """A real server (the in-process test client runs one request at a time): 100 appends at once."""
    tasks = [f"task-{n}" for n in range(5)]
    settings = {"redis": {"url": redis_cluster.url, "cluster": True, "key_prefix": cluster_prefix}}
    limits = httpx.Limits(max_connections=100)  # a connection each: no request queues in the client
    async with (
        live_app(**settings) as (url, _),
        httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http,
    ):

        async def append(n: int) -> tuple[int, str]:
            task, content = tasks[n % 5], f"note {n} for {tasks[n % 5]}"
            response = await http.post(f"/v1/working/{task}/items", json={"content": content})
            return response.status_code, content

        results = await asyncio.gather(*(append(n) for n in range(100)))
        assert [status for status, _ in results] == [201] * 100
        for task in tasks:
            view = (await http.get(f"/v1/working/{task}")).json()
            stored = sorted(i["content"] for i in view["items"])
            assert stored == sorted(c for _, c in results if c.endswith(f"for {task}"))
            assert sorted(i["seq"] for i in view["items"]) == list(range(1, 21))
    keys = KeySpace(cluster_prefix, cluster=True)
    working_keys = [keys.working("default", t) for t in tasks]
    # Each task's state and its deadline shard share a slot; the tasks are spread over the masters.
    for task, key in zip(tasks, working_keys, strict=True):
        assert redis_cluster.master_of(key) == redis_cluster.master_of(
            keys.working_deadlines_of("default", task)
        )
    assert len(masters_of(redis_cluster, working_keys)) >= 2
    client_r = cast(Redis, make_cluster_client(redis_cluster.url, 5.0))
    try:
        assert all([await client_r.exists(k) for k in working_keys])
    finally:
        await client_r.aclose()


async def test_thread_chains_across_slots(
    on_cluster: AppFactory, redis_cluster: LocalCluster, cluster_prefix: str
) -> None:
    async with on_cluster() as client:
        chain: list[str] = []
        parent = None
        for n in range(6):
            body = (
                {"parent_thread_id": parent, "scope": {"user_id": "u1"}}
                if parent
                else {"scope": {"user_id": "u1"}}
            )
            created = await client.post("/v1/threads", json=body)
            assert created.status_code == 201, created.text
            parent = created.json()["id"]
            chain.append(parent)
            for role, text in (("user", f"question {n}"), ("assistant", f"answer {n}")):
                turn = await client.post(f"/v1/threads/{parent}/turns", json={"role": role, "content": text})
                assert turn.status_code == 201, turn.text
        keys = KeySpace(cluster_prefix, cluster=True)
        assert len(masters_of(redis_cluster, [keys.thread("default", t) for t in chain])) >= 2
        history = (
            await client.get(f"/v1/threads/{chain[-1]}/history", params={"budget_tokens": 4000})
        ).json()
        contents = [t["content"] for t in history["turns"]]
        assert contents == [f"{kind} {n}" for n in range(6) for kind in ("question", "answer")]
        # Forgetting the subject finds every thread through the tenant's scope index (its own slot).
        forgotten = await client.post("/v1/forget", json={"scope": {"user_id": "u1"}})
        assert forgotten.status_code == 200, forgotten.text
        for thread in chain:
            assert (await client.get(f"/v1/threads/{thread}/history")).status_code == 404


async def test_retrieval_with_task_id_reads_the_tasks_working_memory(on_cluster: AppFactory) -> None:
    async with on_cluster() as client:
        for content in ("Brew green tea at 80 degrees.", "Steep it for two minutes.", "Use soft water."):
            assert (await client.post("/v1/working/tea/items", json={"content": content})).status_code == 201
        found = (
            await client.post("/v1/retrieve", json={"query": "how to brew tea", "task_id": "tea"})
        ).json()
        assert found["metadata"]["per_type"]["working"]["count"] == 3
        assert found["metadata"]["degraded"] == []
        assert "Steep it for two minutes." in found["context"]


async def test_two_app_instances_share_one_rate_limit(
    on_cluster: AppFactory, tmp_path: Path, empty_data_dir: Path
) -> None:
    limits = {"api_keys": TENANT_KEYS, "rate_limit_per_minute": 6, "rate_limit_burst": 10}
    second_dir = tmp_path / "second"  # each instance its own Edge data dir; Redis is what they share
    copy_sparse(empty_data_dir, second_dir)
    async with on_cluster(**limits) as first, on_cluster(data_dir=second_dir, **limits) as second:
        statuses = []
        for n in range(16):
            replica = (first, second)[n % 2]
            statuses.append((await replica.get("/v1/working/t", headers=ALPHA)).status_code)
        assert statuses.count(200) == 10 and statuses.count(429) == 6
        assert statuses[:10] == [200] * 10
        # Another tenant has its own allowance.
        assert (
            await first.get("/v1/working/t", headers={"authorization": "Bearer key-beta"})
        ).status_code == 200


async def test_ready_is_degraded_while_a_master_is_down_and_ready_after_the_failover(
    on_cluster: AppFactory, redis_cluster: LocalCluster
) -> None:
    """/ready pings every master: while one is down it answers `degraded` (200: retrievals still
    work) within the probe's bound, never a 500, and `ready` again once a replica took over."""
    async with on_cluster() as client:
        before = (await client.get("/ready")).json()
        assert before["status"] == "ready"
        assert before["dependencies"]["redis"]["masters"] == {"answering": 3, "of": 3}
        victim = next(iter(redis_cluster.masters()))
        redis_cluster.kill(victim)
        killed_at = time.monotonic()
        seen: list[tuple[float, float, str, dict[str, Any]]] = []  # (since the kill, took, status, redis)
        try:
            while time.monotonic() - killed_at < 30:
                sent = time.monotonic()
                response = await client.get("/ready")
                assert response.status_code == 200, response.text
                body = response.json()
                seen.append(
                    (sent - killed_at, time.monotonic() - sent, body["status"], body["dependencies"]["redis"])
                )
                ready = [since for since, _, status, _ in seen if status == "ready"]
                if ready and seen[-1][0] - ready[0] > 2.0:  # and for 2 s after the first `ready`
                    break
                await asyncio.sleep(0.1)
            # Writes work again once /ready says so (also to the slots the dead master served).
            for n in range(20):
                assert (
                    await client.post(f"/v1/working/after-{n}/items", json={"content": "x"})
                ).status_code == 201
        finally:
            await asyncio.to_thread(redis_cluster.restart, victim)
    statuses = [status for _, _, status, _ in seen]
    first_ready = statuses.index("ready")
    assert first_ready > 0 and set(statuses[:first_ready]) == {"degraded"}, statuses
    assert set(statuses[first_ready:]) == {"ready"}, statuses  # then ready, without flapping
    assert all(redis["masters"] == {"answering": 2, "of": 3} for *_, s, redis in seen if s == "degraded")
    assert max(took for _, took, _, _ in seen) < 2.0  # within a load balancer's probe timeout
    ready_after = seen[first_ready][0]
    assert ready_after < 15.0
    slowest = max(took for _, took, _, _ in seen)
    print(f"/ready degraded for {ready_after:.1f}s after the kill; slowest answer {slowest:.2f}s")


@pytest.mark.slow
async def test_a_master_killed_under_load_writes_come_back_within_15s(
    live_app: LiveApp,  # noqa: F811 (the fixture imported above)
    redis_cluster: LocalCluster,
    cluster_prefix: str,
) -> None:
    """A real server (requests really concurrent), 12 writers; one master is SIGKILLed."""
    keys = KeySpace(cluster_prefix, cluster=True)
    tasks = [f"load-{n}" for n in range(12)]
    victim = redis_cluster.master_of(keys.working("default", tasks[0]))
    on_victim = [t for t in tasks if redis_cluster.master_of(keys.working("default", t)) == victim]
    log: list[tuple[float, float, str, int]] = []  # (sent, answered, task, status)
    stop = asyncio.Event()
    settings = {"redis": {"url": redis_cluster.url, "cluster": True, "key_prefix": cluster_prefix}}
    async with live_app(**settings) as (url, _), httpx.AsyncClient(base_url=url, timeout=60) as http:

        async def writer(task: str) -> None:
            n = 0
            while not stop.is_set():
                sent = time.monotonic()
                response = await http.post(f"/v1/working/{task}/items", json={"content": f"{task} {n}"})
                log.append((sent, time.monotonic(), task, response.status_code))
                n += 1

        workers = [asyncio.create_task(writer(t)) for t in tasks]
        try:
            await asyncio.sleep(1.5)
            killed_at = time.monotonic()
            redis_cluster.kill(victim)
            await asyncio.sleep(20)
        finally:
            stop.set()
            await asyncio.gather(*workers)
            await asyncio.to_thread(redis_cluster.restart, victim)
        assert any(sent < killed_at and status == 201 for sent, _, _, status in log)
        back = [
            end for sent, end, task, status in log if sent > killed_at and task in on_victim and status == 201
        ]
        assert back, "no write to the dead master's slots succeeded after the failover"
        recovered_at = min(back)
        assert recovered_at - killed_at <= 15.0
        after = [(task, status) for sent, _, task, status in log if sent >= recovered_at]
        assert len(after) > 50
        assert [s for _, s in after if s >= 500] == []
        for task in on_victim:  # what was acknowledged after the failover is there
            view = (await http.get(f"/v1/working/{task}")).json()
            assert view["items"], task
        statuses = sorted({status for *_, status in log})
        assert set(statuses) <= {201, 503}, statuses  # a failover may answer 503 + Retry-After, never 500
        print(f"failover: first write back after {recovered_at - killed_at:.1f}s; statuses seen {statuses}")
