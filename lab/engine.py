"""The engine's searches and stores, for the benchmark harness (through `mnemo.lab`): searches timed
and recorded below the API, a million memories loaded with synthesized vectors straight into the
engine (hours through the API), the retrieval pipeline run without HTTP. Each builds what it needs
as the service builds it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..backends.qdrant_edge.index import EdgeVectorIndex
    from ..memtypes.ports import Embedder, VectorIndex
    from ..memtypes.queries import SearchRequest, VectorPoint


def top_k_search(
    memory_type: str, vector: Sequence[float], tenant: str, scope: Mapping[str, Any], k: int
) -> SearchRequest:
    """The `k` nearest neighbours of `vector` among the current memories of one type in `scope`
    (its fields `user_id`, `agent_id`, `thread_id`, `namespace`), by cosine alone: no formula, no BM25."""
    from ..memtypes.queries import MemoryFilter, SearchRequest
    from ..memtypes.records import Scope
    from ..memtypes.types import MemoryType

    flt = MemoryFilter(tenant=tenant, scope=Scope.model_validate(dict(scope)))
    return SearchRequest(MemoryType(memory_type), list(vector), flt, k, k)


def bulk_index(data_dir: Path, dimension: int, *, served_payload_cache: bool = False) -> EdgeVectorIndex:
    """A Qdrant Edge index in `data_dir` (not yet open) that builds no HNSW in the background while
    a bulk load runs: the benchmark builds it once after, timed (`optimize()`).
    `served_payload_cache`: the payload cache the service gives its index."""
    from ..backends.qdrant.config import QdrantConfig
    from ..backends.qdrant_edge.index import EdgeVectorIndex

    cache = QdrantConfig().payload_cache if served_payload_cache else 0
    return EdgeVectorIndex(
        data_dir / "qdrant", "mnemo", dimension, optimize_threshold=2**62, payload_cache=cache
    )


def point_maker(
    data_dir: Path | None, tokenizers: Any = None
) -> Callable[[str, Mapping[str, Any], Sequence[float], datetime], VectorPoint]:
    """What the write path, as the service builds it (BM25 vectors, the id key of `data_dir`; None: a
    key of this process alone), would upsert for a memory: called with the tenant, the memory as the
    API takes it (JSON values), the vector to store instead of the embedder's, and the time it is
    written at. Each point comes after the one made before it in the write order."""
    from ..backends.embedding.sparse import Bm25Encoder
    from ..backends.id_key import open_id_keys
    from ..backends.tokenizer import TokenizerRegistry
    from ..ingest.pipeline import MemoryWriter
    from ..memtypes.queries import VectorPoint
    from ..memtypes.records import MemoryIn

    ids = open_id_keys(data_dir) if data_dir is not None else None
    # Only its records are built here: it writes nothing, so it needs no index and no embedder.
    tokens = tokenizers or TokenizerRegistry()
    writer = MemoryWriter(None, None, tokens, sparse=Bm25Encoder(), ids=ids)  # type: ignore[arg-type]

    def point(tenant: str, row: Mapping[str, Any], vector: Sequence[float], now: datetime) -> VectorPoint:
        item = MemoryIn.model_validate(row)
        record = writer.build_record(tenant, item, now, None, item.importance or 0.5)
        record = record.model_copy(update={"seq": writer.next_seq()})
        payload = record.to_payload()
        payload.update(writer.line_payload(record))
        sparse = writer.sparse.documents([record.content])[0] if writer.sparse else None
        return VectorPoint(record.id, list(vector), payload, sparse)

    return point


async def bulk_upsert(index: VectorIndex, memory_type: str, points: Sequence[VectorPoint]) -> None:
    """`points` of one memory type upserted into `index` (open), as the write path upserts them."""
    from ..memtypes.types import MemoryType

    await index.upsert(MemoryType(memory_type), points)


def memory_index(dimension: int) -> VectorIndex:
    """An index on qdrant-client's local mode in memory (brute force): the other backend the
    latency benchmark sets beside Qdrant Edge. Not yet open."""
    from qdrant_client import AsyncQdrantClient

    from ..backends.qdrant_server.index import QdrantClientVectorIndex

    return QdrantClientVectorIndex(AsyncQdrantClient(location=":memory:"), "mnemo", dimension)


def pipeline_retrieval(
    index: VectorIndex, embedder: Embedder, tokenizers: Any
) -> Callable[[str, Mapping[str, Any]], Awaitable[dict[str, float]]]:
    """The retrieval pipeline over `index` with the default configuration and BM25, no HTTP: called
    with a tenant and a request body as `POST /v1/retrieve` takes it, it retrieves and answers the
    timings of its stages (`timings_ms`)."""
    from ..backends.embedding.sparse import Bm25Encoder
    from ..memtypes.requests import RetrieveRequest
    from ..retrieval.pipeline import RetrievalConfig, Retriever

    retriever = Retriever(index, embedder, tokenizers, RetrievalConfig(), sparse=Bm25Encoder())

    async def retrieve(tenant: str, body: Mapping[str, Any]) -> dict[str, float]:
        response = await retriever.retrieve(tenant, RetrieveRequest.model_validate(body))
        return dict(response.metadata.timings_ms)

    return retrieve
