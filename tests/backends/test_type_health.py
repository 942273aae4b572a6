"""A storage error on one memory type is contained, visible and recovered — and the
0-byte `tracker_journal.dat` behind the original report, reproduced and prevented.

Root cause, found on qdrant-edge-py 0.9 with real files: loading a shard replays each storage's
tracker journal and *removes* it before Edge finds the write-ahead log locked by the process
serving it. The serving process's next flush then creates an empty journal, finds it shorter than
the length it remembers, and fails — on every flush after, so every durable write of the type
failed until a restart. A second process opening a live data dir (another `mnemo serve`, `mnemo
doctor`, an in-process `mnemo ingest`) is enough; mnemo now takes a lock of its own first.
"""

from __future__ import annotations

import asyncio
import random
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from mnemo.backends.qdrant_edge.index import EdgeVectorIndex
from mnemo.memtypes.errors import TypeUnavailable
from mnemo.memtypes.ports import Availability
from mnemo.memtypes.queries import SparseVector, VectorPoint
from mnemo.memtypes.types import MemoryType

DIM = 8
EPISODIC, SEMANTIC = MemoryType.EPISODIC, MemoryType.SEMANTIC


def points(n: int) -> list[VectorPoint]:
    return [
        VectorPoint(
            str(uuid.uuid4()),
            [random.random() for _ in range(DIM)],
            {"tenant": "t", "content": f"memory {i}"},
            SparseVector((random.randint(1, 5000),), (1.0,)),
        )
        for i in range(n)
    ]


def stored(index: EdgeVectorIndex, memory_type: MemoryType) -> int:
    return int(index._shard(memory_type).info().points_count)


def journals(shard_dir: Path) -> list[Path]:
    return sorted(shard_dir.glob("segments/*/*/tracker_journal.dat")) + sorted(
        shard_dir.glob("segments/*/vector_storage-*/store/tracker_journal.dat")
    )


def open_elsewhere(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)


async def test_the_engine_itself_breaks_a_live_shard_when_a_second_process_loads_it(tmp_path: Path) -> None:
    """The root cause, on the bare engine: what mnemo's lock now prevents."""
    from qdrant_edge import EdgeShard

    index = EdgeVectorIndex(tmp_path, "t", DIM)
    await index.open()
    try:
        await index.upsert(EPISODIC, points(20))
        shard: EdgeShard = index._shards[EPISODIC]
        shard.flush()
        shard_dir = index.shard_path(EPISODIC)
        assert journals(shard_dir), "a flush writes the tracker journals"
        loaded = open_elsewhere(
            "import sys\nfrom qdrant_edge import EdgeShard\ntry:\n EdgeShard.load(sys.argv[1])\n"
            "except Exception as e:\n print(e)",
            str(shard_dir),
        )
        assert "WouldBlock" in loaded.stdout  # refused on the WAL lock ...
        assert journals(shard_dir) == []  # ... after it had removed the live shard's journals
        await index.upsert(EPISODIC, points(5))
        with pytest.raises(Exception, match="shorter than expected"):
            shard.flush()
        assert [p.stat().st_size for p in journals(shard_dir)][:1] == [0]  # the 0-byte journal
    finally:
        await index.close()


async def test_a_second_mnemo_is_refused_before_it_touches_a_live_shard(tmp_path: Path) -> None:
    index = EdgeVectorIndex(tmp_path, "t", DIM)
    await index.open()
    try:
        await index.upsert(EPISODIC, points(20))
        await asyncio.to_thread(index._shards[EPISODIC].flush)
        before = {p: p.stat().st_size for p in journals(index.shard_path(EPISODIC))}
        second = open_elsewhere(
            "import asyncio, sys\nfrom pathlib import Path\n"
            "from mnemo.backends.qdrant_edge.index import EdgeVectorIndex\n"
            "from mnemo.backends.qdrant_edge.doctor import examine\n"
            "try:\n asyncio.run(EdgeVectorIndex(Path(sys.argv[1]), 't', 8).open())\n"
            "except Exception as e:\n print('serve:', e)\n"
            "try:\n examine(Path(sys.argv[1]), 't')\nexcept Exception as e:\n print('doctor:', e)",
            str(tmp_path),
        )
        assert "serve: the data dir" in second.stdout and "in use by another mnemo process" in second.stdout
        assert "doctor:" in second.stdout and "held by another process" in second.stdout
        assert {p: p.stat().st_size for p in journals(index.shard_path(EPISODIC))} == before
        await index.upsert(EPISODIC, points(5))
        await asyncio.to_thread(index._shards[EPISODIC].flush)  # the running one flushes on
        assert stored(index, EPISODIC) == 25
    finally:
        await index.close()
    reopened = EdgeVectorIndex(tmp_path, "t", DIM)  # the lock is released on close
    await reopened.open()
    await reopened.close()


def break_journals(shard_dir: Path) -> list[Path]:
    """Injected fault: each storage's tracker journal replaced by a directory of that name, so a
    flush (which appends to it) and a load (which replays it) both fail, as long as it stays."""
    broken = []
    for store in [
        *shard_dir.glob("segments/*/payload_storage"),
        *shard_dir.glob("segments/*/vector_storage-*/store"),
    ]:
        journal = store / "tracker_journal.dat"
        if journal.is_file():
            journal.unlink()
        journal.mkdir()
        broken.append(journal)
    return broken


async def test_an_engine_error_on_one_type_is_contained_and_recovered_without_a_restart(
    tmp_path: Path,
) -> None:
    index = EdgeVectorIndex(tmp_path, "t", DIM, durable_writes=True)
    await index.open()
    try:
        acknowledged = points(30)
        await index.upsert(EPISODIC, acknowledged)
        index._group_flush[EPISODIC].checkpoint_s = 0.0  # every write flushes the shard whole
        broken = break_journals(index.shard_path(EPISODIC))

        with pytest.raises(TypeUnavailable) as refused:
            await index.upsert(EPISODIC, points(3))
        assert refused.value.memory_type == "episodic" and "engine error" in refused.value.detail
        health = await index.health()
        assert health.ready and health.types["episodic"].state is Availability.UNAVAILABLE
        await index.upsert(SEMANTIC, points(4))  # the other types write on
        assert stored(index, SEMANTIC) == 4
        with pytest.raises(TypeUnavailable):  # while the fault lasts, reopening fails too
            await index.upsert(EPISODIC, points(1))
        await asyncio.sleep(1.0)
        assert index.states.of(EPISODIC).state is Availability.UNAVAILABLE
        assert "reopening the shard failed" in (index.states.of(EPISODIC).reason or "")

        for journal in broken:  # the fault goes away: the next reopen serves again, no restart
            shutil.rmtree(journal)
        await asyncio.wait_for(index.wait_for_recoveries(), 60)
        assert (await index.health()).types == {}
        await index.upsert(EPISODIC, points(2))
        total = stored(index, EPISODIC)
        assert total >= 32  # every acknowledged write is there (refused ones may be too: ids are retried)
        assert {p.id for p in await index.get(EPISODIC, [p.id for p in acknowledged])} == {
            p.id for p in acknowledged
        }
    finally:
        await index.close()
