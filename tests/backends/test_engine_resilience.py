"""Durable Edge writes (the log synced before the acknowledgement, shared by concurrent writers; a
full flush at most every checkpoint interval) and the circuit breaker around a Qdrant server, on
real engines."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
import uuid
from pathlib import Path

import numpy as np
import pytest
from qdrant_client import AsyncQdrantClient

from mnemo.backends.qdrant_edge.index import EdgeVectorIndex
from mnemo.backends.qdrant_server.breaker import BreakerGuardedIndex
from mnemo.backends.qdrant_server.index import QdrantClientVectorIndex
from mnemo.memtypes.errors import Unavailable
from mnemo.memtypes.queries import VectorPoint
from mnemo.memtypes.types import MemoryType
from tests.backends.conftest import DIMENSION, PREFIX
from tests.served import free_port

SEMANTIC = MemoryType.SEMANTIC


def point(i: int) -> VectorPoint:
    vector = np.random.default_rng(i).normal(size=DIMENSION)
    payload = {"tenant": "t", "type": "semantic", "content": f"memory {i}"}
    return VectorPoint(str(uuid.UUID(int=i + 1)), (vector / np.linalg.norm(vector)).tolist(), payload)


@pytest.mark.parametrize("durable", [True, False])
async def test_durable_writes_flush_before_returning_and_share_flushes(data_dir: Path, durable: bool) -> None:
    index = EdgeVectorIndex(data_dir, PREFIX, DIMENSION, durable_writes=durable)
    await index.open()
    try:
        flusher = index._group_flush[SEMANTIC]
        await index.upsert(SEMANTIC, [point(0)])
        assert flusher.flushes == (1 if durable else 0)
        await asyncio.gather(*(index.upsert(SEMANTIC, [point(i)]) for i in range(1, 41)))
        await index.set_payload(SEMANTIC, [point(1).id], {"importance": 0.9})
        await index.delete(SEMANTIC, [point(2).id])
        if durable:
            # Every write waited for a flush, but concurrent writers shared them.
            assert 2 < flusher.flushes < 1 + 40 + 2
        else:
            assert flusher.flushes == 0
        stored = await index.get(SEMANTIC, [point(i).id for i in range(41)])
        assert len(stored) == 40
        # The log was synced; the shard was never flushed whole (that holds the GIL for its length).
        assert flusher.checkpoints == 0
        if durable:
            flusher.checkpoint_s = 0.0  # the interval is up: the next write's sync is a full flush
            await index.upsert(SEMANTIC, [point(50)])
            assert flusher.checkpoints == 1
        # Bookkeeping (access counts) asks for no flush: one per update stalled every request.
        before = flusher.flushes
        await index.set_payload(SEMANTIC, [point(3).id], {"access_count": 1}, durable=False)
        assert flusher.flushes == before
        [touched] = await index.get(SEMANTIC, [point(3).id])
        assert touched.payload["access_count"] == 1
    finally:
        await index.close()


_KILLED_WRITER = """
import asyncio, os, signal, sys
from mnemo.backends.qdrant_edge.index import EdgeVectorIndex
from mnemo.memtypes.types import MemoryType
from tests.backends.test_engine_resilience import DIMENSION, PREFIX, point

async def main() -> None:
    index = EdgeVectorIndex(sys.argv[1], PREFIX, DIMENSION, durable_writes=True)
    await index.open()
    for i in range(30):
        await index.upsert(MemoryType.SEMANTIC, [point(i)])
    await index.set_payload(MemoryType.SEMANTIC, [point(3).id], {"importance": 0.9})
    await index.delete(MemoryType.SEMANTIC, [point(4).id])
    assert index._group_flush[MemoryType.SEMANTIC].checkpoints == 0
    os.kill(os.getpid(), signal.SIGKILL)  # acknowledged, never flushed whole, never closed

asyncio.run(main())
"""


async def test_acknowledged_writes_survive_a_killed_process_that_never_flushed(data_dir: Path) -> None:
    # Acknowledged writes that only the log holds (no checkpoint ran) are replayed on the next open.
    writer = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _KILLED_WRITER, str(data_dir), cwd=Path(__file__).parents[2]
    )
    assert await writer.wait() == -signal.SIGKILL
    index = EdgeVectorIndex(data_dir, PREFIX, DIMENSION)
    await index.open()
    try:
        stored = {p.id: p.payload for p in await index.get(SEMANTIC, [point(i).id for i in range(30)])}
        assert len(stored) == 29 and point(4).id not in stored
        assert stored[point(3).id]["importance"] == 0.9
    finally:
        await index.close()


async def test_breaker_opens_on_an_unreachable_qdrant_server_and_fails_fast() -> None:
    unreachable = f"http://127.0.0.1:{free_port()}"  # a free port: nothing listens on it
    client = AsyncQdrantClient(url=unreachable, timeout=1, check_compatibility=False)
    index = BreakerGuardedIndex(QdrantClientVectorIndex(client, PREFIX, DIMENSION), failures=2, reset_s=30)
    try:
        for attempt in range(2):
            with pytest.raises(Unavailable) as failed:
                await index.get(SEMANTIC, [point(0).id])
            assert failed.value.dependency == "qdrant" and failed.value.retry_after_s == 30
            if attempt == 0:  # the engine's own problem is the cause, left as it was raised
                engine_error = failed.value.__cause__
                assert isinstance(engine_error, Unavailable) and engine_error.retry_after_s != 30
        assert index.breaker_state == "open"
        started = time.monotonic()
        with pytest.raises(Unavailable, match="circuit open"):
            await index.upsert(SEMANTIC, [point(0)])
        assert time.monotonic() - started < 0.1
        assert not await index.ready()
    finally:
        await index.close()


async def test_breaker_passes_calls_through_while_the_server_answers() -> None:
    inner = QdrantClientVectorIndex(AsyncQdrantClient(location=":memory:"), PREFIX, DIMENSION)
    index = BreakerGuardedIndex(inner, failures=1, reset_s=1)
    await index.open()
    try:
        await index.upsert(SEMANTIC, [point(0)])
        assert [p.id for p in await index.get(SEMANTIC, [point(0).id])] == [point(0).id]
        assert await index.ready() and index.breaker_state == "closed"
    finally:
        await index.close()
