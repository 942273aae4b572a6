"""The engines and pipelines one app instance runs on, opened in the lifespan, closed on shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from api.auth import KeyRing
from api.settings import Settings
from backends.embedder import SentenceTransformerEmbedder
from backends.redis_client import RedisConfig, RedisGateway, open_redis
from backends.redis_keys import KeySpace
from backends.redis_locks import RedisLocks
from backends.redis_threads import RedisThreadStore
from backends.redis_working import RedisWorkingStore
from backends.tokenizer import TokenizerRegistry
from ingest.pipeline import MemoryWriter
from ingest.threads import ThreadConfig, Threads
from ingest.working import WorkingConfig, WorkingMemory
from memtypes.errors import Unavailable
from memtypes.ports import VectorIndex
from retrieval.catalog import Catalog
from retrieval.pipeline import RetrievalConfig, Retriever
from retrieval.threads import ThreadHistoryReader

log = logging.getLogger("mnemo.services")
_STARTUP_OPTIMIZE_MIN = 5_000


@dataclass
class Services:
    settings: Settings
    keys: KeyRing
    index: VectorIndex
    embedder: SentenceTransformerEmbedder
    tokenizers: TokenizerRegistry
    writer: MemoryWriter
    retriever: Retriever
    catalog: Catalog
    redis: RedisGateway
    locks: RedisLocks  # for any read-modify-write of the write path (e.g. semantic supersede)
    working: WorkingMemory
    threads: Threads
    history: ThreadHistoryReader
    _sweeper: asyncio.Task[None] | None = field(default=None, repr=False)

    def start_sweeper(self) -> None:
        self._sweeper = asyncio.create_task(
            _sweep_forever(self.working, self.settings.working_sweep_interval_s)
        )

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        await self.redis.close()
        await self.index.close()
        self.embedder.close()


async def _sweep_forever(working: WorkingMemory, interval_s: float) -> None:
    """Archive expired tasks every `interval_s`. Every replica may sweep: the task lock and a re-check
    under it make each task archived once, and archive ids are deterministic anyway."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            swept = await working.sweep()
            if swept:
                log.info("archived %d expired working-memory task(s)", swept)
        except Unavailable as exc:
            log.debug("sweep skipped: %s", exc.detail)
        except Exception:
            log.exception("working-memory sweep failed; retrying next interval")


def redis_config(settings: Settings) -> RedisConfig:
    return RedisConfig(
        url=settings.redis_url.get_secret_value() if settings.redis_url else None,
        data_dir=settings.data_dir,
        key_prefix=settings.redis_key_prefix,
        timeout_s=settings.redis_timeout_s,
        breaker_failures=settings.redis_breaker_failures,
        breaker_reset_s=settings.redis_breaker_reset_s,
        lock_ttl_s=settings.lock_ttl_s,
        lock_wait_s=settings.lock_wait_s,
    )


def _vector_index(settings: Settings, dimension: int) -> VectorIndex:
    if settings.qdrant_url:
        from qdrant_client import AsyncQdrantClient

        from backends.qdrant_client import QdrantClientVectorIndex

        api_key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
        client = AsyncQdrantClient(url=settings.qdrant_url, api_key=api_key)
        return QdrantClientVectorIndex(client, settings.collection_prefix, dimension)
    from backends.qdrant_edge import EdgeVectorIndex

    return EdgeVectorIndex(
        settings.data_dir / "qdrant",
        settings.collection_prefix,
        dimension,
        optimize_threshold=settings.optimize_threshold,
    )


async def _index_backlog_before_serving(index: VectorIndex) -> None:
    """Build pending HNSW indexes before the first request rather than during one.

    qdrant-edge-py holds the GIL for a whole `optimize()`, so an optimization while serving stalls
    every request; at start-up nobody is waiting yet.
    """
    from backends.qdrant_edge import EdgeVectorIndex

    if not isinstance(index, EdgeVectorIndex):
        return
    backlog = sum(s.points - s.indexed_vectors for s in (await index.indexing_status()).values())
    if backlog >= _STARTUP_OPTIMIZE_MIN:
        log.info("building HNSW indexes for %d unindexed vectors before serving", backlog)
        await index.optimize()


async def open_services(settings: Settings) -> Services:
    keys = KeyRing(settings.api_keys.get_secret_value() if settings.api_keys else None)
    tokenizers = TokenizerRegistry(default=settings.default_encoding)
    embedder = SentenceTransformerEmbedder(settings.embedding_model)
    index = _vector_index(settings, embedder.dimension)
    await index.open()
    await _index_backlog_before_serving(index)
    config = RetrievalConfig(
        default_budget_tokens=settings.default_budget_tokens,
        model_budget_share=settings.model_budget_share,
        default_working_budget_tokens=settings.working_budget_tokens,
    )
    try:
        redis = await open_redis(redis_config(settings))
    except BaseException:
        await index.close()
        raise
    keyspace = KeySpace(settings.redis_key_prefix)
    locks = RedisLocks(redis, keyspace)
    working_store = RedisWorkingStore(redis, keyspace)
    thread_store = RedisThreadStore(redis, keyspace)
    writer = MemoryWriter(index, embedder, tokenizers)
    log.info(
        "mnemo ready: vectors=%s, redis=%s, embedding=%s (%d dims), tenancy=%s",
        (settings.qdrant_url and "qdrant server") or f"qdrant edge at {settings.data_dir / 'qdrant'}",
        "server" if settings.redis_url else f"embedded at {redis.embedded and redis.embedded.socket_path}",
        settings.embedding_model,
        embedder.dimension,
        "single-tenant (no API keys)" if keys.single_tenant else "API keys",
    )
    services = Services(
        settings=settings,
        keys=keys,
        index=index,
        embedder=embedder,
        tokenizers=tokenizers,
        writer=writer,
        retriever=Retriever(index, embedder, tokenizers, config, working_store),
        catalog=Catalog(index),
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
    )
    services.start_sweeper()
    return services
