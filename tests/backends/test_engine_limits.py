"""The metadata limits hold on both engines, and `mnemo doctor` unsticks a store they did not protect.

The nastiest metadata the limits allow (memtypes/limits.py) is stored, read back, listed, searched
and reloaded on Qdrant Edge and on qdrant-client; one step past a limit is refused before any engine
sees it. Then a record Edge cannot read (metadata 127 deep, written to the engine directly, as the
API accepted before) breaks its shard, and `mnemo doctor --fix` repairs it without losing the rest.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from mnemo.backends.qdrant_edge.index import EdgeVectorIndex
from mnemo.cli.main import main as mnemo
from mnemo.memtypes.limits import INT64_MAX, INT64_MIN, MAX_KEY_CHARS, MAX_METADATA_DEPTH, MAX_METADATA_NODES
from mnemo.memtypes.ports import VectorIndex
from mnemo.memtypes.queries import MemoryFilter, SearchRequest, VectorPoint
from mnemo.memtypes.records import MemoryIn, Scope
from mnemo.memtypes.types import MemoryType
from tests.backends.conftest import DIMENSION, PREFIX
from tests.conftest import copy_sparse

EPISODIC = MemoryType.EPISODIC
ODD = "\u2028\u202e\U0001f600\"\\'<script>"  # line separator, right-to-left override, emoji, quotes


def nested(depth: int, leaf: Any = 1, key: str = "a") -> dict[str, Any]:
    value: Any = leaf
    for _ in range(depth):
        value = {key: value}
    return dict(value)


def nastiest_metadata() -> dict[str, Any]:
    """At every limit at once: depth, long odd keys, extreme numbers, odd strings, many nodes."""
    long_key = ("k" + ODD * 40)[:MAX_KEY_CHARS]
    leaf = {"max": INT64_MAX, "min": INT64_MIN, "big": 1.7976931348623157e308, "tiny": 5e-324, "neg0": -0.0}
    deep = nested(MAX_METADATA_DEPTH - 3, {long_key: leaf}, key=ODD)  # leaf: level 32 exactly
    wide = {"n": [0] * (MAX_METADATA_NODES - MAX_METADATA_DEPTH - 20)}
    return {"deep": deep, **wide, ODD: [None, True, False, ODD, "", "\x00\x1f"], ".": {"[]": {"$": 1}}}


def point(metadata: dict[str, Any], vector: list[float] | None = None) -> VectorPoint:
    payload = {
        "tenant": "acme",
        "superseded": False,
        "content": "a memory with odd metadata",
        "importance": 0.5,
        "occurred_ts": 1.7e9,
        "created_ts": 1.7e9,
        "metadata": metadata,
    }
    return VectorPoint(str(uuid.uuid4()), vector or [1.0] + [0.0] * (DIMENSION - 1), payload)


def test_the_limits_accept_the_nastiest_and_refuse_one_step_past() -> None:
    MemoryIn(type=EPISODIC, content="x", metadata=nastiest_metadata())
    past = [
        nested(MAX_METADATA_DEPTH + 1),
        {"n": list(range(MAX_METADATA_NODES + 1))},
        {"k" * (MAX_KEY_CHARS + 1): 1},
        {"i": INT64_MAX + 1},
        {"i": INT64_MIN - 1},
        {"f": float("inf")},
    ]
    for metadata in past:
        with pytest.raises(ValidationError, match="metadata"):
            MemoryIn(type=EPISODIC, content="x", metadata=metadata)
    assert MemoryIn(type=EPISODIC, content="x", metadata=nested(MAX_METADATA_DEPTH)).metadata


async def test_the_nastiest_allowed_metadata_leaves_the_type_serving(index: VectorIndex) -> None:
    metadata = nastiest_metadata()
    nasty, plain = point(metadata), point({"k": 1}, [0.0, 1.0] + [0.0] * (DIMENSION - 2))
    await index.upsert(EPISODIC, [nasty, plain])
    [got] = await index.get(EPISODIC, [nasty.id])
    assert got.payload["metadata"] == json.loads(json.dumps(metadata))
    flt = MemoryFilter(tenant="acme", scope=Scope())
    listed, _ = await index.scroll(EPISODIC, flt, 10)
    assert {p.id for p in listed} == {nasty.id, plain.id}
    [hits] = await index.search([SearchRequest(EPISODIC, nasty.vector, flt, 10, 50, None, False)])
    assert {h.id for h in hits} == {nasty.id, plain.id}
    await index.upsert(EPISODIC, [point({"after": True})])  # the type still takes writes
    assert await index.count(EPISODIC, flt) == 3
    await index.delete(EPISODIC, [nasty.id])
    assert await index.count(EPISODIC, flt) == 2


async def test_edge_reloads_the_nastiest_allowed_metadata(tmp_path: Path, edge_template: Path) -> None:
    copy_sparse(edge_template, tmp_path / "edge")
    nasty = point(nastiest_metadata())
    index = EdgeVectorIndex(tmp_path / "edge", PREFIX, DIMENSION, durable_writes=True)
    await index.open()
    await index.upsert(EPISODIC, [nasty])
    await index.close()
    index = EdgeVectorIndex(tmp_path / "edge", PREFIX, DIMENSION)
    await index.open()
    try:
        assert [p.id for p in await index.get(EPISODIC, [nasty.id])] == [nasty.id]
    finally:
        await index.close()


async def test_doctor_removes_a_record_edge_cannot_read(
    tmp_path: Path, edge_template: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "data" / "qdrant"
    store.parent.mkdir()
    copy_sparse(edge_template, store)
    good, bad = point({"k": 1}), point(nested(127))  # 127 levels: past what Edge can decode
    index = EdgeVectorIndex(store, PREFIX, DIMENSION, durable_writes=True)
    await index.open()
    await index.upsert(EPISODIC, [good, bad])
    flt = MemoryFilter(tenant="acme", scope=Scope())
    with pytest.raises(Exception, match="recursion limit"):  # the whole type is stuck
        await index.scroll(EPISODIC, flt, 10)
    await index.close()
    with pytest.raises(Exception, match="WAL"):  # and, closed, it does not even load again
        await EdgeVectorIndex(store, PREFIX, DIMENSION).open()

    monkeypatch.setenv("MNEMO_COLLECTION_PREFIX", PREFIX)
    assert mnemo(["doctor", "--data-dir", str(tmp_path / "data")]) == 1
    assert "--fix" in capsys.readouterr().out
    assert mnemo(["doctor", "--data-dir", str(tmp_path / "data"), "--fix"]) == 0
    out = capsys.readouterr().out
    assert f"removed: {bad.id}" in out and "write-ahead log set aside" in out
    assert mnemo(["doctor", "--data-dir", str(tmp_path / "data")]) == 0  # healthy now

    index = EdgeVectorIndex(store, PREFIX, DIMENSION)
    await index.open()
    try:
        listed, _ = await index.scroll(EPISODIC, flt, 10)
        assert [p.id for p in listed] == [good.id]  # the readable record is still there
        await index.upsert(EPISODIC, [point({"after": "repair"})])
        assert await index.count(EPISODIC, flt) == 2
    finally:
        await index.close()
