"""Opening a Qdrant Edge index leaves its dense vectors in memory once: mapped in, so the first
searches of a fresh process do not pay for mapping the pages they visit (a fresh server's
first-time questions took far more engine time than repeated ones), and not twice, which the
exact-search warm-up did where Edge had already mapped them in at load (the vectors counted twice in
the RSS)."""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
from qdrant_edge import EdgeShard

from mnemo.backends.qdrant_edge.index import EdgeVectorIndex
from mnemo.backends.qdrant_edge.layout import live_shard_dir
from mnemo.backends.qdrant_edge.reads import (
    indexed_vector_files,
    not_mapped_in,
    resident_bytes,
    warm_dense_vectors,
)
from mnemo.memtypes.queries import VectorPoint
from mnemo.memtypes.types import MemoryType

DIMENSION = 384  # vectors of real size: 8,000 are ~6 MB in float16, ~1,500 pages
POINTS = 8_000


def _resident(files: dict[str, int]) -> int:
    """Bytes of these files resident in this process, summed over every mapping of each."""
    resident = resident_bytes(files)
    assert resident is not None
    return sum(resident.values())


async def _stored(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(POINTS, DIMENSION)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = EdgeVectorIndex(tmp_path, "warm", DIMENSION)
    await index.open()
    for start in range(0, POINTS, 2_000):
        points = [
            VectorPoint(str(uuid.uuid4()), v.tolist(), {"tenant": "t", "superseded": False})
            for v in vectors[start : start + 2_000]
        ]
        await index.upsert(MemoryType.EPISODIC, points)
    await index.optimize()  # into an indexed segment, as a rebuild leaves every shard
    await index.close()


async def test_open_leaves_every_dense_vector_in_memory_once(tmp_path: Path) -> None:
    await _stored(tmp_path)
    index = EdgeVectorIndex(tmp_path, "warm", DIMENSION)  # a fresh mapping, as in a new process
    await index.open()
    try:
        files = indexed_vector_files(index.shard_path(MemoryType.EPISODIC))
        size = sum(files.values())
        assert size >= POINTS * DIMENSION * 2
        resident = _resident(files)
        assert 0.9 * size <= resident <= 1.1 * size, (resident, size)
        assert not_mapped_in({"episodic": index.shard_path(MemoryType.EPISODIC)}) == []
    finally:
        await index.close()


async def test_the_scan_maps_the_vectors_a_second_time_where_the_load_mapped_them_in(
    tmp_path: Path,
) -> None:
    """Why the scan must not run where the load mapped the vectors in: its own mapping counts them
    again. Whether the load maps them in depends on the engine and the kernel (Edge 0.9 on Linux
    6.18 does); where it does not, the scan is what maps them in."""
    await _stored(tmp_path)
    shard_dir = live_shard_dir(tmp_path, "warm", MemoryType.EPISODIC)
    files = indexed_vector_files(shard_dir)
    size = sum(files.values())
    shard = EdgeShard.load(str(shard_dir))  # the engine alone: no index, no warm-up
    try:
        loaded = _resident(files)
        warm_dense_vectors(shard, DIMENSION)
        scanned = _resident(files)
    finally:
        shard.close()
    if loaded >= 0.9 * size:
        assert scanned >= 1.8 * loaded, (loaded, scanned)
    else:
        assert scanned >= 0.9 * size, (loaded, scanned, size)


async def test_shards_are_warmed_where_smaps_cannot_be_read_and_not_without_indexed_vectors(
    tmp_path: Path,
) -> None:
    await _stored(tmp_path)
    episodic = live_shard_dir(tmp_path, "warm", MemoryType.EPISODIC)
    working = live_shard_dir(tmp_path, "warm", MemoryType.WORKING)
    assert not_mapped_in({"episodic": episodic}, smaps=tmp_path / "no-smaps") == ["episodic"]
    assert not_mapped_in({"episodic": episodic}) == ["episodic"]  # nothing is loaded in this process
    assert not_mapped_in({"working": working}, smaps=tmp_path / "no-smaps") == []  # nothing indexed
