"""What a start opens before anything is built on it: the embedding model, the tokenizers, the
vector index and the change history's store beside it, and Redis (services.py builds the service's
components over them); and the data dir's free-space reserve, checked before any of it opens."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiobreaker import CircuitBreaker

from ...backends.embedding.embedder import open_embedder
from ...backends.redis.client import RedisGateway, open_redis
from ...backends.storage_reserve import StorageReserve
from ...backends.tokenizer import TokenizerRegistry
from ...memtypes.errors import InsufficientStorage
from ...memtypes.models import RegisteredModel
from ...memtypes.ports import DocumentStore, Embedder, VectorIndex
from ..config.settings import Settings
from .lifespan_steps import StartupSteps

if TYPE_CHECKING:
    from qdrant_client import AsyncQdrantClient

log = logging.getLogger("mnemo.services")
MIB = 1024 * 1024


@dataclass(frozen=True)
class VectorStore:
    """The vector index, the change history's store beside it, and the breaker guarding them."""

    index: VectorIndex
    documents: DocumentStore
    breaker: CircuitBreaker | None  # a Qdrant server's; embedded Qdrant Edge has none
    client: AsyncQdrantClient | None = None  # a server's, for tools that read it directly (import)


def vector_store(settings: Settings, dimension: int) -> VectorStore:
    """A Qdrant server's (`MNEMO_QDRANT__URL`) collections, or Qdrant Edge shards in the data dir."""
    from ...backends.qdrant.history_store import ClientDocumentStore, EdgeDocumentStore

    qdrant = settings.qdrant
    if qdrant.url:
        from qdrant_client import AsyncQdrantClient

        from ...backends.qdrant_server.breaker import BreakerGuardedIndex
        from ...backends.qdrant_server.index import QdrantClientVectorIndex
        from ...backends.qdrant_server.sharding import QdrantSharding

        api_key = qdrant.api_key.get_secret_value() if qdrant.api_key else None
        timeout = max(1, round(qdrant.timeout_s))  # the client takes whole seconds
        client = AsyncQdrantClient(url=qdrant.url, api_key=api_key, timeout=timeout)
        sharding = QdrantSharding(qdrant.sharding, qdrant.shard_keys, qdrant.replication_factor)
        inner = QdrantClientVectorIndex(client, settings.collection_prefix, dimension, sharding)
        guarded = BreakerGuardedIndex(inner, qdrant.breaker_failures, qdrant.breaker_reset_s)
        # The change history on the same server, through the same client.
        documents: DocumentStore = ClientDocumentStore(client, settings.collection_prefix)
        return VectorStore(guarded, documents, guarded.breaker, client)
    from ...backends.qdrant_edge.index import EdgeVectorIndex
    from ...backends.qdrant_edge.process import EdgeProcessIndex

    directory = settings.data_dir / "qdrant"
    engine = EdgeProcessIndex if qdrant.engine_process else EdgeVectorIndex
    index = engine(
        directory,
        settings.collection_prefix,
        dimension,
        optimize_threshold=qdrant.optimize_threshold,
        durable_writes=qdrant.durable_writes,
        payload_cache=qdrant.payload_cache,
        storage_reserve_bytes=settings.storage_reserve_bytes,
    )
    documents = EdgeDocumentStore(directory, settings.collection_prefix, durable=qdrant.durable_writes)
    return VectorStore(index, documents, None)


@dataclass(frozen=True)
class Engines:
    """What a start opens before anything is built on it."""

    embedder: Embedder
    tokenizers: TokenizerRegistry
    store: VectorStore
    redis: RedisGateway

    async def close(self) -> None:
        await self.redis.close()
        await self.store.documents.close()
        await self.store.index.close()
        self.embedder.close()


def embedded_store_dir(settings: Settings) -> Path | None:
    """Where the embedded vector engine keeps its shards (none with a Qdrant server)."""
    return None if settings.qdrant.url else settings.data_dir / "qdrant"


def storage_reserve(settings: Settings) -> StorageReserve | None:
    """The data dir's free-space reserve, where an embedded engine keeps its files there."""
    if settings.qdrant.url and settings.redis.url:
        return None  # the data dir matters only to the embedded engines
    storage = StorageReserve(settings.data_dir, settings.storage_reserve_bytes, "data dir")
    if (too_full := storage.too_full_to_open(embedded_store_dir(settings))) is not None:
        # Opening maps the shards' files: with no room for what that takes, it is a SIGBUS.
        raise InsufficientStorage(too_full, "data dir", storage.free_bytes())
    if not storage.has_room():
        # After a disk-full incident the reads are what is left: serve them (writes get 507 and
        # /ready says `storage`) and take writes again once space is freed, without a restart.
        log.warning(
            "starting read-only: %.0f MiB free on the data dir's filesystem, below the %.0f MiB "
            "reserve (MNEMO_STORAGE_RESERVE_MB); writes resume once space is freed",
            storage.free_bytes() / MIB,
            storage.reserve_bytes / MIB,
        )
    return storage


async def open_engines(
    settings: Settings,
    steps: StartupSteps,
    models: Sequence[RegisteredModel],
    embedder: Embedder | None,
    storage: StorageReserve | None,
) -> Engines:
    """The embedding model loads in a thread (ONNX Runtime builds its sessions without holding the
    GIL) while another reads the tokenizers' vocabularies; the vector index waits for the model's
    dimension. The embedded redis-server (a process of its own, replaying its append-only file)
    starts once the index holds the data dir's shard locks (a second mnemo on the same dir stops
    there, before it could take over the first one's Redis), while the change history opens.
    The shards' mapped files are backed before and after opening (`StorageReserve.back_mapped_files`),
    so that no read of them can fault for want of space."""
    store_dir = embedded_store_dir(settings) if storage is not None else None
    if storage is not None and store_dir is not None:
        await asyncio.to_thread(storage.back_mapped_files, store_dir)
    embedding = settings.embedding
    embedder_opening = None
    if embedder is None:
        loading = asyncio.to_thread(
            open_embedder,
            embedding.backend,
            embedding.model,
            embedding.runtime,
            embedding.onnx_cache,
            embedding.bulk_niceness,
        )
        embedder_opening = asyncio.create_task(steps.timed("embedder", loading))
    try:
        tokenizers = await steps.timed(
            "tokenizers", asyncio.to_thread(TokenizerRegistry, settings.default_encoding, models=models)
        )
        if embedder_opening is not None:
            embedder = await embedder_opening
        assert embedder is not None
        store = vector_store(settings, embedder.dimension)
        await steps.timed("vectors", store.index.open())
    except BaseException:
        await _abandon(embedder_opening)
        raise
    redis_opening = asyncio.create_task(steps.timed("redis", open_redis(settings.redis, settings.data_dir)))
    try:
        await steps.timed("history", store.documents.open())
        if storage is not None and store_dir is not None:  # what opening created, allocated too
            await asyncio.to_thread(storage.back_mapped_files, store_dir)
        redis = await redis_opening
    except BaseException:
        await _abandon(redis_opening)
        await store.documents.close()
        await store.index.close()
        raise
    return Engines(embedder, tokenizers, store, redis)


async def _abandon(*opening: asyncio.Task[Any] | None) -> None:
    """A start that failed part-way: what the concurrent steps opened is closed again (they are
    let finish, not cancelled: a redis-server cut off while starting would outlive the attempt)."""
    for task in opening:
        if task is None:
            continue
        done = (await asyncio.gather(task, return_exceptions=True))[0]
        if isinstance(done, RedisGateway):
            await done.close()
        elif hasattr(done, "close") and not isinstance(done, BaseException):
            done.close()  # an embedder
