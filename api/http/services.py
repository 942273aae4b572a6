"""The engines and pipelines one app instance runs on, opened in the lifespan, closed on shutdown."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiobreaker import CircuitBreaker

from ...backends.embedding.embedder import open_embedder
from ...backends.embedding.sparse import Bm25Encoder
from ...backends.id_key import id_key_path, pinned_id_keys
from ...backends.llm_reviewer import OpenAICompatibleReviewer
from ...backends.redis.access import RedisAccessCounts
from ...backends.redis.client import RedisGateway, open_redis
from ...backends.redis.keys import KeySpace
from ...backends.redis.locks import RedisLocks
from ...backends.redis.persistence import warn_if_not_durable
from ...backends.redis.threads import RedisThreadStore
from ...backends.redis.working import RedisWorkingStore
from ...backends.signing_key import open_signer
from ...backends.storage_reserve import StorageReserve
from ...backends.tokenizer import TokenizerRegistry
from ...backends.transfer.rekey import rekey_store
from ...backends.transfer.server_copies import ServerCopies
from ...ingest.access import AccessLog
from ...ingest.erasure_ledger import ErasureLedger
from ...ingest.forget import Forgetter
from ...ingest.history import ChangeHistory
from ...ingest.lifecycle import Lifecycle
from ...ingest.pipeline import MemoryWriter
from ...ingest.threads import Threads
from ...ingest.working import SweepReport, WorkingMemory
from ...memtypes.background import cancel_all
from ...memtypes.errors import InsufficientStorage, Unavailable
from ...memtypes.models import MODEL_REGISTRY, RegisteredModel, model_specs
from ...memtypes.ports import DocumentStore, Embedder, VectorIndex
from ...retrieval.catalog import Catalog
from ...retrieval.pipeline import Retriever
from ...retrieval.threads import ThreadHistoryReader
from ..config.settings import Settings
from ..guards.auth import KeyRing
from .lifespan_steps import StartupSteps, stop_step
from .maintenance import eraser_for, start_pending_builds

if TYPE_CHECKING:
    from qdrant_client import AsyncQdrantClient

log = logging.getLogger("mnemo.services")
MIB = 1024 * 1024
STORAGE_POLL_S = 5.0  # how often work that waits for free space looks again


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
    # Per-memory change history and per-subject forget.
    changes: ChangeHistory
    forgetter: Forgetter
    # The circuit breakers in front of the engines, by engine: what /metrics follows.
    breakers: dict[str, CircuitBreaker] = field(default_factory=dict)
    # Free space kept on the data dir (Edge shards, embedded Redis): writes refused below it (507).
    storage: StorageReserve | None = None
    # The server's copies of online backups, kept only for their transfer (admin_routes.py).
    backups: ServerCopies | None = None
    # Told of each sweeper pass (the app's metrics: failures, quarantine).
    on_sweep: Callable[[SweepReport], None] | None = field(default=None, repr=False)
    _flusher: asyncio.Task[None] | None = None
    _builds: asyncio.Task[None] | None = field(default=None, repr=False)
    _sweeper: asyncio.Task[None] | None = field(default=None, repr=False)

    def start(self) -> None:
        """Background work that lives as long as the app: flushing access bookkeeping, archiving
        expired working memory."""
        # Pending HNSW builds start once everything is open: a build's export would hold the GIL
        # while the rest of the start waits for it.
        self._builds = asyncio.create_task(self._build_once_there_is_room())
        self._flusher = asyncio.create_task(self._flush_access_periodically())
        self._sweeper = asyncio.create_task(self._sweep_working_memory())
        if self.forgetter.eraser is not None:  # a forget's erasure, in the background
            self.forgetter.eraser.start()

    async def _build_once_there_is_room(self) -> None:
        """A rebuild writes a whole shard beside the live one: not while under the reserve."""
        while self.storage is not None and not self.storage.has_room():  # noqa: ASYNC110 - a poll of free space
            await asyncio.sleep(STORAGE_POLL_S)
        await start_pending_builds(self.index)

    async def _flush_access_periodically(self) -> None:
        while True:
            await asyncio.sleep(self.settings.access_flush_interval_s)
            if self.storage is not None and not self.storage.has_room():
                continue  # bookkeeping waits until space is freed (its counts stay in memory)
            try:
                await self.access_log.flush()
            except Exception:  # bookkeeping must never take the service down; try again next round
                log.exception("flushing access bookkeeping failed")

    async def _sweep_working_memory(self) -> None:
        """Every replica may sweep: the task lock and a re-check under it archive each task once
        (and archive ids are deterministic anyway)."""
        while True:
            await asyncio.sleep(self.settings.working.sweep_interval_s)
            if self.storage is not None and not self.storage.has_room():
                continue  # archiving writes: it waits until space is freed (the tasks stay in Redis)
            try:
                report = await self.working.sweep()
                if report.archived:
                    log.info("archived %d expired working-memory task(s)", report.archived)
                if self.on_sweep is not None:
                    self.on_sweep(report)
            except Unavailable as exc:
                log.debug("working-memory sweep skipped: %s", exc.detail)
            except Exception:  # the sweep must never take the service down; try again next round
                log.exception("working-memory sweep failed")

    async def close(self) -> None:
        background = [task for task in (self._builds, self._flusher, self._sweeper) if task is not None]
        ended = await stop_step("the background tasks", cancel_all(background))
        for outcome in ended:
            if isinstance(outcome, Exception):  # the stores below must still be flushed and closed
                log.error("a background task had failed: %r", outcome)
        try:
            await stop_step("the access counts' flush", self.access_log.flush())
        except Exception:  # statistics: the stores below must still be flushed and closed
            log.exception("flushing access bookkeeping at shutdown failed")
        if self.backups is not None:  # no request is served any more: no transfer to wait for
            self.backups.stop_transfers()
        if self.forgetter.eraser is not None:  # what forgets left pending is erased before the stores close
            await stop_step("the pending erasures", self.forgetter.eraser.close())
        for reviewer in self.reviewers:
            await stop_step("an importance reviewer", reviewer.close())
        await stop_step("Redis", self.redis.close())
        await stop_step("the change history's store", self.changes.store.close())
        await stop_step("the vector index", self.index.close())
        self.embedder.close()


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


async def open_services(
    settings: Settings, models: Sequence[RegisteredModel] = (), embedder: Embedder | None = None
) -> Services:
    """`models`: target models MNEMO_CONFIG registers (their tokenizers are loaded here).
    `embedder`: one to use instead of the one the settings name (the benchmarks' embedding cache);
    the services own it from here on and close it."""
    keys = KeyRing(settings.api_keys.get_secret_value() if settings.api_keys else None)
    # Before anything is opened: a key missing or swapped refuses the start with nothing held.
    ids = pinned_id_keys(settings.data_dir, settings.id_key_file, settings.collection_prefix)
    steps = StartupSteps()
    storage = None  # the data dir matters only to the embedded engines
    store_dir = None
    if not settings.qdrant.url or not settings.redis.url:
        storage = StorageReserve(settings.data_dir, settings.storage_reserve_bytes, "data dir")
        store_dir = None if settings.qdrant.url else settings.data_dir / "qdrant"
        if (too_full := storage.too_full_to_open(store_dir)) is not None:
            # Opening maps the shards' files: with no room for what that takes, it is a SIGBUS.
            raise InsufficientStorage(too_full, "data dir", storage.free_bytes())
        if store_dir is not None:
            await asyncio.to_thread(storage.back_mapped_files, store_dir)
        if not storage.has_room():
            # After a disk-full incident the reads are what is left: serve them (writes get 507 and
            # /ready says `storage`) and take writes again once space is freed, without a restart.
            log.warning(
                "starting read-only: %.0f MiB free on the data dir's filesystem, below the %.0f MiB "
                "reserve (MNEMO_STORAGE_RESERVE_MB); writes resume once space is freed",
                storage.free_bytes() / MIB,
                storage.reserve_bytes / MIB,
            )
    # The embedding model loads in a thread (ONNX Runtime builds its sessions without holding the
    # GIL) while another reads the tokenizers' vocabularies; the vector index waits for the model's
    # dimension. The embedded redis-server (a process of its own, replaying its append-only file)
    # starts once the index holds the data dir's shard locks (a second mnemo on the same dir stops
    # there, before it could take over the first one's Redis), while the change history opens.
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
        index, documents = store.index, store.documents
        await steps.timed("vectors", index.open())
    except BaseException:
        await _abandon(embedder_opening)
        raise
    redis_opening = asyncio.create_task(steps.timed("redis", open_redis(settings.redis, settings.data_dir)))
    try:
        await steps.timed("history", documents.open())
        if storage is not None and store_dir is not None:  # what opening created, allocated too
            await asyncio.to_thread(storage.back_mapped_files, store_dir)
        redis = await redis_opening
    except BaseException:
        await _abandon(redis_opening)
        await documents.close()
        await index.close()
        raise
    sparse = Bm25Encoder()
    keyspace = KeySpace(settings.redis.key_prefix, cluster=settings.redis.cluster)
    locks = RedisLocks(redis, keyspace)
    working = settings.working
    working_store = RedisWorkingStore(redis, keyspace, ack=(working.ack_replicas, working.ack_timeout_ms))
    await working_store.warn_if_too_few_replicas()
    await warn_if_not_durable(redis)
    thread_store = RedisThreadStore(redis, keyspace)
    # Ids and content digests are keyed per tenant; a store of the older scheme is migrated here,
    # before anything is served (resumably: a start that stops part-way is finished by the next).
    if settings.qdrant.url and settings.id_key_file is None:
        log.warning(
            "ids are keyed with the data dir's id key (%s): replicas on other hosts sharing this Qdrant "
            "server must use the same key (MNEMO_ID_KEY_FILE), or the same words get other ids there",
            id_key_path(settings.data_dir),
        )
    access_counts = RedisAccessCounts(redis, keyspace)
    migrating = rekey_store(
        index,
        documents,
        access_counts,
        ids,
        sparse,
        settings.data_dir,
        settings.collection_prefix,
        keys.tenants,
    )
    try:
        await steps.timed("ids", migrating)
    except BaseException:  # a start that stops here is finished by the next one: nothing held open
        await redis.close()
        await documents.close()
        await index.close()
        embedder.close()
        raise
    log.info(
        "mnemo ready: %s; vectors=%s, redis=%s, embedding=%s (%d dims), tenancy=%s",
        steps.summary(),
        (settings.qdrant.url and "qdrant server") or f"qdrant edge at {settings.data_dir / 'qdrant'}",
        f"embedded at {redis.embedded.socket_path}"
        if redis.embedded
        else ("cluster" if settings.redis.cluster else "server"),
        settings.embedding.model,
        embedder.dimension,
        "single-tenant (no API keys)" if keys.single_tenant else "API keys",
    )
    reviewers = []
    reviewer = settings.reviewer
    if reviewer.url:
        api_key = reviewer.api_key.get_secret_value() if reviewer.api_key else None
        reviewers.append(
            OpenAICompatibleReviewer(reviewer.url, reviewer.model, api_key, settings.write.review_timeout_s)
        )
    # Replicas exist only with a Qdrant server: an embedded Edge data dir is held by one process (its
    # WAL lock), where the writer's process lock is exact and a crashed run can leave no stale lock.
    shared_locks = locks if settings.qdrant.url else None
    writer = MemoryWriter(index, embedder, tokenizers, settings.write, reviewers, sparse, shared_locks, ids)
    changes = writer.history = ChangeHistory(documents)
    access_log = AccessLog(access_counts)
    ledger = ErasureLedger(settings.data_dir, settings.forget.ledger_copy)
    await asyncio.to_thread(ledger.open)
    backups = ServerCopies(settings.data_dir)
    await backups.drop_all()  # left by a run that stopped: abandoned, and maybe holding forgotten text
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
            settings.retrieval,
            working_store,
            sparse,
            {**MODEL_REGISTRY, **model_specs(models)},
        ),
        catalog=Catalog(index, access_log),
        lifecycle=Lifecycle(index, writer),
        access_log=access_log,
        reviewers=reviewers,
        redis=redis,
        locks=locks,
        working=WorkingMemory(
            working_store,
            locks,
            writer,
            tokenizers,
            settings.working,
        ),
        threads=Threads(thread_store, locks, writer, tokenizers, settings.threads),
        history=ThreadHistoryReader(thread_store, tokenizers),
        changes=changes,
        forgetter=Forgetter(
            index,
            working_store,
            thread_store,
            locks,
            access_log,
            changes,
            eraser_for(settings, index, redis, backups),
            open_signer(settings.data_dir, settings.signing_key_file),
            ledger,
        ),
        breakers={"redis": redis.breaker, **({"qdrant": store.breaker} if store.breaker else {})},
        storage=storage,
        backups=backups,
    )


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
