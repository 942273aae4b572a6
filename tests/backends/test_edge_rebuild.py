"""Rebuilding an Edge shard in a child process while the index serves (backends/qdrant_edge/builder.py).

Real engines and a real child process throughout; each test builds a small shard (a few seconds).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import uuid
from pathlib import Path

import numpy as np
import pytest

from mnemo.backends.qdrant_edge import layout as edge_layout
from mnemo.backends.qdrant_edge.builder import ShardRebuild
from mnemo.backends.qdrant_edge.index import EdgeVectorIndex
from mnemo.memtypes.queries import MemoryFilter, SearchRequest, VectorPoint
from mnemo.memtypes.types import MemoryType
from tests.backends.conftest import DIMENSION, PREFIX

SEMANTIC = MemoryType.SEMANTIC
ACME = MemoryFilter("acme")
# Over the index's indexing threshold (1,000 vectors here), so the child really builds an HNSW index.
N = 1_200


def points(n: int, seed: int) -> list[VectorPoint]:
    v = np.random.default_rng(seed).normal(size=(n, DIMENSION))
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return [
        VectorPoint(
            str(uuid.uuid4()), [float(x) for x in row], {"tenant": "acme", "superseded": False, "n": i}
        )
        for i, row in enumerate(v)
    ]


async def loaded_index(data_dir: Path, pts: list[VectorPoint]) -> EdgeVectorIndex:
    # No rebuild starts by itself: each test starts one when it wants it.
    index = EdgeVectorIndex(data_dir, PREFIX, DIMENSION, optimize_threshold=10**9)
    await index.open()
    for start in range(0, len(pts), 400):
        await index.upsert(SEMANTIC, pts[start : start + 400])
    return index


async def child_started(index: EdgeVectorIndex) -> ShardRebuild:
    """The running rebuild of the semantic shard, once its builder child exists (after the export)."""
    while (rebuild := index.rebuilds.get(SEMANTIC)) is None or rebuild.child is None:  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    return rebuild


async def test_writes_during_a_rebuild_are_all_in_the_swapped_shard(data_dir: Path) -> None:
    pts = points(N, seed=1)
    index = await loaded_index(data_dir, pts)
    expected = {p.id: dict(p.payload) for p in pts}
    try:
        assert await index.build_in_background(1) == [SEMANTIC]
        rebuild = asyncio.ensure_future(index.wait_for_rebuilds())
        fresh = iter(points(10_000, seed=2))
        rounds = 0
        # Every kind of write, over and over, through the export, the child's build and the swap.
        while not rebuild.done():
            rounds += 1
            new = [next(fresh) for _ in range(3)]
            await index.upsert(SEMANTIC, new)
            expected.update({p.id: dict(p.payload) for p in new})
            gone = next(iter(expected))
            await index.delete(SEMANTIC, [gone])
            del expected[gone]
            marked = list(expected)[rounds % len(expected)]
            await index.set_payload(SEMANTIC, [marked], {"status": f"round {rounds}"})
            expected[marked]["status"] = f"round {rounds}"
            counted = list(expected)[(rounds * 7) % len(expected)]
            await index.set_payloads(SEMANTIC, {counted: {"access_count": rounds}}, durable=False)
            expected[counted]["access_count"] = rounds
            await asyncio.sleep(0.01)
        await rebuild
        assert rounds > 10
        assert index.shard_path(SEMANTIC).name == f"{PREFIX}_semantic.g1"
        stored = await index.get(SEMANTIC, list(expected))
        assert {p.id: p.payload for p in stored} == expected
        assert await index.count(SEMANTIC, ACME) == len(expected)
        status = (await index.indexing_status())[SEMANTIC]
        assert status.indexed_vectors >= N  # built in the child: no longer brute force
    finally:
        await index.close()


async def test_points_a_payload_update_moved_out_of_the_index_bring_a_rebuild(data_dir: Path) -> None:
    """A payload update (the access-count flush, a status) rewrites its points into the shard's
    appendable segment, out of the HNSW index; each such point counts once towards the next build,
    as a new point does, so the most retrieved memories do not stay searched by brute force."""
    pts = points(N, seed=8)
    index = await loaded_index(data_dir, pts)
    try:
        await index.optimize()  # every point in the HNSW index, in place
        index.optimize_threshold = 500
        ids = [p.id for p in pts]
        await index.set_payloads(SEMANTIC, {i: {"access_count": 1} for i in ids[:400]}, durable=False)
        await index.set_payloads(SEMANTIC, {i: {"access_count": 2} for i in ids[:400]}, durable=False)
        await index.wait_for_rebuilds()
        assert index.shard_path(SEMANTIC).name == f"{PREFIX}_semantic"  # 400 points, moved twice
        await index.set_payload(SEMANTIC, ids[400:600], {"status": "done"})  # 600 > 500
        await index.wait_for_rebuilds()
        assert index.shard_path(SEMANTIC).name == f"{PREFIX}_semantic.g1"
        stored = {p.id: p.payload for p in await index.get(SEMANTIC, [ids[0], ids[450], ids[900]])}
        assert stored[ids[0]]["access_count"] == 2 and stored[ids[450]]["status"] == "done"
        assert "access_count" not in stored[ids[900]] and await index.count(SEMANTIC, ACME) == N
        await index.set_payloads(SEMANTIC, {i: {"access_count": 3} for i in ids[:400]}, durable=False)
        await index.wait_for_rebuilds()  # counted afresh from the build: 400 again, no second one
        assert index.shard_path(SEMANTIC).name == f"{PREFIX}_semantic.g1"
    finally:
        await index.close()


async def test_a_restart_after_a_swap_opens_the_built_shard(data_dir: Path) -> None:
    pts = points(N, seed=3)
    index = await loaded_index(data_dir, pts)
    await index.build_in_background(1)
    await index.wait_for_rebuilds()
    await index.upsert(SEMANTIC, later := points(5, seed=4))  # written to the swapped-in shard
    await index.close()
    assert not (data_dir / f"{PREFIX}_semantic").exists()  # the superseded shard is removed

    reopened = EdgeVectorIndex(data_dir, PREFIX, DIMENSION)
    await reopened.open()
    try:
        assert reopened.shard_path(SEMANTIC) == data_dir / f"{PREFIX}_semantic.g1"
        assert await reopened.count(SEMANTIC, ACME) == N + 5
        [hits] = await reopened.search([SearchRequest(SEMANTIC, later[0].vector, ACME, 1, 10)])
        assert hits[0].id == later[0].id
        assert (await reopened.indexing_status())[SEMANTIC].indexed_vectors >= N
    finally:
        await reopened.close()


async def test_a_killed_builder_leaves_the_live_shard_serving_and_a_later_build_succeeds(
    data_dir: Path,
) -> None:
    pts = points(N, seed=5)
    index = await loaded_index(data_dir, pts)
    try:
        await index.build_in_background(1)
        rebuild = await child_started(index)
        rebuild.child.send_signal(signal.SIGKILL)
        await index.wait_for_rebuilds()
        live = data_dir / f"{PREFIX}_semantic"
        assert index.shard_path(SEMANTIC) == live
        assert not rebuild.build_dir.exists()
        assert not rebuild.export.exists()
        assert await index.count(SEMANTIC, ACME) == N
        [hits] = await index.search([SearchRequest(SEMANTIC, pts[7].vector, ACME, 1, 10)])
        assert hits[0].id == pts[7].id

        assert await index.build_in_background(1) == [SEMANTIC]
        await index.wait_for_rebuilds()
        assert index.shard_path(SEMANTIC).name == f"{PREFIX}_semantic.g1"
        assert await index.count(SEMANTIC, ACME) == N
    finally:
        await index.close()


async def test_retrievals_during_the_swap_never_see_a_half_state(data_dir: Path) -> None:
    pts = points(N, seed=6)
    index = await loaded_index(data_dir, pts)
    probe = pts[11]
    answers = 0
    try:
        await index.build_in_background(1)
        rebuild = asyncio.ensure_future(index.wait_for_rebuilds())
        while not rebuild.done():
            count, [hits], got = await asyncio.gather(
                index.count(SEMANTIC, ACME),
                index.search([SearchRequest(SEMANTIC, probe.vector, ACME, 5, 10)]),
                index.get(SEMANTIC, [probe.id, pts[-1].id]),
            )
            assert count == N
            assert hits[0].id == probe.id
            assert {p.id for p in got} == {probe.id, pts[-1].id}
            answers += 1
        await rebuild
        assert index.shard_path(SEMANTIC).name == f"{PREFIX}_semantic.g1"
        assert answers > 10
        assert not (data_dir / f"{PREFIX}_semantic").exists()  # the old shard was closed and removed
    finally:
        await index.close()


async def test_closing_stops_a_rebuild_and_leaves_the_store_as_it_was(data_dir: Path) -> None:
    index = await loaded_index(data_dir, points(N, seed=8))
    await index.build_in_background(1)
    rebuild = await child_started(index)
    child = rebuild.child
    await index.close()
    assert child.returncode is not None  # killed, not left running
    assert not rebuild.build_dir.exists()
    reopened = EdgeVectorIndex(data_dir, PREFIX, DIMENSION)
    await reopened.open()
    try:
        assert reopened.shard_path(SEMANTIC) == data_dir / f"{PREFIX}_semantic"
        assert await reopened.count(SEMANTIC, ACME) == N
    finally:
        await reopened.close()


async def test_leftovers_of_an_interrupted_rebuild_are_removed_on_open(data_dir: Path) -> None:
    # A crash before the pointer was renamed: a half-built next generation and its export.
    half_built = data_dir / f"{PREFIX}_semantic.g1"
    half_built.mkdir()
    (half_built / "segments").mkdir()
    export = data_dir / f"{PREFIX}_semantic.g1.export"
    export.write_bytes(b"partial")
    unrelated = data_dir / f"{PREFIX}_semantic.doctor-20250101T000000"  # `mnemo doctor` keeps these
    unrelated.mkdir()
    index = EdgeVectorIndex(data_dir, PREFIX, DIMENSION)
    await index.open()
    try:
        assert index.shard_path(SEMANTIC) == data_dir / f"{PREFIX}_semantic"
        assert not half_built.exists()
        assert not export.exists()
        assert unrelated.exists()
    finally:
        await index.close()


def test_a_pointer_naming_anything_but_a_generation_is_refused(tmp_path: Path) -> None:
    (tmp_path / f"{PREFIX}_semantic.live").write_text("../../etc")
    with pytest.raises(ValueError, match="not a shard dir"):
        edge_layout.live_shard_dir(tmp_path, PREFIX, SEMANTIC)
    edge_layout.record_live(tmp_path, PREFIX, SEMANTIC, tmp_path / f"{PREFIX}_semantic.g4")
    assert edge_layout.live_shard_dir(tmp_path, PREFIX, SEMANTIC).name == f"{PREFIX}_semantic.g4"
    assert edge_layout.next_build_dir(tmp_path, PREFIX, SEMANTIC).name == f"{PREFIX}_semantic.g5"
    with contextlib.suppress(FileNotFoundError):
        assert not (tmp_path / f"{PREFIX}_semantic.live.tmp").exists()
