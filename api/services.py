"""The engines and pipelines one app instance runs on, opened in the lifespan, closed on shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from api.auth import KeyRing
from api.settings import Settings
from backends.embedder import open_embedder
from backends.llm_reviewer import OpenAICompatibleReviewer
from backends.redis_client import RedisConfig, RedisGateway, open_redis
from backends.redis_keys import KeySpace
from backends.redis_locks import RedisLocks
from backends.redis_threads import RedisThreadStore
from backends.redis_working import RedisWorkingStore
from backends.sparse import Bm25Encoder
from backends.tokenizer import TokenizerRegistry
from ingest.dedup import DEFAULT_MERGE_THRESHOLDS, DedupConfig
from ingest.forget import Forgetter
from ingest.history import ChangeHistory
from ingest.lifecycle import AccessLog, Lifecycle
from ingest.pipeline import MemoryWriter, WriteConfig
from ingest.prefilter import DEFAULT_FILLERS, DEFAULT_MIN_CHARS, PrefilterConfig, filler_form
from ingest.threads import ThreadConfig, Threads
from ingest.working import WorkingConfig, WorkingMemory
from memtypes.errors import Unavailable
from memtypes.models import MODEL_REGISTRY, RegisteredModel, model_specs
from memtypes.ports import DocumentStore, Embedder, VectorIndex
from retrieval.catalog import Catalog
from retrieval.pipeline import RetrievalConfig, Retriever
from retrieval.threads import ThreadHistoryReader

log = logging.getLogger("mnemo.services")


@dataclass
class Services:
    settings: Settings
    keys: KeyRing
    index: VectorIndex
    embedder: Embedder
    tokenizers: TokenizerRegistry
    writer: MemoryWriter
    retriever: Retriever
    catalog: Catalog
    lifecycle: Lifecycle
    access_log: AccessLog
    reviewers: list[OpenAICompatibleReviewer]
    redis: RedisGateway
    locks: RedisLocks  # for any read-modify-write across replicas (e.g. the write path's supersede)
    working: WorkingMemory
    threads: Threads
    history: ThreadHistoryReader
    # Per-memory change history and per-subject forget (issue 20).
    changes: ChangeHistory
    forgetter: Forgetter
    _flusher: asyncio.Task[None] | None = None
    _sweeper: asyncio.Task[None] | None = field(default=None, repr=False)

    def start(self) -> None:
        """Background work that lives as long as the app: flushing access bookkeeping, archiving
        expired working memory."""
        self._flusher = asyncio.create_task(self._flush_access_periodically())
        self._sweeper = asyncio.create_task(self._sweep_working_memory())

    async def _flush_access_periodically(self) -> None:
        while True:
            await asyncio.sleep(self.settings.access_flush_interval_s)
            try:
                await self.access_log.flush()
            except Exception:  # bookkeeping must never take the service down; try again next round
                log.exception("flushing access bookkeeping failed")

    async def _sweep_working_memory(self) -> None:
        """Every replica may sweep: the task lock and a re-check under it archive each task once
        (and archive ids are deterministic anyway)."""
        while True:
            await asyncio.sleep(self.settings.working_sweep_interval_s)
            try:
                if swept := await self.working.sweep():
                    log.info("archived %d expired working-memory task(s)", swept)
            except Unavailable as exc:
                log.debug("working-memory sweep skipped: %s", exc.detail)
            except Exception:  # the sweep must never take the service down; try again next round
                log.exception("working-memory sweep failed")

    async def close(self) -> None:
        for task in (self._flusher, self._sweeper):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await self.access_log.flush()
        for reviewer in self.reviewers:
            await reviewer.close()
        await self.redis.close()
        await self.changes.store.close()
        await self.index.close()
        self.embedder.close()


def _vector_index(settings: Settings, dimension: int) -> VectorIndex:
    if settings.qdrant_url:
        from qdrant_client import AsyncQdrantClient

        from backends.qdrant_breaker import BreakerGuardedIndex
        from backends.qdrant_client import QdrantClientVectorIndex
        from backends.qdrant_sharding import QdrantSharding

        api_key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
        timeout = max(1, round(settings.qdrant_timeout_s))  # the client takes whole seconds
        client = AsyncQdrantClient(url=settings.qdrant_url, api_key=api_key, timeout=timeout)
        sharding = QdrantSharding(
            settings.qdrant_sharding, settings.qdrant_shard_keys, settings.qdrant_replication_factor
        )
        index = QdrantClientVectorIndex(client, settings.collection_prefix, dimension, sharding)
        return BreakerGuardedIndex(index, settings.qdrant_breaker_failures, settings.qdrant_breaker_reset_s)
    from backends.qdrant_edge import EdgeVectorIndex

    return EdgeVectorIndex(
        settings.data_dir / "qdrant",
        settings.collection_prefix,
        dimension,
        optimize_threshold=settings.optimize_threshold,
        durable_writes=settings.durable_writes,
    )


def document_store(settings: Settings, index: VectorIndex) -> DocumentStore:
    """The change history's store, beside the vectors: the same Qdrant server (and client) or data dir."""
    from backends.history_store import ClientDocumentStore, EdgeDocumentStore

    client = getattr(getattr(index, "inner", index), "client", None)  # the server's client, if any
    if client is not None:
        return ClientDocumentStore(client, settings.collection_prefix)
    return EdgeDocumentStore(
        settings.data_dir / "qdrant", settings.collection_prefix, durable=settings.durable_writes
    )


async def build_pending_indexes(index: VectorIndex, min_backlog: int = 5_000) -> None:
    """Build pending HNSW indexes now: before serving, or after a bulk load.

    qdrant-edge-py holds the GIL for a whole `optimize()`, so an optimization while serving stalls
    every request; at start-up nobody is waiting yet.
    """
    from backends.qdrant_edge import EdgeVectorIndex

    if not isinstance(index, EdgeVectorIndex):
        return
    backlog = sum(s.points - s.indexed_vectors for s in (await index.indexing_status()).values())
    if backlog >= min_backlog:
        log.info("building HNSW indexes for %d unindexed vectors before serving", backlog)
        await index.optimize()


async def open_services(
    settings: Settings, models: Sequence[RegisteredModel] = (), embedder: Embedder | None = None
) -> Services:
    """`models`: target models MNEMO_CONFIG registers (their tokenizers are loaded here).
    `embedder`: one to use instead of the one the settings name (the benchmarks' embedding cache);
    the services own it from here on and close it."""
    keys = KeyRing(settings.api_keys.get_secret_value() if settings.api_keys else None)
    tokenizers = TokenizerRegistry(default=settings.default_encoding, models=models)
    embedder = embedder or open_embedder(
        settings.embedding_backend, settings.embedding_model, settings.embedding_runtime, settings.onnx_cache
    )
    index = _vector_index(settings, embedder.dimension)
    await index.open()
    await build_pending_indexes(index)
    documents = document_store(settings, index)
    try:
        await documents.open()
    except BaseException:
        await index.close()
        raise
    config = RetrievalConfig(
        default_budget_tokens=settings.default_budget_tokens,
        model_budget_share=settings.model_budget_share,
        default_working_budget_tokens=settings.working_budget_tokens,
        search=settings.search,
        fusion=settings.fusion,
        diversity=settings.diversity,
        neighbours=settings.neighbours,
        temporal=settings.temporal,
    )
    sparse = Bm25Encoder()
    try:
        redis = await open_redis(redis_config(settings))
    except BaseException:
        await documents.close()
        await index.close()
        raise
    keyspace = KeySpace(settings.redis_key_prefix)
    locks = RedisLocks(redis, keyspace)
    working_store = RedisWorkingStore(redis, keyspace)
    thread_store = RedisThreadStore(redis, keyspace)
    log.info(
        "mnemo ready: vectors=%s, redis=%s, embedding=%s (%d dims), tenancy=%s",
        (settings.qdrant_url and "qdrant server") or f"qdrant edge at {settings.data_dir / 'qdrant'}",
        f"embedded at {redis.embedded.socket_path}" if redis.embedded else "server",
        settings.embedding_model,
        embedder.dimension,
        "single-tenant (no API keys)" if keys.single_tenant else "API keys",
    )
    reviewers = []
    if settings.llm_reviewer_url:
        api_key = settings.llm_reviewer_api_key.get_secret_value() if settings.llm_reviewer_api_key else None
        reviewers.append(
            OpenAICompatibleReviewer(
                settings.llm_reviewer_url, settings.llm_reviewer_model, api_key, settings.review_timeout_s
            )
        )
    # Replicas exist only with a Qdrant server: an embedded Edge data dir is held by one process (its
    # WAL lock), where the writer's process lock is exact and a crashed run can leave no stale lock.
    shared_locks = locks if settings.qdrant_url else None
    writer = MemoryWriter(
        index, embedder, tokenizers, write_config(settings), reviewers, sparse, shared_locks
    )
    changes = writer.history = ChangeHistory(documents)
    return Services(
        settings=settings,
        keys=keys,
        index=index,
        embedder=embedder,
        tokenizers=tokenizers,
        writer=writer,
        retriever=Retriever(
            index,
            embedder,
            tokenizers,
            config,
            working_store,
            sparse,
            {**MODEL_REGISTRY, **model_specs(models)},
        ),
        catalog=Catalog(index),
        lifecycle=Lifecycle(index, writer),
        access_log=AccessLog(index, writer),
        reviewers=reviewers,
        redis=redis,
        locks=locks,
        working=WorkingMemory(
            working_store,
            locks,
            writer,
            tokenizers,
            WorkingConfig(max_tokens=settings.working_max_tokens, ttl_s=settings.working_ttl_s),
        ),
        threads=Threads(thread_store, locks, writer, tokenizers, ThreadConfig(ttl_s=settings.thread_ttl_s)),
        history=ThreadHistoryReader(thread_store, tokenizers),
        changes=changes,
        forgetter=Forgetter(index, working_store, thread_store, locks, changes),
    )


def redis_config(settings: Settings) -> RedisConfig:
    return RedisConfig(
        url=settings.redis_url.get_secret_value() if settings.redis_url else None,
        data_dir=settings.data_dir,
        timeout_s=settings.redis_timeout_s,
        breaker_failures=settings.redis_breaker_failures,
        breaker_reset_s=settings.redis_breaker_reset_s,
        lock_ttl_s=settings.lock_ttl_s,
        lock_wait_s=settings.lock_wait_s,
    )


def write_config(settings: Settings) -> WriteConfig:
    fillers = (
        DEFAULT_FILLERS
        if settings.filler_phrases is None
        else frozenset(filler_form(p) for p in settings.filler_phrases)
    )
    return WriteConfig(
        prefilter=PrefilterConfig({**DEFAULT_MIN_CHARS, **settings.prefilter_min_chars}, fillers),
        dedup=DedupConfig({**DEFAULT_MERGE_THRESHOLDS, **settings.merge_thresholds}),
        review_timeout_s=settings.review_timeout_s,
    )
