"""What only the embedded backend has: data on disk, a one-process lock, and HNSW built on demand."""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
import pytest

from mnemo.backends.qdrant_edge.index import EdgeVectorIndex
from mnemo.memtypes.errors import Unavailable
from mnemo.memtypes.queries import MemoryFilter, SearchRequest, VectorPoint
from mnemo.memtypes.types import MemoryType
from tests.backends.conftest import DIMENSION, PREFIX

SEMANTIC = MemoryType.SEMANTIC


def unit_vectors(n: int, seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, DIMENSION))
    unit: np.ndarray = v / np.linalg.norm(v, axis=1, keepdims=True)
    return unit


def make_points(vectors: np.ndarray, tenant: str = "acme") -> list[VectorPoint]:
    return [
        VectorPoint(str(uuid.uuid4()), [float(x) for x in v], {"tenant": tenant, "superseded": False, "n": i})
        for i, v in enumerate(vectors)
    ]


async def test_data_survives_close_and_reopen(data_dir: Path) -> None:
    pts = make_points(unit_vectors(20, seed=1))
    first = EdgeVectorIndex(data_dir, PREFIX, DIMENSION)
    await first.open()
    await first.upsert(SEMANTIC, pts)
    await first.set_payload(SEMANTIC, [pts[0].id], {"status": "done"})
    await first.close()
    assert not await first.ready()

    second = EdgeVectorIndex(data_dir, PREFIX, DIMENSION)
    await second.open()
    try:
        assert await second.ready()
        assert await second.count(SEMANTIC, MemoryFilter("acme")) == 20
        [got] = await second.get(SEMANTIC, [pts[0].id])
        assert got.payload == {**pts[0].payload, "status": "done"}
        [hits] = await second.search([SearchRequest(SEMANTIC, pts[5].vector, MemoryFilter("acme"), 1, 10)])
        assert hits[0].id == pts[5].id
        # Payload indexes are not re-created (or lost) on load.
        assert await second.count(SEMANTIC, MemoryFilter("acme", include_superseded=True)) == 20
    finally:
        await second.close()


async def test_second_open_of_a_dir_in_use_is_unavailable(data_dir: Path) -> None:
    first = EdgeVectorIndex(data_dir, PREFIX, DIMENSION)
    await first.open()
    try:
        with pytest.raises(Unavailable) as caught:
            await EdgeVectorIndex(data_dir, PREFIX, DIMENSION).open()
        assert caught.value.dependency == "qdrant_edge"
        assert "in use by another mnemo process" in caught.value.detail
        # The failed open took nothing away from the one that holds the dir.
        await first.upsert(SEMANTIC, make_points(unit_vectors(1, seed=2)))
        assert await first.count(SEMANTIC, MemoryFilter("acme")) == 1
    finally:
        await first.close()


async def test_a_shard_of_another_dimension_is_refused(data_dir: Path) -> None:
    first = EdgeVectorIndex(data_dir, PREFIX, DIMENSION)
    await first.open()
    await first.close()
    with pytest.raises(Exception, match="vector size"):
        await EdgeVectorIndex(data_dir, PREFIX, DIMENSION * 2).open()
    # and the refused open released what it had opened, so the right one still opens
    again = EdgeVectorIndex(data_dir, PREFIX, DIMENSION)
    await again.open()
    await again.close()


def exact_top(vectors: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    return [int(i) for i in np.argsort(-(vectors @ query))[:k]]


async def test_optimize_builds_hnsw_and_search_stays_correct(data_dir: Path) -> None:
    index = EdgeVectorIndex(data_dir, PREFIX, DIMENSION)
    await index.open()
    try:
        vectors = unit_vectors(4000, seed=3)
        pts = make_points(vectors)
        others = make_points(unit_vectors(500, seed=4), tenant="globex")
        for start in range(0, len(pts), 1000):
            await index.upsert(SEMANTIC, pts[start : start + 1000])
        await index.upsert(SEMANTIC, others)
        assert (await index.indexing_status())[SEMANTIC].indexed_vectors == 0  # Edge does not index by itself

        await index.optimize()
        status = (await index.indexing_status())[SEMANTIC]
        assert status.points == 4500
        assert status.indexed_vectors > 0

        queries = unit_vectors(20, seed=5)
        requests = [
            SearchRequest(SEMANTIC, [float(x) for x in q], MemoryFilter("acme"), 10, 10) for q in queries
        ]
        results = await index.search(requests)
        found = 0
        for q, hits in zip(queries, results, strict=True):
            assert all(h.payload["tenant"] == "acme" for h in hits)
            expected = exact_top(vectors, q, 10)
            assert hits[0].id == pts[expected[0]].id
            found += len({h.id for h in hits} & {pts[i].id for i in expected})
        assert found >= 0.95 * 200  # HNSW is approximate; at this size it should miss almost nothing
    finally:
        await index.close()


async def test_upserts_past_the_threshold_schedule_one_background_rebuild(data_dir: Path) -> None:
    index = EdgeVectorIndex(data_dir, PREFIX, DIMENSION, optimize_threshold=1500)
    await index.open()
    pts = make_points(unit_vectors(3000, seed=6))
    await index.upsert(SEMANTIC, pts[:1000])
    assert SEMANTIC not in index._background  # below the threshold: nothing scheduled
    await index.upsert(SEMANTIC, pts[1000:])
    task = index._background.get(SEMANTIC)
    assert task is not None
    await index.upsert(SEMANTIC, make_points(unit_vectors(10, seed=7)))
    assert index._background.get(SEMANTIC) in (task, None)  # never a second one while it runs
    await index.wait_for_rebuilds()  # built in a child process and swapped in (close would stop it)
    assert task.done() and task.exception() is None
    assert index.shard_path(SEMANTIC).name == f"{PREFIX}_semantic.g1"
    await index.close()

    reopened = EdgeVectorIndex(data_dir, PREFIX, DIMENSION)
    await reopened.open()
    try:
        status = (await reopened.indexing_status())[SEMANTIC]
        assert status.points == 3010
        assert status.indexed_vectors >= 3000
    finally:
        await reopened.close()
