"""A data dir written with float32 vectors (before backends/qdrant_edge/layout.py stored
float16) opens, serves, and is rewritten to the current layout by a background rebuild, losing
nothing. Real Qdrant Edge and a real builder child process."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from qdrant_edge import VectorStorageDatatype

from mnemo.backends.qdrant_edge.index import EdgeVectorIndex
from mnemo.backends.qdrant_edge.layout import DENSE_DATATYPE, edge_config, stored_dense_datatype
from mnemo.memtypes.queries import MemoryFilter, SearchRequest
from mnemo.memtypes.types import MemoryType
from tests.backends.conftest import DIMENSION, PREFIX
from tests.backends.test_edge_rebuild import points

SEMANTIC = MemoryType.SEMANTIC
ACME = MemoryFilter("acme")


async def test_a_float32_shard_is_served_then_rewritten_as_float16(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    old = EdgeVectorIndex(data_dir, PREFIX, DIMENSION, optimize_threshold=10**9)
    old._config = edge_config(DIMENSION, old.indexing_threshold_kb, datatype=VectorStorageDatatype.Float32)
    pts = points(1_200, seed=3)
    await old.open()
    for start in range(0, len(pts), 400):
        await old.upsert(SEMANTIC, pts[start : start + 400])
    await old.close()
    assert stored_dense_datatype(old.shard_path(SEMANTIC)) == VectorStorageDatatype.Float32
    probe = pts[7]

    index = EdgeVectorIndex(data_dir, PREFIX, DIMENSION, optimize_threshold=10**9)
    await index.open()
    try:
        assert index.outdated == set(MemoryType)  # the old code wrote all five shards
        [before] = await index.search([SearchRequest(SEMANTIC, probe.vector, ACME, 5, 5)])
        assert before[0].id == probe.id  # served as it is meanwhile

        started = await index.build_in_background(min_unindexed=10**9)  # none pending: only the layout
        assert set(started) == set(MemoryType)
        await index.wait_for_rebuilds()

        assert index.outdated == set()
        for memory_type in MemoryType:
            assert stored_dense_datatype(index.shard_path(memory_type)) == DENSE_DATATYPE
        stored = await index.get(SEMANTIC, [p.id for p in pts], with_vector=True)
        assert {s.id: s.payload["n"] for s in stored} == {p.id: p.payload["n"] for p in pts}
        by_id = {s.id: s.vector for s in stored}
        for p in pts[:50]:  # float16 keeps each component to ~3 significant digits
            assert np.allclose(by_id[p.id], p.vector, atol=2e-3)
        [after] = await index.search([SearchRequest(SEMANTIC, probe.vector, ACME, 5, 5)])
        assert after[0].id == probe.id
        assert after[0].score > 0.999
    finally:
        await index.close()

    reopened = EdgeVectorIndex(data_dir, PREFIX, DIMENSION, optimize_threshold=10**9)
    await reopened.open()
    try:
        assert reopened.outdated == set()
        assert await reopened.build_in_background(min_unindexed=10**9) == []
    finally:
        await reopened.close()
