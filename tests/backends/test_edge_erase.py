"""`erase_deleted` (a forget's last step): after it, no file of the Edge data dir holds a
deleted point's payload, while the kept points are still there and searchable. In the serving
process and through the engine process alike; a real child rebuilds the shard."""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
import pytest

from mnemo.backends.qdrant_edge.index import EdgeVectorIndex
from mnemo.backends.qdrant_edge.process import EdgeProcessIndex
from mnemo.memtypes.queries import MemoryFilter, VectorPoint
from mnemo.memtypes.types import MemoryType
from tests.backends.conftest import DIMENSION, PREFIX

SEMANTIC = MemoryType.SEMANTIC
SECRET, KEPT = "Wobblethorpe cipher of Isembard", "Ottoline waters the ferns"


def files_holding(root: Path, text: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and text.encode() in p.read_bytes()]


def point(text: str, seed: int) -> VectorPoint:
    v = np.random.default_rng(seed).normal(size=DIMENSION)
    v /= np.linalg.norm(v)
    payload = {"tenant": "acme", "superseded": False, "content": text}
    return VectorPoint(str(uuid.uuid4()), [float(x) for x in v], payload)


@pytest.mark.parametrize("engine", [EdgeVectorIndex, EdgeProcessIndex])
async def test_a_deleted_payload_leaves_every_file(tmp_path: Path, engine: type) -> None:
    data_dir = tmp_path / "qdrant"
    index = engine(data_dir, PREFIX, DIMENSION, optimize_threshold=10**9)
    await index.open()
    secret, kept = point(SECRET, 1), point(KEPT, 2)
    try:
        await index.upsert(SEMANTIC, [secret, kept])
        await index.close()  # flushed: the text is in the files now
        assert files_holding(data_dir, SECRET) and files_holding(data_dir, KEPT)
        await index.open()
        await index.delete(SEMANTIC, [secret.id])
        assert await index.maintenance().erase_deleted([SEMANTIC]) == "erased"
        found = await index.get(SEMANTIC, [kept.id, secret.id])
        assert [p.id for p in found] == [kept.id]
        assert await index.count(SEMANTIC, MemoryFilter("acme")) == 1
    finally:
        await index.close()
    assert files_holding(data_dir, SECRET) == []
    assert files_holding(data_dir, KEPT)  # the search could have found it
