"""Qdrant Edge in a process of its own (`backends/qdrant_edge/process.py`): what only the process adds.
Every `VectorIndex` scenario also runs on it (tests/backends/conftest.py, "edge_process")."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import pytest

from mnemo.backends.qdrant_edge import process as edge_process
from mnemo.backends.qdrant_edge.process import EdgeProcessIndex
from mnemo.memtypes.errors import Unavailable
from mnemo.memtypes.queries import MemoryFilter
from mnemo.memtypes.types import MemoryType
from tests.backends.conftest import DIMENSION, PREFIX
from tests.backends.test_engine_resilience import point

SEMANTIC = MemoryType.SEMANTIC


@pytest.fixture
async def index(data_dir: Path) -> EdgeProcessIndex:
    return EdgeProcessIndex(data_dir, PREFIX, DIMENSION, durable_writes=True)


async def test_concurrent_calls_are_answered_each_to_its_caller(index: EdgeProcessIndex) -> None:
    await index.open()
    try:
        await index.upsert(SEMANTIC, [point(i) for i in range(30)])
        ids = [[point(i).id] for i in range(30)]
        found = await asyncio.gather(*(index.get(SEMANTIC, one) for one in ids))
        # Answers come back in any order; each reaches the call that asked for it.
        assert [[p.id for p in points] for points in found] == ids
        assert await index.count(SEMANTIC, MemoryFilter(tenant="t", include_superseded=True)) == 30
    finally:
        await index.close()


async def test_errors_cross_as_themselves_and_a_closed_index_is_unavailable(index: EdgeProcessIndex) -> None:
    await index.open()
    await index.close()
    with pytest.raises(Unavailable):
        await index.count(SEMANTIC, MemoryFilter(tenant="t", include_superseded=True))
    assert not await index.ready()


async def test_a_killed_engine_process_fails_calls_then_a_new_one_serves_what_was_acknowledged(
    index: EdgeProcessIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(edge_process, "_RESTART_AFTER_S", 3600.0)
    await index.open()
    try:
        await index.upsert(SEMANTIC, [point(i) for i in range(5)])  # durable: acknowledged once logged
        assert index._child is not None
        os.kill(index._child.pid, signal.SIGKILL)
        await asyncio.to_thread(index._child.wait)
        assert not await index.ready()
        with pytest.raises(Unavailable):  # too soon after the last start: no restart loop
            await index.count(SEMANTIC, MemoryFilter(tenant="t", include_superseded=True))
        monkeypatch.setattr(edge_process, "_RESTART_AFTER_S", 0.0)  # as if that time had passed
        # The next call starts a new engine process, which opens the shards and replays their logs.
        assert len(await index.get(SEMANTIC, [point(i).id for i in range(5)])) == 5
        assert await index.ready()
    finally:
        await index.close()


async def test_the_engine_process_exits_when_its_pipe_closes(index: EdgeProcessIndex) -> None:
    """What happens when the serving process dies: the child reads end-of-file, closes the shards
    (flushed) and exits, so it never outlives the service holding the data dir's locks."""
    await index.open()
    child = index._child
    assert child is not None and index._conn is not None
    index._conn.close()
    assert await asyncio.to_thread(child.wait, 30) == 0
    index._open = False  # nothing left to close
