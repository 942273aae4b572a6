"""The export file of a shard rebuild: the live shard's points, written by the server, read by the
child that builds the new shard (backends/qdrant_edge/builder.py tells the whole rebuild)."""

from __future__ import annotations

import asyncio
import pickle  # only our own export, written by the server for its own child
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import numpy as np
from qdrant_edge import EdgeShard, Point, ScrollRequest, SparseVector

from ..qdrant.schema import DENSE, SPARSE

# Points per thread hop, each hop one call that holds the GIL: small enough that retrievals
# interleave (see CATCH_UP_CHUNK in builder.py for the copy back).
EXPORT_CHUNK = 64


def _export_chunk(shard: EdgeShard, offset: Any, out: IO[bytes]) -> tuple[int, Any]:
    request = ScrollRequest(offset=offset, limit=EXPORT_CHUNK, with_payload=True, with_vector=True)
    records, next_offset = shard.scroll(request)
    if records:
        named = [r.vector if isinstance(r.vector, dict) else {DENSE: r.vector} for r in records]
        sparse = [s if isinstance(s := v.get(SPARSE), SparseVector) else None for v in named]
        chunk = {
            "ids": [str(r.id) for r in records],
            "dense": np.asarray([v[DENSE] for v in named], dtype=np.float32),
            "sparse": [(list(s.indices), list(s.values)) if s is not None else None for s in sparse],
            "payloads": [r.payload or {} for r in records],
        }
        pickle.dump(chunk, out, protocol=pickle.HIGHEST_PROTOCOL)
    return len(records), next_offset


async def export_points(shard: EdgeShard, path: Path) -> int:
    exported = 0
    offset: Any = None
    with path.open("wb") as out:
        while True:
            count, offset = await asyncio.to_thread(_export_chunk, shard, offset, out)
            exported += count
            if offset is None:
                return exported


def read_export(path: Path) -> Iterator[list[Point]]:
    with path.open("rb") as source:
        while True:
            try:
                chunk = pickle.load(source)  # noqa: S301 - our own file (see the import)
            except EOFError:
                return
            points = []
            for point_id, dense, sparse, payload in zip(
                chunk["ids"], chunk["dense"], chunk["sparse"], chunk["payloads"], strict=True
            ):
                vectors: dict[str, Any] = {DENSE: dense.tolist()}
                if sparse is not None and sparse[0]:
                    vectors[SPARSE] = SparseVector(sparse[0], sparse[1])
                points.append(Point(point_id, vectors, payload))
            yield points
