"""Opening a Qdrant Edge index maps its dense vectors in (one exact search a shard), so the first
searches of a fresh process do not pay for mapping the pages they visit (issue 21: at 1M memories a
fresh server's first-time questions took twice the engine time of repeated ones)."""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np

from mnemo.backends.qdrant_edge.index import EdgeVectorIndex
from mnemo.backends.qdrant_edge.reads import warm_dense_vectors
from mnemo.memtypes.queries import VectorPoint
from mnemo.memtypes.types import MemoryType

DIMENSION = 384  # vectors of real size: 4,000 are ~6 MB, ~1,500 pages
POINTS = 4_000


def _minor_faults() -> int:
    """This process's minor page faults so far (/proc/self/stat, field 10)."""
    return int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[7])


def _scan_faults(index: EdgeVectorIndex) -> int:
    """Minor faults of one exact search over every episodic vector (the warm-up's own scan, which
    touches them all)."""
    before = _minor_faults()
    warm_dense_vectors(index.shard_of(MemoryType.EPISODIC), DIMENSION)
    return _minor_faults() - before


async def test_open_maps_every_dense_vector_in(tmp_path: Path) -> None:
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
    await index.close()

    # Each open is a fresh mapping of the shard's files, as in a new process.
    cold = EdgeVectorIndex(tmp_path, "warm", DIMENSION, warm_on_open=False)
    await cold.open()
    unwarmed = _scan_faults(cold)
    await cold.close()
    warm = EdgeVectorIndex(tmp_path, "warm", DIMENSION)
    await warm.open()
    warmed = _scan_faults(warm)
    await warm.close()
    assert unwarmed > 40, unwarmed  # the scan had to map the vectors' pages itself
    assert warmed < unwarmed / 10, (warmed, unwarmed)
