"""Graceful shutdown: a write in flight when SIGTERM arrives completes, is acknowledged and is on
disk; writes arriving while the service drains are refused with 503, not cut off."""

from __future__ import annotations

import asyncio
import gc
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.testing import AsyncTestClient

from mnemo.api.guards.resilience import InflightWrites
from mnemo.backends.qdrant_edge.index import EdgeVectorIndex
from mnemo.memtypes.errors import Unavailable
from mnemo.memtypes.types import MemoryType
from tests.conftest import served_redis_env
from tests.e2e.conftest import AppFactory
from tests.e2e.served_process import ServedMnemo

BATCH = 1_000  # the most one request may carry: seconds of embedding even on a quiet machine


async def test_drain_waits_for_running_writes_and_refuses_new_ones() -> None:
    inflight = InflightWrites()
    inflight.enter()

    async def finish_later() -> None:
        await asyncio.sleep(0.2)
        inflight.leave()

    finishing = asyncio.create_task(finish_later())
    started = time.monotonic()
    assert await inflight.drain(5.0)
    assert time.monotonic() - started >= 0.15
    await finishing
    with pytest.raises(Unavailable):
        inflight.enter()
    stuck = InflightWrites()
    stuck.enter()
    assert not await stuck.drain(0.05)  # bounded: gives up, says so


async def test_writes_while_draining_get_503_and_reads_still_answer(client: AsyncTestClient[Any]) -> None:
    client.app.state.inflight.draining = True
    refused = await client.post("/v1/working/t/items", json={"content": "late"})
    assert refused.status_code == 503 and refused.json()["code"] == "unavailable"
    assert refused.headers["retry-after"] == "1"
    assert (await client.get("/v1/working/t")).status_code == 200
    client.app.state.inflight.draining = False


async def test_startup_heap_is_frozen_while_serving_and_thawed_at_shutdown(app_client: AppFactory) -> None:
    # Full collections walked every object startup built (long pauses); frozen, they are skipped.
    async with app_client() as client:
        assert gc.get_freeze_count() > 100_000
        assert (await client.get("/health")).status_code == 200
    assert gc.get_freeze_count() == 0


@pytest.mark.slow
async def test_sigterm_lets_an_inflight_write_finish_durably(
    tmp_path: Path, redis_url: str, redis_prefix: str
) -> None:
    data_dir, log = tmp_path / "data", tmp_path / "serve.log"
    served = ServedMnemo(
        data_dir,
        log,
        **served_redis_env(redis_url),
        MNEMO_REDIS__KEY_PREFIX=redis_prefix,
        MNEMO_SHUTDOWN_GRACE_S="120",
    )
    try:
        async with httpx.AsyncClient(base_url=served.url, timeout=180) as http:
            await served.start_in_thread()
            memories = [
                {"type": "episodic", "content": f"Shutdown test event {i}: the nightly job {i} finished."}
                for i in range(BATCH)
            ]
            body = {"memories": memories, "prefilter": False, "dedup": False}
            write = asyncio.create_task(http.post("/v1/memories", json=body))
            await asyncio.sleep(0.3)  # the batch is being embedded now (a few seconds for 1,000 texts)
            assert not write.done(), "the write finished before the signal: the test proves nothing"
            assert served.process is not None
            served.process.send_signal(signal.SIGTERM)
            response = await write
        assert response.status_code == 201, response.text
        ids = [r["id"] for r in response.json()["results"]]
        assert len(ids) == BATCH and all(r["status"] == "created" for r in response.json()["results"])
        # uvicorn re-raises the captured SIGTERM once it has shut down cleanly: -15, not a crash.
        assert served.process.wait(timeout=120) in (0, -signal.SIGTERM)
    finally:
        served.stop()
    # The process is gone: open its data dir directly and find every acknowledged memory.
    index = EdgeVectorIndex(data_dir / "qdrant", "mnemo", 384)
    await index.open()
    try:
        assert len(await index.get(MemoryType.EPISODIC, ids)) == BATCH
    finally:
        await index.close()
    text = log.read_text()
    # The write was answered before the application (and its engines) shut down.
    assert text.index("POST /v1/memories 201") < text.index("Application shutdown complete")
    assert "Traceback" not in text
