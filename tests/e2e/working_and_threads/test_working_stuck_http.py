"""Working memory never sticks, on the real app and a real Redis: what the door accepts can
always be archived; a task the sweeper cannot archive is quarantined, retried and counted while every
other task (any tenant's) is still swept; a forced clear unblocks even an unreadable task."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from mnemo.backends.redis.keys import KeySpace
from mnemo.backends.redis.working import EXPIRED_GRACE_S
from mnemo.memtypes.records import utcnow
from mnemo.sessions.working import WorkingItem, WorkingState
from mnemo_client import AsyncMnemo, Conflict
from tests.e2e.conftest import AppFactory
from tests.e2e.working_and_threads.test_working_http import append, archived, wait_for


def nested(levels: int) -> dict[str, Any]:
    """A dict nesting `levels` levels of dicts (the outermost counts as one)."""
    value: dict[str, Any] = {"leaf": 1}
    for _ in range(levels - 1):
        value = {"n": value}
    return value


async def plant(
    redis_client: Redis, keys: KeySpace, tenant: str, task_id: str, raw: str, due_ago_s: float
) -> None:
    """Store a task's state as an older version (or a hand edit) left it, due `due_ago_s` ago."""
    await redis_client.set(keys.working(tenant, task_id), raw, px=EXPIRED_GRACE_S * 1000)
    due = time.time() - due_ago_s
    await redis_client.zadd(
        keys.working_deadlines_of(tenant, task_id), {keys.deadline_member(tenant, task_id): due}
    )


def legacy_state(metadata: dict[str, Any], expired: bool) -> str:
    now = utcnow()
    item = WorkingItem(
        id="a" * 32,
        seq=1,
        content="The invoice total was 128 EUR.",
        priority=7,
        tokens=8,
        line_tokens={"cl100k_base": 12},
        created_at=now - timedelta(minutes=5),
        metadata=metadata,
    )
    expires = now - timedelta(seconds=1) if expired else now + timedelta(hours=1)
    return WorkingState(items=[item], next_seq=2, expires_at=expires).model_dump_json()


async def test_the_door_refuses_metadata_its_archive_could_not_hold(client: AsyncTestClient[Any]) -> None:
    refused = await client.post("/v1/working/deep/items", json={"content": "x y z", "metadata": nested(32)})
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["errors"][0]["field"] == "metadata"
    assert "archive" in problem["errors"][0]["message"]

    await append(client, "deep", "Step one of the deep task.", metadata=nested(31))
    cleared = await client.delete("/v1/working/deep")
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["archived"] == 1
    (record,) = await archived(client, "deep")
    assert record["metadata"]["item"] == nested(31)


async def test_an_item_stored_before_the_door_checked_is_archived_with_its_metadata_as_text(
    app_client: AppFactory, redis_client: Redis, redis_keys: KeySpace
) -> None:
    async with app_client(working={"sweep_interval_s": 0.2}) as client:
        await plant(
            redis_client, redis_keys, "default", "legacy-live", legacy_state(nested(32), False), -3600
        )
        await plant(redis_client, redis_keys, "default", "legacy-due", legacy_state(nested(32), True), 1)

        cleared = await client.delete("/v1/working/legacy-live")  # was a 500
        assert cleared.status_code == 200, cleared.text
        (record,) = await archived(client, "legacy-live")
        assert record["content"] == "The invoice total was 128 EUR."
        assert record["metadata"]["reason"] == "cleared"
        assert json.loads(record["metadata"]["item_json"]) == nested(32)

        async def swept() -> bool:
            return await redis_client.exists(redis_keys.working("default", "legacy-due")) == 0

        await wait_for(swept)  # archived first, then dropped
        (record,) = await archived(client, "legacy-due")
        assert record["metadata"]["reason"] == "expired"


async def test_a_task_the_sweeper_cannot_archive_is_quarantined_and_spares_the_others(
    app_client: AppFactory, redis_client: Redis, redis_keys: KeySpace
) -> None:
    async with app_client(working={"ttl_s": 0.5, "sweep_interval_s": 0.2}) as client:
        # Another tenant's task, unreadable, due long before anything else.
        await plant(redis_client, redis_keys, "other-tenant", "garbled", '{"items": [{"id": ', 60)
        for n in range(3):
            await append(client, f"fine-{n}", f"Observation {n} of a healthy task.")

        async def all_swept() -> bool:
            return all([len(await archived(client, f"fine-{n}")) == 1 for n in range(3)])

        await wait_for(all_swept)  # before: the first failure stopped every pass

        member = redis_keys.deadline_member("other-tenant", "garbled")
        failures = await redis_client.hget(redis_keys.working_quarantine, member)
        assert failures is not None and int(failures) >= 1
        retry_at = await redis_client.zscore(
            redis_keys.working_deadlines_of("other-tenant", "garbled"), member
        )
        assert retry_at is not None and retry_at > time.time() - 5  # moved from 60 s ago: due later
        # Backed off: over 3 s of 0.2 s passes (15) it is retried after 0.4, 0.8, 1.6 s, not each pass.
        await asyncio.sleep(3.0)
        failures_after = int(await redis_client.hget(redis_keys.working_quarantine, member) or 0)
        assert int(failures) < failures_after <= int(failures) + 4
        # Kept alive while quarantined: Redis will not drop what was never archived.
        ttl_ms = await redis_client.pttl(redis_keys.working("other-tenant", "garbled"))
        assert ttl_ms > EXPIRED_GRACE_S * 1000 - 60_000

        metrics = (await client.get("/metrics")).text
        assert _sample(metrics, "mnemo_working_sweep_failures_total") >= 1
        assert _sample(metrics, "mnemo_working_quarantined_tasks") == 1


async def test_a_forced_clear_archives_an_unreadable_task_and_ends_its_quarantine(
    app_client: AppFactory, redis_client: Redis, redis_keys: KeySpace
) -> None:
    raw = '{"items": [{"content": "half a state'
    async with app_client(working={"sweep_interval_s": 0.2}) as client:
        await plant(redis_client, redis_keys, "default", "garbled", raw, 60)
        member = redis_keys.deadline_member("default", "garbled")

        async def quarantined() -> bool:
            return await redis_client.hget(redis_keys.working_quarantine, member) is not None

        await wait_for(quarantined)
        appended = await client.post("/v1/working/garbled/items", json={"content": "one more step"})
        assert appended.status_code == 409, appended.text
        assert appended.json()["code"] == "unreadable_task"
        # Through mnemo-client, as an operator would: refused without `force`, cleared with it.
        task = AsyncMnemo(http_client=client).working("garbled")
        with pytest.raises(Conflict) as refused:
            await task.clear()
        assert refused.value.code == "unreadable_task" and "force=true" in refused.value.detail
        forced = await task.clear(force=True)
        assert (forced.task_id, forced.archived) == ("garbled", 1)
        (record,) = await archived(client, "garbled")
        assert record["content"] == raw and record["metadata"]["reason"] == "unreadable"
        assert await redis_client.exists(redis_keys.working("default", "garbled")) == 0
        assert not await quarantined()
        # The task is usable again.
        await append(client, "garbled", "A fresh start for the task.")


def _sample(metrics: str, name: str) -> float:
    for line in metrics.splitlines():
        if line.startswith(f"{name} ") or line.startswith(f"{name}{{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in /metrics")
