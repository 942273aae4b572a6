"""The components one app instance runs on, built from the settings by `open_services` (the composition
root: each one whole, nothing wired after construction) in the lifespan, closed on shutdown."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from aiobreaker import CircuitBreaker

from ...backends.embedding.sparse import Bm25Encoder
from ...backends.id_key import id_key_path, pinned_id_keys
from ...backends.llm_reviewer import OpenAICompatibleReviewer
from ...backends.redis.access import RedisAccessCounts
from ...backends.redis.client import RedisGateway
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
from ...ingest.writes import MemoryWrites
from ...memtypes.agents.resolution import Bindings
from ...memtypes.background import cancel_all
from ...memtypes.errors import Unavailable
from ...memtypes.ids import IdKeys
from ...memtypes.models import MODEL_REGISTRY, model_specs
from ...memtypes.ports import Embedder, VectorIndex
from ...retrieval.catalog import Catalog
from ...retrieval.pipeline import Retriever
from ...sessions.thread_history import ThreadHistoryReader
from ...sessions.thread_writes import Threads
from ...sessions.working_memory import SweepReport, WorkingMemory
from ..config.bindings_config import load_bindings
from ..config.settings import Settings
from ..guards.auth import KeyRing
from ..guards.fairness import Fairness, open_fairness
from .engines import Engines, open_engines, storage_reserve
from .lifespan_steps import StartupSteps, stop_step
from .maintenance import eraser_for, start_pending_builds

log = logging.getLogger("mnemo.services")
STORAGE_POLL_S = 5.0  # how often work that waits for free space looks again


@dataclass
class Services:
    settings: Settings
    keys: KeyRing
    index: VectorIndex
    embedder: Embedder
    tokenizers: TokenizerRegistry
    writer: MemoryWriter
    writes: MemoryWrites  # the write use case (`POST /v1/memories`) over the writer
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


class Observer(Protocol):
    """What follows the services as they run: the app's metrics (api/http/metrics.py)."""

    def watch_breaker(self, engine: str, breaker: CircuitBreaker) -> None: ...
    def record_sweep(self, report: SweepReport) -> None: ...
    def record_erasure(self, store: str, outcome: str) -> None: ...


async def open_services(
    settings: Settings,
    bindings: Bindings | None = None,
    fairness: Fairness | None = None,
    observer: Observer | None = None,
    embedder: Embedder | None = None,
) -> Services:
    """The composition root: every component built from the settings, wired as it is built.

    `bindings`: MNEMO_CONFIG's agents, models and privacy policies (read from the settings' file when
    not given); `fairness`: the tenants' bounds the app's middleware holds too (the write use case
    charges their embedding allowance); `observer`: told of breakers, sweeps and erasures;
    `embedder`: one to use instead of the one the settings name (the benchmarks' embedding cache),
    owned by the services from here on."""
    bindings = bindings if bindings is not None else load_bindings(settings.config)
    fairness = fairness or open_fairness(settings)
    keys = KeyRing(settings.api_keys.get_secret_value() if settings.api_keys else None)
    # Before anything is opened: a key missing or swapped refuses the start with nothing held.
    ids = pinned_id_keys(settings.data_dir, settings.id_key_file, settings.collection_prefix)
    storage = storage_reserve(settings)
    steps = StartupSteps()
    engines = await open_engines(settings, steps, bindings.models, embedder, storage)
    sparse = Bm25Encoder()
    keyspace = KeySpace(settings.redis.key_prefix, cluster=settings.redis.cluster)
    access_counts = RedisAccessCounts(engines.redis, keyspace)
    # Ids and content digests are keyed per tenant; a store of the older scheme is migrated here,
    # before anything is served (resumably: a start that stops part-way is finished by the next).
    if settings.qdrant.url and settings.id_key_file is None:
        log.warning(
            "ids are keyed with the data dir's id key (%s): replicas on other hosts sharing this Qdrant "
            "server must use the same key (MNEMO_ID_KEY_FILE), or the same words get other ids there",
            id_key_path(settings.data_dir),
        )
    store = engines.store
    migrating = rekey_store(
        store.index,
        store.documents,
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
        await engines.close()
        raise
    _log_ready(settings, steps, engines, keys)
    parts = _Parts(
        settings, bindings, fairness, observer, keys, ids, storage, sparse, keyspace, access_counts
    )
    return await _assemble(engines, parts)


def _log_ready(settings: Settings, steps: StartupSteps, engines: Engines, keys: KeyRing) -> None:
    redis = engines.redis
    log.info(
        "mnemo ready: %s; vectors=%s, redis=%s, embedding=%s (%d dims), tenancy=%s",
        steps.summary(),
        (settings.qdrant.url and "qdrant server") or f"qdrant edge at {settings.data_dir / 'qdrant'}",
        f"embedded at {redis.embedded.socket_path}"
        if redis.embedded
        else ("cluster" if settings.redis.cluster else "server"),
        settings.embedding.model,
        engines.embedder.dimension,
        "single-tenant (no API keys)" if keys.single_tenant else "API keys",
    )


@dataclass(frozen=True)
class _Parts:
    """What `_assemble` builds the components from, beside the engines."""

    settings: Settings
    bindings: Bindings
    fairness: Fairness
    observer: Observer | None
    keys: KeyRing
    ids: IdKeys
    storage: StorageReserve | None
    sparse: Bm25Encoder
    keyspace: KeySpace
    access_counts: RedisAccessCounts


async def _assemble(engines: Engines, parts: _Parts) -> Services:
    """Every component, each built whole from what it uses."""
    settings, observer = parts.settings, parts.observer
    index, redis, tokenizers = engines.store.index, engines.redis, engines.tokenizers
    locks = RedisLocks(redis, parts.keyspace)
    working = settings.working
    working_store = RedisWorkingStore(
        redis, parts.keyspace, ack=(working.ack_replicas, working.ack_timeout_ms)
    )
    await working_store.warn_if_too_few_replicas()
    await warn_if_not_durable(redis)
    thread_store = RedisThreadStore(redis, parts.keyspace)
    reviewers = _reviewers(settings)
    changes = ChangeHistory(engines.store.documents)
    writer = _writer(engines, parts, locks, reviewers, changes)
    access_log = AccessLog(parts.access_counts)
    ledger = ErasureLedger(settings.data_dir, settings.forget.ledger_copy)
    await asyncio.to_thread(ledger.open)
    backups = ServerCopies(settings.data_dir)
    await backups.drop_all()  # left by a run that stopped: abandoned, and maybe holding forgotten text
    on_erasure = observer.record_erasure if observer is not None else None
    eraser = eraser_for(settings, index, redis, backups, on_erasure)
    signer = open_signer(settings.data_dir, settings.signing_key_file)
    models = {**MODEL_REGISTRY, **model_specs(parts.bindings.models)}
    return Services(
        settings=settings,
        keys=parts.keys,
        index=index,
        embedder=engines.embedder,
        tokenizers=tokenizers,
        writer=writer,
        writes=MemoryWrites(writer, parts.bindings, parts.fairness.embed, settings.max_items_per_request),
        retriever=Retriever(
            index, engines.embedder, tokenizers, settings.retrieval, working_store, parts.sparse, models
        ),
        catalog=Catalog(index, access_log),
        lifecycle=Lifecycle(index, writer),
        access_log=access_log,
        reviewers=reviewers,
        redis=redis,
        locks=locks,
        working=WorkingMemory(working_store, locks, writer, tokenizers, settings.working),
        threads=Threads(thread_store, locks, writer, tokenizers, settings.threads),
        history=ThreadHistoryReader(thread_store, tokenizers),
        changes=changes,
        forgetter=Forgetter(
            index, working_store, thread_store, locks, access_log, changes, eraser, signer, ledger
        ),
        breakers=_breakers(engines, observer),
        storage=parts.storage,
        backups=backups,
        on_sweep=observer.record_sweep if observer is not None else None,
    )


def _writer(
    engines: Engines,
    parts: _Parts,
    locks: RedisLocks,
    reviewers: list[OpenAICompatibleReviewer],
    changes: ChangeHistory,
) -> MemoryWriter:
    settings = parts.settings
    # Replicas exist only with a Qdrant server: an embedded Edge data dir is held by one process (its
    # WAL lock), where the writer's process lock is exact and a crashed run can leave no stale lock.
    shared_locks = locks if settings.qdrant.url else None
    return MemoryWriter(
        engines.store.index,
        engines.embedder,
        engines.tokenizers,
        settings.write,
        reviewers,
        parts.sparse,
        shared_locks,
        parts.ids,
        history=changes,
        privacy=parts.bindings.privacy_policy,
    )


def _breakers(engines: Engines, observer: Observer | None) -> dict[str, CircuitBreaker]:
    """The circuit breakers in front of the engines, by engine, each followed by the observer."""
    breakers = {"redis": engines.redis.breaker}
    if engines.store.breaker is not None:
        breakers["qdrant"] = engines.store.breaker
    for engine, breaker in breakers.items():
        if observer is not None:
            observer.watch_breaker(engine, breaker)
    return breakers


def _reviewers(settings: Settings) -> list[OpenAICompatibleReviewer]:
    reviewer = settings.reviewer
    if not reviewer.url:
        return []
    api_key = reviewer.api_key.get_secret_value() if reviewer.api_key else None
    return [OpenAICompatibleReviewer(reviewer.url, reviewer.model, api_key, settings.write.review_timeout_s)]
