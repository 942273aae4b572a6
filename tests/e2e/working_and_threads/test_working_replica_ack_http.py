"""Working-memory writes acknowledged by Redis replicas (MNEMO_WORKING__ACK_REPLICAS: WAIT on the
write's own connection), on the real 6-node cluster (3 masters, 1 replica each; tests/redis_cluster.py)
and on a single Redis (no replicas; the embedded one refuses the setting:
tests/unit/test_settings_groups.py). Fewer acknowledgements than asked: 201, the item kept, and the
answer's `replication` says how many replicas have it."""

from __future__ import annotations

import asyncio
import time
from typing import Any, cast

import pytest
import redis

from mnemo.backends.redis.keys import KeySpace
from tests.conftest import _on_cluster
from tests.e2e.conftest import AppFactory
from tests.redis_cluster import LocalCluster

ACK_TIMEOUT_MS = 200


def acknowledged_by(replicas: int, timeout_ms: int = ACK_TIMEOUT_MS) -> dict[str, Any]:
    return {"working": {"ack_replicas": replicas, "ack_timeout_ms": timeout_ms}}


@pytest.fixture
def on_cluster(app_client: AppFactory, redis_cluster: LocalCluster, cluster_prefix: str) -> AppFactory:
    def open_client(**overrides: Any) -> Any:
        base = {"redis": {"url": redis_cluster.url, "cluster": True, "key_prefix": cluster_prefix}}
        return app_client(**base, **overrides)

    return open_client


def replica_of(cluster: LocalCluster, master: int) -> int:
    return int(cluster.node(master).info("replication")["slave0"]["port"])


def read_on_replica(port: int, key: str) -> str | None:
    """The key as the replica has it now (READONLY: a cluster replica serves reads of its master's slots)."""
    replica = redis.Redis(port=port, socket_timeout=1.0, decode_responses=True, single_connection_client=True)
    try:
        replica.execute_command("READONLY")
        return cast(str | None, replica.get(key))
    finally:
        replica.close()


async def test_appends_and_clear_are_acknowledged_by_the_replica_before_they_are_answered(
    on_cluster: AppFactory, redis_cluster: LocalCluster, cluster_prefix: str
) -> None:
    keys = KeySpace(cluster_prefix, cluster=True)
    async with on_cluster(**acknowledged_by(1)) as client:
        for n in range(5):
            task = f"acked-{n}"
            replica = replica_of(redis_cluster, redis_cluster.master_of(keys.working("default", task)))
            body = {"content": f"step {n}", "scope": {"user_id": "u1"}}
            appended = await client.post(f"/v1/working/{task}/items", json=body)
            assert appended.status_code == 201, appended.text
            assert appended.json()["replication"] == {"asked": 1, "acknowledged": 1}
            # What was answered is on the replica already: no waiting, no polling.
            on_replica = read_on_replica(replica, keys.working("default", task))
            assert on_replica is not None and f"step {n}" in on_replica
        cleared = await client.delete("/v1/working/acked-0")
        assert cleared.status_code == 200, cleared.text
        assert cleared.json()["replication"] == {"asked": 1, "acknowledged": 1}
        assert cleared.json()["archived"] == 1
        # Forgetting the subject finds the tasks through the scope index written before them.
        assert (await client.post("/v1/forget", json={"scope": {"user_id": "u1"}})).status_code == 200
        assert (await client.get("/v1/working/acked-1")).json()["items"] == []


async def test_without_the_setting_answers_carry_no_replication(on_cluster: AppFactory) -> None:
    async with on_cluster() as client:
        appended = await client.post("/v1/working/plain/items", json={"content": "x"})
        assert appended.status_code == 201 and appended.json()["replication"] is None


async def test_more_replicas_than_the_cluster_has_wait_the_timeout_then_say_so_and_keep_the_write(
    on_cluster: AppFactory,
) -> None:
    """Each master has one replica; asking for two can never be met: every write waits the whole
    timeout, is kept (on the master and its one replica) and answers 201 with what was reached."""
    async with on_cluster(**acknowledged_by(2)) as client:
        for n in range(3):
            started = time.monotonic()
            appended = await client.post("/v1/working/short/items", json={"content": f"kept {n}"})
            took = time.monotonic() - started
            assert appended.status_code == 201, appended.text
            assert appended.json()["replication"] == {"asked": 2, "acknowledged": 1}
            assert took >= ACK_TIMEOUT_MS / 1000
        view = (await client.get("/v1/working/short")).json()
        assert sorted(i["content"] for i in view["items"]) == ["kept 0", "kept 1", "kept 2"]


@pytest.mark.skipif(_on_cluster(), reason="needs the single test Redis (no replicas)")
async def test_a_single_redis_without_replicas_answers_none_acknowledged(app_client: AppFactory) -> None:
    async with app_client(**acknowledged_by(1, timeout_ms=50)) as client:
        appended = await client.post("/v1/working/lonely/items", json={"content": "still stored"})
        assert appended.status_code == 201, appended.text
        assert appended.json()["replication"] == {"asked": 1, "acknowledged": 0}
        view = (await client.get("/v1/working/lonely")).json()
        assert [i["content"] for i in view["items"]] == ["still stored"]


@pytest.mark.slow
async def test_acknowledged_appends_survive_their_master_being_killed(
    on_cluster: AppFactory, redis_cluster: LocalCluster, cluster_prefix: str
) -> None:
    """What the setting is for: every append answered with `acknowledged: 1` before a master is
    SIGKILLed is on the replica that takes over. During the failover appends wait (the gateway's
    retries: a MOVED or a lost node reloads the slot map) or get 503, never a 500; the promoted
    master has no replica until the dead node rejoins, so its writes answer `acknowledged: 0`."""
    keys = KeySpace(cluster_prefix, cluster=True)
    victim = redis_cluster.master_of(keys.working("default", "survivor"))
    async with on_cluster(**acknowledged_by(1)) as client:
        for n in range(20):
            appended = await client.post("/v1/working/survivor/items", json={"content": f"before {n}"})
            assert appended.json()["replication"] == {"asked": 1, "acknowledged": 1}
        redis_cluster.kill(victim)
        try:
            statuses, after = [], []
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and len(after) < 3:
                appended = await client.post("/v1/working/survivor/items", json={"content": "after"})
                statuses.append(appended.status_code)
                if appended.status_code == 201:
                    after.append(appended.json()["replication"])
            assert set(statuses) <= {201, 503}, statuses
            assert after and all(r == {"asked": 1, "acknowledged": 0} for r in after), after
            view = (await client.get("/v1/working/survivor")).json()
            contents = [i["content"] for i in view["items"]]
            assert [f"before {n}" for n in range(20)] == [c for c in reversed(contents) if c != "after"]
        finally:
            await asyncio.to_thread(redis_cluster.restart, victim)
        # The dead node rejoined as the new master's replica: writes are acknowledged again (the
        # first few may still come back short while a loaded machine lets it catch up).
        rejoined = []
        for _ in range(20):
            appended = await client.post("/v1/working/survivor/items", json={"content": "rejoined"})
            rejoined.append(appended.json()["replication"]["acknowledged"])
            if rejoined[-1] == 1:
                break
        assert rejoined[-1] == 1, rejoined
