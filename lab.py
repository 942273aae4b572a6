"""The lab's door: the one module of the server the benchmark harness may import.

The harness (`benchmarks/`, installed as `mnemo.benchmarks` from its own distribution, mnemo-bench)
is a guest of the server. It speaks to mnemo through `mnemo_client`, to a running service or to the
app run in its own process, and takes records, scopes, memory types and privacy kinds from there as
any caller does; of the server package it imports nothing but this module (an import-linter contract
in pyproject.toml). What is here must run in-process, each group for the reason given:

- The app in this process (`edge_app`, `configured_app`, `LOOPBACK_BASE_URL`): the in-process target
  is the real app, spoken to through mnemo_client over Litestar's test transport. What a benchmark
  asks of it below its API goes through functions, never the app's attributes: its embedder
  (`app_embedder`: the baselines embed with it), its index's own neighbours and searches
  (`nearest_similarities`, `searches_recorded`, `index_search`: the ANN check, the repeatability
  benchmark), and variants of its retrieval settings and ranking model that no user sets
  (`retrieval_varied`, `ranking_variant`).
- The embedder this environment configures (`configured_embedder`, `configured_embedding_model`,
  `resolve_model_path`, `Embedder`) and the tokenizers (`TokenizerRegistry`): the harness embeds its
  datasets, keys its embedding cache by the model's files, and counts tokens as the service does.
- Records as the API takes them (`accepted_memory`, `searched_by_default`): a dataset line is checked
  before a load of minutes (the API has no dry run); the baselines search the types a retrieval that
  names none searches (the server's registry decides, and no response says which).
- The engine's searches and stores (`VectorIndex`, `SearchRequest`, `ScoredPoint`, `VectorPoint`,
  `top_k_search`, `bulk_index`, `point_maker`, `bulk_upsert`, `memory_index`, `pipeline_retrieval`,
  `DENSE_DATATYPE_NAME`): searches are timed and recorded below the API, a million memories load with
  synthesized vectors straight into the engine (hours through the API), the pipeline runs without HTTP.
- The context's lines (`memory_line`, `section_header`, `time_header`): the baselines pack their hits
  into lines the way the service renders them, counted in the same tokens.
- `embedded_ingest` (what `mnemo ingest FILE` runs in embedded mode) and the Redis transactions of the
  working store (`redis_client`, `run_transaction`, `transaction_acknowledged`): timed as they run.
- The privacy screen (`detect`, `fact_screens`): detectors scored span by span, the screen timed.
- The confidence model (`Calibration`, `shipped_calibration`, `with_small_store`,
  `DEFAULT_MIN_CONFIDENCE`): `mnemo bench calibrate` fits the model the service ships.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from litestar import Litestar

    from .api.guards.request_gate import LOOPBACK_BASE_URL
    from .api.http.services import Services
    from .backends.embedding.embedder import resolve_model_path
    from .backends.qdrant_edge.index import EdgeVectorIndex
    from .backends.qdrant_edge.layout import DENSE_DATATYPE_NAME
    from .backends.redis.replica_ack import run_transaction, transaction_acknowledged
    from .backends.tokenizer import TokenizerRegistry
    from .memtypes.ports import Embedder, VectorIndex
    from .memtypes.privacy.detectors import detect
    from .memtypes.queries import ScoredPoint, SearchRequest, VectorPoint
    from .memtypes.rendering import time_header
    from .retrieval.options import DEFAULT_MIN_CONFIDENCE
    from .retrieval.pipeline import ranking_variant
    from .retrieval.ranking.confidence import Calibration, shipped_calibration, with_small_store

# Each name is imported when first used, not with this module: `mnemo bench … --help` imports the
# harness's parser, which names some of them, and must not load the service to answer
# (tests/unit/test_cli_light_start.py).
_MODULE_OF = {
    "LOOPBACK_BASE_URL": ".api.guards.request_gate",
    "resolve_model_path": ".backends.embedding.embedder",
    "DENSE_DATATYPE_NAME": ".backends.qdrant_edge.layout",
    "run_transaction": ".backends.redis.replica_ack",
    "transaction_acknowledged": ".backends.redis.replica_ack",
    "TokenizerRegistry": ".backends.tokenizer",
    "Embedder": ".memtypes.ports",
    "VectorIndex": ".memtypes.ports",
    "detect": ".memtypes.privacy.detectors",
    "ScoredPoint": ".memtypes.queries",
    "SearchRequest": ".memtypes.queries",
    "VectorPoint": ".memtypes.queries",
    "time_header": ".memtypes.rendering",
    "DEFAULT_MIN_CONFIDENCE": ".retrieval.options",
    "Calibration": ".retrieval.ranking.confidence",
    "shipped_calibration": ".retrieval.ranking.confidence",
    "with_small_store": ".retrieval.ranking.confidence",
    "ranking_variant": ".retrieval.pipeline",
}

__all__ = [
    "DEFAULT_MIN_CONFIDENCE",
    "DENSE_DATATYPE_NAME",
    "LOOPBACK_BASE_URL",
    "Calibration",
    "Embedder",
    "ScoredPoint",
    "SearchRequest",
    "TokenizerRegistry",
    "VectorIndex",
    "VectorPoint",
    "accepted_memory",
    "app_embedder",
    "bulk_index",
    "bulk_upsert",
    "configured_app",
    "configured_embedder",
    "configured_embedding_model",
    "detect",
    "edge_app",
    "embedded_ingest",
    "fact_screens",
    "index_search",
    "memory_index",
    "memory_line",
    "nearest_similarities",
    "pipeline_retrieval",
    "point_maker",
    "ranking_variant",
    "redis_client",
    "resolve_model_path",
    "retrieval_varied",
    "run_transaction",
    "searched_by_default",
    "searches_recorded",
    "section_header",
    "shipped_calibration",
    "time_header",
    "top_k_search",
    "transaction_acknowledged",
    "with_small_store",
]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __package__), name)
    globals()[name] = value  # the next use finds it without this hook
    return value


# --- The app in this process ------------------------------------------------------------------


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


def _services(app: Litestar) -> Services:
    services: Services | None = getattr(app.state, "services", None)
    if services is None:
        raise RuntimeError("the app is not running: its services open with its lifespan (a client of it)")
    return services


def app_embedder(app: Litestar) -> Embedder:
    """The embedder the running `app` embeds with."""
    return _services(app).embedder


async def nearest_similarities(
    app: Litestar, vector: Sequence[float], scope: Mapping[str, Any], types: Sequence[str], depth: int
) -> list[float]:
    """Similarities of the running `app`'s vector index's own nearest neighbours of `vector` in
    `scope` (the tenant of an app without API keys), `depth` of each type, no ranking formula; the
    best `depth` of them, best first."""
    from .api.guards.auth import SINGLE_TENANT

    requests = [top_k_search(t, vector, SINGLE_TENANT, scope, depth) for t in types]
    found = await _services(app).index.search(requests)
    return sorted((hit.score for hits in found for hit in hits), reverse=True)[:depth]


@contextmanager
def searches_recorded(app: Litestar) -> Iterator[list[SearchRequest]]:
    """Inside, every search the running `app` asks of its vector index is added to the list given."""
    index = _services(app).index
    search = index.search
    sent: list[SearchRequest] = []

    async def recorded(requests: Sequence[SearchRequest]) -> list[list[ScoredPoint]]:
        sent.extend(requests)
        return await search(requests)

    index.search = recorded  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        index.search = search  # type: ignore[method-assign]


async def index_search(app: Litestar, requests: Sequence[SearchRequest]) -> list[list[ScoredPoint]]:
    """The running `app`'s vector index asked these searches directly."""
    return await _services(app).index.search(requests)


@contextmanager
def retrieval_varied(
    app: Litestar, config: Mapping[str, Any], preset: str | None, changes: Mapping[str, Any]
) -> Iterator[None]:
    """Inside, the running `app` retrieves with these `RetrievalConfig` fields changed, and ranks by
    `ranking_variant(preset, changes, its own model)`: what a sweep varies that no user sets."""
    retriever = _services(app).retriever
    base_config, base_model = retriever.config, retriever.model
    if config:
        retriever.config = base_config.model_copy(update=dict(config))
    if preset is not None or changes:
        from .retrieval.pipeline import ranking_variant

        retriever.model = ranking_variant(preset, changes, base_model)
    try:
        yield
    finally:
        retriever.config = base_config
        if retriever.model is not base_model:
            retriever.model = base_model


# --- The embedder, the records, the engine's searches -------------------------------------------


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


def configured_embedding_model() -> str:
    """The name of the embedding model this environment's settings name (MNEMO_EMBEDDING__MODEL)."""
    from .api.config.settings import Settings

    return Settings().embedding.model


def accepted_memory(row: Mapping[str, Any]) -> dict[str, Any]:
    """The memory `row` (what `POST /v1/memories` takes) as the API would store it, as JSON values;
    a pydantic ValidationError says why the API would refuse it."""
    from .memtypes.records import MemoryIn

    return MemoryIn.model_validate(row).model_dump(mode="json", exclude_none=True)


def searched_by_default() -> tuple[str, ...]:
    """The memory types a retrieval searches when it names none."""
    from .memtypes.types import DEFAULT_RETRIEVAL_TYPES

    return tuple(t.value for t in DEFAULT_RETRIEVAL_TYPES)


def top_k_search(
    memory_type: str, vector: Sequence[float], tenant: str, scope: Mapping[str, Any], k: int
) -> SearchRequest:
    """The `k` nearest neighbours of `vector` among the current memories of one type in `scope`
    (its fields `user_id`, `agent_id`, `thread_id`, `namespace`), by cosine alone: no formula, no BM25."""
    from .memtypes.queries import MemoryFilter, SearchRequest
    from .memtypes.records import Scope
    from .memtypes.types import MemoryType

    flt = MemoryFilter(tenant=tenant, scope=Scope.model_validate(dict(scope)))
    return SearchRequest(MemoryType(memory_type), list(vector), flt, k, k)


# --- Stores built in-process --------------------------------------------------------------------


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


def point_maker(
    data_dir: Path | None, tokenizers: Any = None
) -> Callable[[str, Mapping[str, Any], Sequence[float], datetime], VectorPoint]:
    """What the write path, as the service builds it (BM25 vectors, the id key of `data_dir`; None: a
    key of this process alone), would upsert for a memory: called with the tenant, the memory as the
    API takes it (JSON values), the vector to store instead of the embedder's, and the time it is
    written at. Each point comes after the one made before it in the write order."""
    from .backends.embedding.sparse import Bm25Encoder
    from .backends.id_key import open_id_keys
    from .backends.tokenizer import TokenizerRegistry
    from .ingest.pipeline import MemoryWriter
    from .memtypes.queries import VectorPoint
    from .memtypes.records import MemoryIn

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
    from .memtypes.types import MemoryType

    await index.upsert(MemoryType(memory_type), points)


def memory_index(dimension: int) -> VectorIndex:
    """An index on qdrant-client's local mode in memory (brute force): the other backend the
    latency benchmark sets beside Qdrant Edge. Not yet open."""
    from qdrant_client import AsyncQdrantClient

    from .backends.qdrant_server.index import QdrantClientVectorIndex

    return QdrantClientVectorIndex(AsyncQdrantClient(location=":memory:"), "mnemo", dimension)


def pipeline_retrieval(
    index: VectorIndex, embedder: Embedder, tokenizers: Any
) -> Callable[[str, Mapping[str, Any]], Awaitable[dict[str, float]]]:
    """The retrieval pipeline over `index` with the default configuration and BM25, no HTTP: called
    with a tenant and a request body as `POST /v1/retrieve` takes it, it retrieves and answers the
    timings of its stages (`timings_ms`)."""
    from .backends.embedding.sparse import Bm25Encoder
    from .memtypes.requests import RetrieveRequest
    from .retrieval.pipeline import RetrievalConfig, Retriever

    retriever = Retriever(index, embedder, tokenizers, RetrievalConfig(), sparse=Bm25Encoder())

    async def retrieve(tenant: str, body: Mapping[str, Any]) -> dict[str, float]:
        response = await retriever.retrieve(tenant, RetrieveRequest.model_validate(body))
        return dict(response.metadata.timings_ms)

    return retrieve


# --- The context's lines, the privacy screen ----------------------------------------------------


def memory_line(memory_type: str, content: str, due_at: datetime | None = None) -> str:
    """One memory as the service renders it on a context line."""
    from .memtypes import rendering
    from .memtypes.types import MemoryType

    return rendering.memory_line(MemoryType(memory_type), content, due_at)


def section_header(memory_type: str) -> str:
    """The header of a context's section of one memory type."""
    from .memtypes import rendering
    from .memtypes.types import MemoryType

    return rendering.section_header(MemoryType(memory_type))


def fact_screens(contents: Sequence[str]) -> list[Callable[[], object]]:
    """For each of `contents`, a fact memory ready to be screened, and the call that screens it as
    the write path does (the default policy, refusing what it refuses): what is timed is the call."""
    from .ingest.prefilter import default_policy, screen
    from .memtypes.records import MemoryIn
    from .memtypes.types import FACT_TYPE

    items = [MemoryIn(type=FACT_TYPE, content=content) for content in contents]
    return [partial(screen, default_policy, "bench", [item], refuse=True) for item in items]


# --- Ingest and Redis as the service runs them ---------------------------------------------------


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
