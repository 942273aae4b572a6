"""Each size's data for `mnemo bench latency`: N memories loaded into a new Qdrant Edge data dir (and
qdrant-client's local mode up to its size) with HNSW built, or a copy of such a dir kept before.

With `LatencyOptions.data_cache`, the first run of a size keeps its built data dir and vectors under
`<cache>/n<N>-seed<S>-pool<P>-<datatype>/`; later runs with the same seed, pool and stored vector
datatype work on a fresh copy and skip the load and the build (15 min at 100k on a loaded 2-core
machine). The key is not the rest of the code: empty the cache when the stored payloads' format
changes.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mnemo.lab import (
    DENSE_DATATYPE_NAME,
    VectorIndex,
    bulk_index,
    bulk_upsert,
    configured_embedder,
    memory_index,
    point_maker,
)
from mnemo_client.models import MemoryType

from ..progress import bar
from .floor import measure_floor
from .scale_data import TextPool, scale_points


@dataclass(frozen=True)
class LatencyOptions:
    sizes: tuple[int, ...] = (10_000, 100_000, 1_000_000)
    concurrency: tuple[int, ...] = (1, 4)
    requests: int = 300  # per concurrency level
    max_seconds: float = 90.0  # per concurrency level
    warmup: int = 20
    budget: int = 2_000
    pool: int = 3_000  # real texts embedded once, the seeds of every synthesized vector
    ann_queries: int = 100
    backend_queries: int = 50
    client_max_size: int = 10_000  # qdrant-client's local mode is brute force: ~0.5 s a search at 5k
    seed: int = 0
    work_dir: Path | None = None
    # A built size's data dir (before any retrieval) and its vectors, kept under this dir and reused
    # by later runs with the same seed and pool: each run works on a fresh copy of it.
    data_cache: Path | None = None


SizeData = tuple[Any, VectorIndex | None, dict[str, Any], dict[MemoryType, list[np.ndarray]]]


def _edge(data_dir: Path, dimension: int) -> Any:
    # No background HNSW builds while loading: one explicit build after the bulk load, timed.
    return bulk_index(data_dir, dimension, served_payload_cache=True)


@dataclass(frozen=True)
class SizeLoader:
    """What every size of a run is loaded with: the pool of real texts, the run's options, the embedder
    and tokenizers, and where progress is said."""

    pool: TextPool
    options: LatencyOptions
    embedder: Any
    tokenizers: Any
    say: Callable[[str], None]

    async def open(self, data_dir: Path, n: int) -> SizeData:
        """The open indexes of size N in `data_dir`, the load's figures and every type's vectors: loaded
        afresh, or copied from the data cache (built there first if it is not yet)."""
        cache = self.options.data_cache
        if cache is None:
            return await self._load(data_dir, n)
        # A copy of an older layout would be rebuilt by the server while it is timed (layout.py).
        cached = cache / f"n{n}-seed{self.options.seed}-pool{self.options.pool}-{DENSE_DATATYPE_NAME}"
        if not (cached / "built.json").exists():
            shutil.rmtree(cached, ignore_errors=True)
            edge, local, result, vectors = await self._load(cached, n)
            await edge.close()
            if local is not None:
                await local.close()
            for memory_type, chunks in vectors.items():
                np.save(cached / f"vectors-{memory_type.value}.npy", np.concatenate(chunks))
            (cached / "built.json").write_text(json.dumps(result), encoding="utf-8")
        self.say(f"  {n}: a copy of the data built before ({cached})")
        shutil.copytree(cached / "qdrant", data_dir / "qdrant")
        # load_s and optimize_s are the build's, whenever it ran; the local-mode comparison is skipped.
        result = {**json.loads((cached / "built.json").read_text(encoding="utf-8")), "data_from": str(cached)}
        types = [MemoryType(name) for name in result["per_type"]]
        vectors = {t: [np.load(cached / f"vectors-{t.value}.npy")] for t in types}
        edge = _edge(data_dir, self.embedder.dimension)
        await edge.open()
        return edge, None, result, vectors

    async def _load(self, data_dir: Path, n: int) -> SizeData:
        """N memories loaded into a new Edge data dir (and qdrant-client's local mode up to its size), HNSW
        built: the open indexes, the load's figures and every type's vectors."""
        edge = _edge(data_dir, self.embedder.dimension)
        await edge.open()
        local = None
        if n <= self.options.client_max_size:
            local = memory_index(self.embedder.dimension)
            await local.open()
        make_point = point_maker(data_dir, self.tokenizers)
        result: dict[str, Any] = {"memories": n}
        vectors: dict[MemoryType, list[np.ndarray]] = {}
        started = time.perf_counter()
        with bar(n, f"loading {n}", "memories") as loaded:
            async for memory_type, points, chunk in scale_points(n, self.pool, make_point, self.options.seed):
                await bulk_upsert(edge, memory_type, points)
                if local is not None:
                    await bulk_upsert(local, memory_type, points)
                vectors.setdefault(memory_type, []).append(chunk)
                loaded.update(len(points))
        result["load_s"] = round(time.perf_counter() - started, 1)
        result["per_type"] = {t.value: sum(len(c) for c in chunks) for t, chunks in vectors.items()}
        self.say(f"  {n}: loaded in {result['load_s']} s; building HNSW")
        started = time.perf_counter()
        await edge.optimize()
        result["optimize_s"] = round(time.perf_counter() - started, 1)
        self.say(f"  {n}: HNSW built in {result['optimize_s']} s; checking ANN recall against exact search")
        return edge, local, result, vectors


async def floor_again(data_dir: Path, questions: list[str], types: list[MemoryType]) -> dict[str, Any]:
    """The floor measured on the size's data dir once more (the server gone), with a fresh embedder."""
    embedder = configured_embedder()
    edge = _edge(data_dir, embedder.dimension)
    await edge.open()
    try:
        return await measure_floor(edge, embedder, questions, types)
    finally:
        await edge.close()
        embedder.close()
