"""The lab's door: the one module of the server the benchmark harness may import.

The harness (`benchmarks/`, installed as `mnemo.benchmarks` from its own distribution, mnemo-bench)
is a guest of the server. It speaks to mnemo through `mnemo_client`, to a running service or to the
app run in its own process, and imports from the server package nothing but this module; an
import-linter contract (pyproject.toml) holds it to that. What is here is what a benchmark must run
in-process, each group with the reason it cannot go through the API:

- The app and its settings (`edge_app`, `configured_app`, `Settings`, `LOOPBACK_BASE_URL`,
  `SINGLE_TENANT`): the in-process target is the real app, spoken to through mnemo_client over
  Litestar's test transport; its tenant is the one an app without API keys serves.
- The embedder this environment configures (`configured_embedder`, `resolve_model_path`) and the
  tokenizer counts (`TokenizerRegistry`): the harness embeds its queries and datasets, keys its
  embedding cache by the model's files, and counts tokens as the service does to pack baselines.
- The records and models the harness parses into (`MemoryIn`, `Scope`, `MemoryType`,
  `DEFAULT_RETRIEVAL_TYPES`, `FACT_TYPE`): a dataset line is validated as the API would validate it.
- The engine's query shapes and ports (`VectorIndex`, `Embedder`, `SearchRequest`, `MemoryFilter`,
  `ScoredPoint`, `VectorPoint`, `RetrieveRequest`): the latency and repeatability benchmarks time
  and record the searches the pipeline asks of the index, below the API.
- Stores built in-process (`bulk_index`, `bulk_writer` and its `MemoryWriter`, `memory_index`,
  `pipeline_retriever`, `DENSE_DATATYPE_NAME`): a million memories load with synthesized vectors
  straight into the engine (hours through the API), and the pipeline is timed without HTTP in front.
- The baselines' building blocks (`memory_line`, `section_header`, `time_header`): the dense and
  BM25 baselines pack their hits into lines the way the service renders them.
- `embedded_ingest`: what `mnemo ingest FILE` runs in embedded mode, timed by `mnemo bench ingest`.
- Redis transactions (`redis_client`, `run_transaction`, `transaction_acknowledged`): what waiting
  for replicas costs an append, measured on the working store's own transaction code.
- The privacy screen (`detect`, `SensitiveKind`, `luhn_ok`, `default_policy`, `screen`): its
  detectors scored on labelled sets, span by span.
- The confidence model (`Calibration`, `shipped_calibration`, `with_small_store`,
  `DEFAULT_MIN_CONFIDENCE`): `mnemo bench calibrate` fits the model the service ships.
- The ranking model (`RankingModel`, `DEFAULT_MODEL`, `PRESETS`, `varied`, `check_model`): a sweep
  ranks by a copy of the value with changes, handed to the in-process retriever.
"""

from __future__ import annotations

import time
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from litestar import Litestar

    from .api.config.settings import Settings
    from .api.guards.auth import SINGLE_TENANT
    from .api.guards.request_gate import LOOPBACK_BASE_URL
    from .backends.embedding.embedder import resolve_model_path
    from .backends.qdrant_edge.index import EdgeVectorIndex
    from .backends.qdrant_edge.layout import DENSE_DATATYPE_NAME
    from .backends.redis.replica_ack import run_transaction, transaction_acknowledged
    from .backends.tokenizer import TokenizerRegistry
    from .ingest.pipeline import MemoryWriter
    from .ingest.prefilter import default_policy, screen
    from .memtypes.ports import Embedder, VectorIndex
    from .memtypes.privacy.detectors import SensitiveKind, detect, luhn_ok
    from .memtypes.queries import MemoryFilter, ScoredPoint, SearchRequest, VectorPoint
    from .memtypes.records import MemoryIn, Scope
    from .memtypes.rendering import memory_line, section_header, time_header
    from .memtypes.requests import RetrieveRequest
    from .memtypes.types import DEFAULT_RETRIEVAL_TYPES, FACT_TYPE, MemoryType
    from .retrieval.options import DEFAULT_MIN_CONFIDENCE
    from .retrieval.pipeline import Retriever, check_model
    from .retrieval.ranking.confidence import Calibration, shipped_calibration, with_small_store
    from .retrieval.ranking.model import DEFAULT_MODEL, PRESETS, RankingModel, varied

# Each name is imported when first used, not with this module: `mnemo bench … --help` imports the
# harness's parser, which names some of them, and must not load the service to answer
# (tests/unit/test_cli_light_start.py).
_MODULE_OF = {
    "Settings": ".api.config.settings",
    "SINGLE_TENANT": ".api.guards.auth",
    "LOOPBACK_BASE_URL": ".api.guards.request_gate",
    "resolve_model_path": ".backends.embedding.embedder",
    "DENSE_DATATYPE_NAME": ".backends.qdrant_edge.layout",
    "run_transaction": ".backends.redis.replica_ack",
    "transaction_acknowledged": ".backends.redis.replica_ack",
    "TokenizerRegistry": ".backends.tokenizer",
    "MemoryWriter": ".ingest.pipeline",
    "default_policy": ".ingest.prefilter",
    "screen": ".ingest.prefilter",
    "Embedder": ".memtypes.ports",
    "VectorIndex": ".memtypes.ports",
    "SensitiveKind": ".memtypes.privacy.detectors",
    "detect": ".memtypes.privacy.detectors",
    "luhn_ok": ".memtypes.privacy.detectors",
    "MemoryFilter": ".memtypes.queries",
    "ScoredPoint": ".memtypes.queries",
    "SearchRequest": ".memtypes.queries",
    "VectorPoint": ".memtypes.queries",
    "MemoryIn": ".memtypes.records",
    "Scope": ".memtypes.records",
    "memory_line": ".memtypes.rendering",
    "section_header": ".memtypes.rendering",
    "time_header": ".memtypes.rendering",
    "RetrieveRequest": ".memtypes.requests",
    "DEFAULT_RETRIEVAL_TYPES": ".memtypes.types",
    "FACT_TYPE": ".memtypes.types",
    "MemoryType": ".memtypes.types",
    "DEFAULT_MIN_CONFIDENCE": ".retrieval.options",
    "Calibration": ".retrieval.ranking.confidence",
    "shipped_calibration": ".retrieval.ranking.confidence",
    "with_small_store": ".retrieval.ranking.confidence",
    "DEFAULT_MODEL": ".retrieval.ranking.model",
    "PRESETS": ".retrieval.ranking.model",
    "RankingModel": ".retrieval.ranking.model",
    "varied": ".retrieval.ranking.model",
    "check_model": ".retrieval.pipeline",
}

__all__ = [
    "DEFAULT_MIN_CONFIDENCE",
    "DEFAULT_MODEL",
    "DEFAULT_RETRIEVAL_TYPES",
    "DENSE_DATATYPE_NAME",
    "FACT_TYPE",
    "LOOPBACK_BASE_URL",
    "PRESETS",
    "SINGLE_TENANT",
    "Calibration",
    "Embedder",
    "MemoryFilter",
    "MemoryIn",
    "MemoryType",
    "MemoryWriter",
    "RankingModel",
    "RetrieveRequest",
    "Scope",
    "ScoredPoint",
    "SearchRequest",
    "SensitiveKind",
    "Settings",
    "TokenizerRegistry",
    "VectorIndex",
    "VectorPoint",
    "bulk_index",
    "bulk_writer",
    "check_model",
    "configured_app",
    "configured_embedder",
    "default_policy",
    "detect",
    "edge_app",
    "embedded_ingest",
    "luhn_ok",
    "memory_index",
    "memory_line",
    "pipeline_retriever",
    "redis_client",
    "resolve_model_path",
    "run_transaction",
    "screen",
    "section_header",
    "shipped_calibration",
    "time_header",
    "transaction_acknowledged",
    "varied",
    "with_small_store",
]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __package__), name)
    globals()[name] = value  # the next use finds it without this hook
    return value


def configured_embedder() -> Embedder:
    """The embedder the MNEMO_EMBEDDING_* settings of this environment name (what a server here runs)."""
    from .api.config.settings import Settings
    from .backends.embedding.embedder import open_embedder

    settings = Settings()
    return open_embedder(
        settings.embedding.backend,
        settings.embedding.model,
        settings.embedding.runtime,
        settings.embedding.onnx_cache,
        settings.embedding.bulk_niceness,
    )


def edge_app(data_dir: Path, embedder: Embedder | None = None) -> Litestar:
    """The app on Qdrant Edge in `data_dir`, without API keys, whatever MNEMO_QDRANT_* and
    MNEMO_API_KEYS say here; `embedder`: one to use instead of the configured one (a cache)."""
    from .api.config.settings import Settings
    from .api.http.app import create_app
    from .backends.qdrant.config import QdrantConfig

    return create_app(Settings(data_dir=data_dir, api_keys=None, qdrant=QdrantConfig()), embedder)


def configured_app(**settings: Any) -> Litestar:
    """The app with these settings over this environment's: each a field of `Settings`, a group
    (`redis`, `working`, …) given as a dict of its fields, as MNEMO_REDIS__URL and the like set them."""
    from .api.config.settings import Settings
    from .api.http.app import create_app

    return create_app(Settings(**settings))


def bulk_index(data_dir: Path, dimension: int, *, served_payload_cache: bool = False) -> EdgeVectorIndex:
    """A Qdrant Edge index in `data_dir` (not yet open) that builds no HNSW in the background while
    a bulk load runs: the benchmark builds it once after, timed (`optimize()`).
    `served_payload_cache`: the payload cache the service gives its index."""
    from .backends.qdrant.config import QdrantConfig
    from .backends.qdrant_edge.index import EdgeVectorIndex

    cache = QdrantConfig().payload_cache if served_payload_cache else 0
    return EdgeVectorIndex(
        data_dir / "qdrant", "mnemo", dimension, optimize_threshold=2**62, payload_cache=cache
    )


def bulk_writer(
    index: VectorIndex, data_dir: Path, embedder: Embedder, tokenizers: Any = None
) -> MemoryWriter:
    """The write path over `index`, as the service builds it (BM25 vectors, the data dir's id key):
    it makes the records and payloads a bulk load upserts itself."""
    from .backends.embedding.sparse import Bm25Encoder
    from .backends.id_key import open_id_keys
    from .backends.tokenizer import TokenizerRegistry
    from .ingest.pipeline import MemoryWriter

    tokens = tokenizers or TokenizerRegistry()
    return MemoryWriter(index, embedder, tokens, sparse=Bm25Encoder(), ids=open_id_keys(data_dir))


def memory_index(dimension: int) -> VectorIndex:
    """An index on qdrant-client's local mode in memory (brute force): the other backend the
    latency benchmark sets beside Qdrant Edge. Not yet open."""
    from qdrant_client import AsyncQdrantClient

    from .backends.qdrant_server.index import QdrantClientVectorIndex

    return QdrantClientVectorIndex(AsyncQdrantClient(location=":memory:"), "mnemo", dimension)


def pipeline_retriever(index: VectorIndex, embedder: Embedder, tokenizers: Any) -> Retriever:
    """The retrieval pipeline over `index` with the default configuration and BM25, no HTTP."""
    from .backends.embedding.sparse import Bm25Encoder
    from .retrieval.pipeline import RetrievalConfig, Retriever

    return Retriever(index, embedder, tokenizers, RetrievalConfig(), sparse=Bm25Encoder())


async def embedded_ingest(
    source: Path, scratch: Path, batch: int, warm_texts: list[str]
) -> tuple[float, float, dict[str, Any]]:
    """`mnemo ingest source` in embedded mode into a fresh data dir under `scratch`, with the write
    path's defaults: its seconds, the seconds of the HNSW build after it, and its summary.
    `warm_texts` are embedded first, not stored (the model's first calls are slow)."""
    from .api.config.settings import Settings
    from .api.http.maintenance import build_pending_indexes
    from .api.http.services import open_services
    from .ingest.batch import Checkpoint, ingest_file

    services = await open_services(Settings(data_dir=scratch / "data"))
    try:
        await services.embedder.embed(warm_texts)
        summary = await ingest_file(
            source,
            services.writer,
            default_tenant="default",
            batch_size=batch,
            checkpoint=Checkpoint(scratch / "state", source),
        )
        started = time.perf_counter()
        await build_pending_indexes(services.index, min_backlog=1)
        index_s = time.perf_counter() - started
    finally:
        await services.close()
    return summary.seconds, index_s, summary.as_dict()


def redis_client(url: str, cluster: bool, timeout_s: float = 5.0) -> Any:
    """A client of the Redis (or Redis Cluster, reached by any one node's URL) at `url`, as the
    working store makes it."""
    from .backends.redis.client import make_client
    from .backends.redis.cluster import make_cluster_client

    return (make_cluster_client if cluster else make_client)(url, timeout_s)
