"""The payload cache of Qdrant Edge searches (backends/qdrant_edge/payload_cache.py): searches read
payloads from it, and no write can leave a stale payload behind, also when searches and writes overlap."""

from __future__ import annotations

import asyncio
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest

from mnemo.backends.qdrant_edge import payload_cache
from mnemo.backends.qdrant_edge.index import EdgeVectorIndex
from mnemo.backends.qdrant_edge.payload_cache import PayloadCache
from mnemo.memtypes.queries import MemoryFilter, SearchRequest
from mnemo.memtypes.types import MemoryType
from tests.backends.conftest import DIMENSION, PREFIX
from tests.backends.test_vector_index import payload, points, unit_vectors
from tests.conftest import copy_sparse

SEMANTIC = MemoryType.SEMANTIC
FLT = MemoryFilter(tenant="acme")


def test_a_read_that_overlapped_a_write_is_not_kept() -> None:
    cache = PayloadCache(capacity=10)
    seen = cache.generation(SEMANTIC)
    cache.invalidate(SEMANTIC, ["a"])  # a write began after the read started
    cache.store(SEMANTIC, {"a": {"content": "old"}}, seen)
    assert cache.lookup(SEMANTIC, ["a"]) == ({}, ["a"])
    cache.store(SEMANTIC, {"a": {"content": "new"}}, cache.generation(SEMANTIC))
    assert cache.lookup(SEMANTIC, ["a"])[0] == {"a": {"content": "new"}}


def test_bounded_least_recently_used_first_and_per_type() -> None:
    cache = PayloadCache(capacity=2)
    cache.store(SEMANTIC, {"a": {"n": 1}, "b": {"n": 2}}, 0)
    cache.lookup(SEMANTIC, ["a"])  # a is now the most recently used
    cache.store(SEMANTIC, {"c": {"n": 3}}, 0)
    assert cache.lookup(SEMANTIC, ["a", "b", "c"])[1] == ["b"]
    cache.store(MemoryType.EPISODIC, {"a": {"n": 9}}, 0)  # same id, another type: another entry
    cache.invalidate(SEMANTIC)  # every semantic payload
    assert len(cache) == 1 and cache.lookup(MemoryType.EPISODIC, ["a"])[0] == {"a": {"n": 9}}


async def _edge(tmp_path: Path, template: Path, capacity: int = 1_000) -> EdgeVectorIndex:
    copy_sparse(template, tmp_path / "edge")
    index = EdgeVectorIndex(tmp_path / "edge", PREFIX, DIMENSION, payload_cache=capacity)
    await index.open()
    return index


def _search(vector: list[float], limit: int = 20) -> SearchRequest:
    return SearchRequest(SEMANTIC, vector, FLT, limit, 50)


async def test_searches_take_payloads_from_the_cache_and_see_every_write(
    tmp_path: Path, edge_template: Path
) -> None:
    index = await _edge(tmp_path, edge_template)
    try:
        stored = points(unit_vectors(6, seed=1), [payload(content=f"fact {i}") for i in range(6)])
        await index.upsert(SEMANTIC, stored)
        query = stored[0].vector
        [first] = await index.search([_search(query)])
        assert {h.payload["content"] for h in first} == {f"fact {i}" for i in range(6)}
        misses = index.payloads.misses
        [again] = await index.search([_search(query)])
        assert index.payloads.misses == misses and index.payloads.hits >= 6  # all six from the cache
        assert [h.id for h in again] == [h.id for h in first]

        await index.set_payload(SEMANTIC, [stored[0].id], {"content": "fact 0, corrected"})
        await index.set_payloads(SEMANTIC, {stored[1].id: {"importance": 0.9}})
        await index.delete(SEMANTIC, [stored[2].id])
        await index.upsert(
            SEMANTIC, [type(stored[3])(stored[3].id, stored[3].vector, payload(content="fact 3 v2"))]
        )
        [after] = await index.search([_search(query)])
        by_id = {h.id: h.payload for h in after}
        assert by_id[stored[0].id]["content"] == "fact 0, corrected"
        assert by_id[stored[1].id]["importance"] == 0.9
        assert stored[2].id not in by_id
        assert by_id[stored[3].id]["content"] == "fact 3 v2"
    finally:
        await index.close()


class _ReadsThenWaits:
    """The real shard, except that a payload read hands back what it read only after the test has
    written: the one interleaving that could cache a payload older than the last write."""

    def __init__(self, shard: Any) -> None:
        self._shard = shard
        self.read_done, self.written = threading.Event(), threading.Event()

    def retrieve(self, *args: Any) -> Any:
        records = self._shard.retrieve(*args)
        self.read_done.set()
        self.written.wait(timeout=10)
        return records

    def __getattr__(self, name: str) -> Any:
        return getattr(self._shard, name)


async def test_a_payload_read_before_a_write_is_never_served_after_it(
    tmp_path: Path, edge_template: Path
) -> None:
    index = await _edge(tmp_path, edge_template)
    try:
        stored = points(unit_vectors(3, seed=2), [payload(content="v1") for _ in range(3)])
        await index.upsert(SEMANTIC, stored)
        slow = _ReadsThenWaits(index._shards[SEMANTIC])
        index._shards[SEMANTIC] = slow
        search = asyncio.create_task(index.search([_search(stored[0].vector)]))
        await asyncio.to_thread(slow.read_done.wait, 10)  # it has read "v1" and not returned yet
        index._shards[SEMANTIC] = slow._shard  # the write goes straight to the engine
        await index.set_payloads(SEMANTIC, {p.id: {"content": "v2"} for p in stored})
        slow.written.set()
        [during] = await search
        assert {h.payload["content"] for h in during} == {"v1"}  # it began before the write
        [after] = await index.search([_search(stored[0].vector)])
        assert {h.payload["content"] for h in after} == {"v2"}
    finally:
        await index.close()


async def test_off_reads_every_payload_from_the_engine(tmp_path: Path, edge_template: Path) -> None:
    index = await _edge(tmp_path, edge_template, capacity=0)
    try:
        stored = points(unit_vectors(3, seed=3), [payload() for _ in range(3)])
        await index.upsert(SEMANTIC, stored)
        [found] = await index.search([_search(stored[0].vector)])
        assert len(found) == 3 and len(index.payloads) == 0 and index.payloads.hits == 0
    finally:
        await index.close()


def test_point_ids_read_as_their_text_and_the_memo_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(payload_cache, "_ID_TEXT", {})
    monkeypatch.setattr(payload_cache, "_ID_TEXT_SIZE", 3)
    ids = [uuid.uuid5(uuid.NAMESPACE_URL, str(n)) for n in range(5)]
    assert [payload_cache.id_text(i) for i in ids] == [str(i) for i in ids]
    assert [payload_cache.id_text(i) for i in ids] == [str(i) for i in ids]  # from the memo this time
    assert 0 < len(payload_cache._ID_TEXT) <= 3
    assert payload_cache.id_text(7) == "7"  # an integer id: no memo
