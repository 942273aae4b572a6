"""Scale data: N memories with realistic payloads, without embedding N texts.

Embedding all-MiniLM-L6-v2 on 2 CPU cores runs at a few hundred texts a second, so a 1M-memory run
cannot embed every memory. Instead a pool of real texts (from the synthetic generator) is embedded
once, and each memory gets a vector that is a normalized noisy mixture of two pool vectors: the
one of its own text, mostly, plus some of another, plus Gaussian noise. The vectors therefore
cluster the way real embeddings do, while no two are identical. Payloads are the real thing: each
record is built by the write pipeline's own code (`mnemo.lab.point_maker`), so the service sees
exactly what `POST /v1/memories` would have stored.
"""

from __future__ import annotations

import random
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from mnemo_client.models import MemoryType

from ..synthetic import generate

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from mnemo.lab import VectorPoint

    # `mnemo.lab.point_maker`: the point the write path would store for a memory, with its vector.
    PointMaker = Callable[[str, Mapping[str, Any], Sequence[float], datetime], VectorPoint]

# How N memories split across the searched types (episodic dominates real agent memory).
TYPE_SHARES: dict[MemoryType, float] = {
    MemoryType.EPISODIC: 0.55,
    MemoryType.SEMANTIC: 0.25,
    MemoryType.PROCEDURAL: 0.10,
    MemoryType.PROSPECTIVE: 0.10,
}
SCALE_USER = "bench-user"
SCALE_NOW = datetime(2026, 1, 1, tzinfo=UTC)
TENANT = "default"  # the single-tenant service the latency run starts
CHUNK = 5_000
OWN_WEIGHT, OTHER_WEIGHT, NOISE = 1.0, 0.35, 0.03  # noise per dimension (norm ≈ 0.6 over 384 dims)


@dataclass(frozen=True)
class TextPool:
    """Distinct real texts, their embeddings (row i is text i), and questions to ask."""

    texts: list[str]
    vectors: np.ndarray
    questions: list[str]


def retrieve_bodies(questions: list[str], budget: int) -> list[dict[str, Any]]:
    """The body of each question's `POST /v1/retrieve`, in the scope every memory of a run is in."""
    return [
        {"query": q, "scope": {"user_id": SCALE_USER}, "budget_tokens": budget, "now": SCALE_NOW.isoformat()}
        for q in questions
    ]


def pool_texts(size: int, seed: int) -> tuple[list[str], list[str]]:
    """Up to `size` distinct texts and the distinct questions of a generated dataset.

    Every type draws its contents from the one pool: the types differ in their payload fields (times,
    due dates, importance), which is what retrieval cost depends on.
    """
    memories, queries = generate(max(size, 1_000) * 2, seed)
    texts = list(dict.fromkeys(str(m["content"]) for m in memories))[:size]
    questions = list(dict.fromkeys(str(q["query"]) for q in queries))
    return texts, questions


def mixed_vectors(pool: np.ndarray, own: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Unit vectors near the pool vectors `own` indexes, each pulled towards another pool vector."""
    other = pool[rng.integers(0, len(pool), size=len(own))]
    mixed = OWN_WEIGHT * pool[own] + OTHER_WEIGHT * other
    mixed += rng.normal(0.0, NOISE, size=mixed.shape).astype(np.float32)
    mixed /= np.linalg.norm(mixed, axis=1, keepdims=True)
    unit: np.ndarray = mixed.astype(np.float32)
    return unit


def type_counts(n: int) -> dict[MemoryType, int]:
    counts = {t: int(n * share) for t, share in TYPE_SHARES.items()}
    counts[MemoryType.EPISODIC] += n - sum(counts.values())
    return counts


def scale_chunks(
    n: int, pool: TextPool, seed: int
) -> Iterator[tuple[MemoryType, int, int, np.ndarray, np.ndarray]]:
    """(type, its count, chunk start, pool text index of each memory, their vectors), `n` in all.

    Deterministic in `seed`: a peer system (benchmarks/peers/) is loaded with the very same texts
    and vectors as mnemo's store.
    """
    rng = np.random.default_rng(seed)
    for memory_type, count in type_counts(n).items():
        for start in range(0, count, CHUNK):
            own = rng.integers(0, len(pool.texts), size=min(CHUNK, count - start))
            yield memory_type, count, start, own, mixed_vectors(pool.vectors, own, rng)


async def scale_points(
    n: int, pool: TextPool, make_point: PointMaker, seed: int
) -> AsyncIterator[tuple[MemoryType, list[VectorPoint], np.ndarray]]:
    """Chunks of ready-to-upsert points (and their vectors as one array), `n` in all, deterministic."""
    jitter = random.Random(seed)
    texts = pool.texts
    for memory_type, count, start, own, chunk_vectors in scale_chunks(n, pool, seed):
        points = []
        for offset, (text_index, vector) in enumerate(zip(own, chunk_vectors, strict=True)):
            position = (start + offset) / count
            item = _memory(
                memory_type, f"{memory_type.value}-{start + offset}", texts[text_index], position, jitter
            )
            # With the BM25 vector too, as the write path stores it: hybrid search is timed for real.
            points.append(make_point(TENANT, item, vector.tolist(), SCALE_NOW))
        yield memory_type, points, chunk_vectors


def _memory(
    memory_type: MemoryType, external_id: str, content: str, position: float, jitter: random.Random
) -> dict[str, object]:
    """Memories are written as they happen: over the year before SCALE_NOW, in order (within a few
    minutes), as a conversation's turns are. (Write order matters to the neighbour lookups, which
    walk the write sequence within a turn's session window.)"""
    minutes = int((1.0 - position) * 365 * 24 * 60) + jitter.randrange(10)
    occurred = SCALE_NOW - timedelta(minutes=minutes)
    due = SCALE_NOW + timedelta(hours=jitter.randrange(-30 * 24, 60 * 24))
    row: dict[str, object] = {
        "type": memory_type.value,
        "content": content,
        "scope": {"user_id": SCALE_USER},
        "id": external_id,
        "occurred_at": occurred.isoformat(),
        "importance": round(jitter.uniform(0.1, 0.9), 2),
    }
    if memory_type is MemoryType.PROSPECTIVE:
        row["due_at"] = due.isoformat()
    return row  # as the API takes it: JSON values only


async def load_scale_store(data_dir: Path, n: int, pool: TextPool, seed: int) -> dict[str, float]:
    """`n` memories with synthesized vectors loaded into a new embedded store at `data_dir`, its HNSW
    built: the seconds the load and the build took."""
    from mnemo.lab import bulk_index, bulk_upsert, configured_embedder, point_maker

    embedder = configured_embedder()  # for the dimension of the vectors only
    edge = bulk_index(data_dir, embedder.dimension)
    await edge.open()
    make_point = point_maker(data_dir)
    started = time.perf_counter()
    async for memory_type, points, _ in scale_points(n, pool, make_point, seed):
        await bulk_upsert(edge, memory_type, points)
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    await edge.optimize()
    optimize_s = time.perf_counter() - started
    await edge.close()
    embedder.close()
    return {"load_s": round(load_s, 1), "optimize_s": round(optimize_s, 1)}
