"""Opening a Qdrant Edge index leaves its dense vectors in memory once: mapped in, so the first
searches of a fresh process do not pay for mapping the pages they visit (a fresh server's
first-time questions took far more engine time than repeated ones), and not twice, which the
exact-search warm-up did where Edge had already mapped them in at load (the vectors counted twice in
the RSS)."""

from __future__ import annotations

import asyncio
import mmap
import os
import resource
import uuid
from pathlib import Path

import numpy as np
import pytest
from qdrant_edge import EdgeShard

from mnemo.backends.qdrant_edge.index import EdgeVectorIndex
from mnemo.backends.qdrant_edge.layout import live_shard_dir
from mnemo.backends.qdrant_edge.reads import (
    indexed_vector_files,
    not_mapped_in,
    prefetch_read_path,
    read_path_files,
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


def _evict(paths: list[Path]) -> None:
    """Out of the page cache (written back first: only clean pages can be dropped)."""
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def _major_faults_reading(paths: list[Path]) -> int:
    """Disk reads (major faults) this process waits for as it touches every page of the files mapped."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_majflt
    for path in paths:
        with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            for offset in range(0, len(mapped), mmap.PAGESIZE):
                mapped[offset]
    return resource.getrusage(resource.RUSAGE_SELF).ru_majflt - before


async def test_open_asks_for_what_retrievals_read_in_the_page_cache(tmp_path: Path) -> None:
    await _stored(tmp_path)
    shard = live_shard_dir(tmp_path, "warm", MemoryType.EPISODIC)
    files = read_path_files(shard)
    kinds = {p.relative_to(shard).parts[2] for p in files}
    assert {"payload_storage", "payload_index", "vector_index-dense", "vector_storage-bm25"} <= kinds
    assert "vector_storage-dense" not in kinds  # mapped in at load
    read = [p for p in files if p.stat().st_size >= 64 * 1024]  # the big ones: pages to fault in
    assert read

    _evict(read)  # cold: every page read from the disk on first touch
    cold = _major_faults_reading(read)
    if cold == 0:  # tmpfs and the like keep their pages in memory: nothing to read, nothing to prefetch
        pytest.skip("this filesystem's pages cannot be dropped from the page cache")
    assert cold >= 10
    # Readahead runs in the background, slower on a busy disk: each try gives it longer (measuring
    # faults the rest in, so a try starts cold again).
    warm = []
    for wait_s in (0.5, 2.0, 5.0):
        _evict(read)
        assert prefetch_read_path([shard]) == sum(p.stat().st_size for p in files)
        await asyncio.sleep(wait_s)
        warm.append(_major_faults_reading(read))
        if warm[-1] <= cold // 10:
            break
    assert warm[-1] <= cold // 10, (cold, warm)


def test_no_prefetch_where_it_would_take_more_than_half_the_memory_available(tmp_path: Path) -> None:
    shard = tmp_path / "shard"
    (shard / "segments" / "s" / "payload_storage").mkdir(parents=True)
    (shard / "segments" / "s" / "payload_storage" / "page_0.dat").write_bytes(b"x" * 8192)
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal: 100 kB\nMemAvailable: 12 kB\n")
    assert prefetch_read_path([shard], meminfo) == 0
    meminfo.write_text("MemTotal: 100 kB\nMemAvailable: 20 kB\n")
    assert prefetch_read_path([shard], meminfo) == 8192
