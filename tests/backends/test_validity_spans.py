"""A current read on Qdrant Edge is sent without its validity conditions where none of the memories it
reads could fail them (backends/qdrant_edge/validity_spans.py). On every engine, what it leaves out
follows each write that moves what it must leave out, and the time it reads at; on Edge, the
conditions are sent exactly where a memory of the tenant could fail them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mnemo.backends.qdrant_edge.index import EdgeVectorIndex
from mnemo.memtypes.ports import VectorIndex
from mnemo.memtypes.queries import AsOf, MemoryFilter, NeighbourRequest, SearchRequest, VectorPoint
from tests.backends.conftest import make_index
from tests.backends.test_vector_index import NOW, SEMANTIC, payload, points, request, unit_vectors

DAY = 86_400.0
QUERY = np.ones(8) / np.sqrt(8)


async def test_a_current_read_leaves_out_what_each_write_makes_invalid(index: VectorIndex) -> None:
    pts = points(unit_vectors(5, seed=21), [payload(seq=float(i)) for i in range(5)])
    await index.upsert(SEMANTIC, pts[:4])
    a, b, c, d, e = (p.id for p in pts)

    async def found(now: float = NOW) -> set[str]:
        [hits] = await index.search([request(QUERY, MemoryFilter("acme", now=now), SEMANTIC)])
        return {h.id for h in hits}

    assert await found() == {a, b, c, d}
    await index.set_payload(SEMANTIC, [a], {"valid_until_ts": NOW - 3_600})  # invalidated an hour ago
    assert await found() == {b, c, d}
    await index.set_payload(SEMANTIC, [b], {"use_count": 3.0})  # a write that moves no validity
    assert await found() == {b, c, d}
    await index.upsert(SEMANTIC, [_with(pts[4], valid_from_ts=NOW + DAY)])  # valid from tomorrow
    assert await found() == {b, c, d}
    assert await found(NOW + 2 * DAY) == {b, c, d, e}
    await index.set_payload(SEMANTIC, [c], {"valid_until_ts": NOW + DAY})  # ends tomorrow
    assert await found() == {b, c, d}
    assert await found(NOW + 2 * DAY) == {b, d, e}
    await index.set_payload(SEMANTIC, [a], {"valid_until_ts": None})  # its end withdrawn
    assert await found() == {a, b, c, d}
    # A superseded memory whose validity ended, current again: still left out for its validity.
    await index.set_payload(SEMANTIC, [d], {"superseded": True, "valid_until_ts": NOW - DAY})
    assert await found() == {a, b, c}
    await index.set_payload(SEMANTIC, [d], {"superseded": False})
    assert await found() == {a, b, c}


async def test_a_neighbour_lookup_leaves_out_an_invalidated_turn(index: VectorIndex) -> None:
    pts = points(unit_vectors(3, seed=22), [payload(seq=float(i)) for i in range(3)])
    await index.upsert(SEMANTIC, pts)
    after = NeighbourRequest(SEMANTIC, MemoryFilter("acme", now=NOW), 0.0, False, 5)
    [found] = await index.neighbours([after])
    assert [p.id for p in found] == [pts[1].id, pts[2].id]
    await index.set_payload(SEMANTIC, [pts[1].id], {"valid_until_ts": NOW - 60})
    [found] = await index.neighbours([after])
    assert [p.id for p in found] == [pts[2].id]


def _with(point: VectorPoint, **fields: Any) -> VectorPoint:
    return replace(point, payload={**point.payload, **fields})


@pytest.fixture
async def edge_index(tmp_path: Path, edge_template: Path) -> AsyncIterator[EdgeVectorIndex]:
    index = make_index("edge", tmp_path, edge_template)
    assert isinstance(index, EdgeVectorIndex)
    await index.open()
    try:
        yield index
    finally:
        await index.close()


def _needed(index: EdgeVectorIndex, *filters: MemoryFilter) -> list[bool]:
    requests = [request(QUERY, flt, SEMANTIC) for flt in filters]
    needed, _ = index.spans.needed(index.shard_of(SEMANTIC), SEMANTIC, requests)
    return needed


async def test_edge_sends_the_validity_conditions_where_a_memory_of_the_tenant_could_fail_them(
    edge_index: EdgeVectorIndex,
) -> None:
    current, then = MemoryFilter("acme", now=NOW), MemoryFilter("acme", as_of=AsOf(NOW - DAY))
    pts = points(unit_vectors(4, seed=23), [payload(valid_from_ts=NOW - DAY) for _ in range(4)])
    await edge_index.upsert(SEMANTIC, pts[:2])
    # Valid since yesterday: nothing a current read could leave out; a read at another time
    # keeps its own conditions.
    assert _needed(edge_index, current, then) == [False, True]
    assert _needed(edge_index, MemoryFilter("acme", now=NOW - 2 * DAY)) == [True]
    # Another tenant's expired memory changes nothing for this one.
    await edge_index.upsert(SEMANTIC, [_with(pts[2], tenant="other", valid_until_ts=NOW - DAY)])
    assert _needed(edge_index, current, MemoryFilter("other", now=NOW)) == [False, True]
    # A superseded memory's ended validity is no current memory's.
    await edge_index.upsert(SEMANTIC, [_with(pts[3], superseded=True, valid_until_ts=NOW - DAY)])
    assert _needed(edge_index, current) == [False]
    await edge_index.set_payload(SEMANTIC, [pts[1].id], {"valid_until_ts": NOW + DAY})
    assert _needed(edge_index, current, MemoryFilter("acme", now=NOW + DAY)) == [False, True]
    await edge_index.delete(SEMANTIC, [pts[1].id])  # a delete leaves the span as it was: still sent
    assert _needed(edge_index, MemoryFilter("acme", now=NOW + DAY)) == [True]
    # While a write that may move a span is in flight, every read keeps its conditions.
    edge_index.spans.begin(SEMANTIC)
    assert _needed(edge_index, current) == [True]
    edge_index.spans.end(SEMANTIC)
    assert _needed(edge_index, current) == [False]


async def test_an_edge_read_asks_again_with_the_conditions_when_a_write_began_meanwhile(
    edge_index: EdgeVectorIndex,
) -> None:
    await edge_index.upsert(SEMANTIC, points(unit_vectors(1, seed=24), [payload()]))
    asked: list[list[bool]] = []

    def read(shard: Any, requests: list[SearchRequest], validity: list[bool]) -> list[list[Any]]:
        asked.append(list(validity))
        if len(asked) == 1:  # a write that may move a span begins (and ends) during the read
            edge_index.spans.begin(SEMANTIC)
            edge_index.spans.end(SEMANTIC)
        return [[] for _ in requests]

    edge_index._with_spans(SEMANTIC, [request(QUERY, MemoryFilter("acme", now=NOW), SEMANTIC)], read)
    assert asked == [[False], [True]]
