"""`VectorIndex` on Qdrant Edge: the Qdrant engine in-process, one shard directory per memory type.

Edge calls block: writes, counts and builds go through `asyncio.to_thread`; searches and neighbour
lookups run on the caller's thread (see below), and a search batch makes one `query_batch` call per
shard. Edge never builds its HNSW index by itself: once more than `optimize_threshold` vectors
of a type are unindexed, the type's shard is rebuilt in a child process and swapped in
(builder.py); `optimize()` still builds in-process, blocking.

Caveat, measured with qdrant-edge-py 0.9: the binding holds the GIL for the whole of every call, so
a worker thread does not let other Python code run meanwhile. That is why threads are no faster
than serial calls, why reads skip the thread hop altogether, and why an `optimize()` in this
process stalls every request while it runs (minutes at 100k vectors); hence the child process.

Reads are in reads.py (`EdgeReads`, mixed in); payloads come from a `PayloadCache` kept coherent here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
from collections.abc import AsyncIterator, Mapping, Sequence
from functools import partial
from pathlib import Path

from qdrant_edge import (
    EdgeShard,
    KeywordIndexParams,
    Modifier,
    PayloadSchemaType,
    Point,
    UpdateOperation,
)

from ...memtypes.background import cancel_all
from ...memtypes.errors import Unavailable
from ...memtypes.ports import IndexHealth, IndexMaintenance
from ...memtypes.queries import VectorPoint
from ...memtypes.types import MemoryType
from ..group_flush import GroupFlush, wal_sync
from ..qdrant.schema import (
    PAYLOAD_INDEXES,
    SPARSE,
    IndexKind,
    canonical_ids,
)
from ..storage_reserve import StorageReserve
from . import layout as edge_layout
from .builder import ShardRebuild
from .health import ShardRecovery, TypeStates
from .layout import DENSE_BYTES, DENSE_DATATYPE, edge_config, stored_dense_datatype
from .manifest import store_types, write_known_types
from .payload_cache import PayloadCache
from .reads import EdgeReads, not_mapped_in, prefetch_read_path, warm_dense_vectors
from .rebuilds import BackgroundRebuilds, unindexed_dense_vectors
from .validity_spans import ValiditySpans
from .vocabulary import EDGE_PLANNER as PLAN
from .writes import WriteGates

log = logging.getLogger(__name__)

# Points per payload update in one thread hop: a hop holds the GIL about a millisecond.
_POINTS_PER_HOP = 16
# Segments smaller than this many vectors stay unindexed (brute force over them is as fast as HNSW).
_MIN_POINTS_TO_INDEX = 1_000
_SCHEMA: dict[IndexKind, PayloadSchemaType | KeywordIndexParams] = {
    IndexKind.TENANT: KeywordIndexParams(is_tenant=True),
    IndexKind.KEYWORD: PayloadSchemaType.Keyword,
    IndexKind.BOOL: PayloadSchemaType.Bool,
    IndexKind.FLOAT: PayloadSchemaType.Float,
}


def _in_use_by_another_process(exc: Exception) -> bool:
    # Edge reports a held WAL lock as "failed to open WAL …: Can't init WAL: Kind(WouldBlock)".
    return "WouldBlock" in str(exc)


class EdgeVectorIndex(EdgeReads, BackgroundRebuilds, ShardRecovery):
    """One Edge shard per memory type under `data_dir`: `<prefix>_<type>`, or the generation of it
    the last rebuild made live (`backends/qdrant_edge/layout.py`)."""

    def __init__(
        self,
        data_dir: Path,
        prefix: str,
        dimension: int,
        *,
        optimize_threshold: int = 20_000,
        indexing_threshold_kb: int | None = None,
        durable_writes: bool = False,
        payload_cache: int = 0,
        verify_on_open: bool = True,
        storage_reserve_bytes: int = 0,  # free space every write and checkpoint leaves
    ) -> None:
        self.data_dir = Path(data_dir)
        # Payloads of returned points, by id (backends/qdrant_edge/payload_cache.py); 0 turns it off.
        self.payloads = PayloadCache(payload_cache)
        # Which current reads need their validity conditions (backends/qdrant_edge/validity_spans.py).
        self.spans = ValiditySpans()
        # True: every write returns only once flushed to disk (see backends/group_flush.py).
        self.durable_writes = durable_writes
        self._group_flush: dict[MemoryType, GroupFlush] = {}
        self.prefix = prefix
        self.dimension = dimension
        self.optimize_threshold = optimize_threshold
        if indexing_threshold_kb is None:
            points = min(_MIN_POINTS_TO_INDEX, optimize_threshold)
            # Edge measures the threshold in stored vector bytes.
            indexing_threshold_kb = max(1, math.ceil(points * dimension * DENSE_BYTES / 1024))
        self.indexing_threshold_kb = indexing_threshold_kb  # a rebuild's child builds with it too
        self._config = edge_config(dimension, indexing_threshold_kb)  # of the shards it creates
        # Types whose shard was loaded with an older layout (layout.py): rebuilt at start-up.
        self.outdated: set[MemoryType] = set()
        self._shards: dict[MemoryType, EdgeShard] = {}
        self._optimize_locks: dict[MemoryType, asyncio.Lock] = {}
        # Strong references to background rebuilds: the event loop keeps only weak ones.
        self._background: dict[MemoryType, asyncio.Task[None]] = {}
        self.rebuilds: dict[MemoryType, ShardRebuild] = {}  # the ones running (tests reach the child)
        self.reserve = StorageReserve(self.data_dir, storage_reserve_bytes, "qdrant")
        self.writes = WriteGates(self.reserve)  # what a rebuild needs from the write path
        # Unindexed vectors left after the last build (too few to index); growth is counted from it,
        # upsert by upsert (measuring the shard after every upsert would cost a count over it).
        self._unindexed_floor: dict[MemoryType, int] = {}
        self._unindexed_now: dict[MemoryType, int] = {}
        self._moved: dict[MemoryType, set[str]] = {}
        self._closing = False
        self.states = TypeStates()  # each type's availability (health.py)
        self.verify_on_open = verify_on_open  # read every payload at open (manifest.py)
        self.unreadable: dict[MemoryType, frozenset[str]] = {}  # a degraded type's unreadable ids
        self.known_types: set[str] = set()  # the types the store had when opened (manifest.py)
        self._recoveries: dict[MemoryType, asyncio.Task[None]] = {}
        self._lock_fds: dict[MemoryType, int] = {}

    def shard_path(self, memory_type: MemoryType) -> Path:
        """The live shard's dir: `<prefix>_<type>`, or the generation its last rebuild recorded."""
        return edge_layout.live_shard_dir(self.data_dir, self.prefix, memory_type)

    # -- lifecycle -------------------------------------------------------------------------------

    async def open(self) -> None:
        if self._shards:
            return
        # On tmpfs a read of a memory-mapped hole takes space: the files are allocated first, so
        # that a full filesystem is an InsufficientStorage here, never a SIGBUS (storage_reserve.py).
        await asyncio.to_thread(self.reserve.back_mapped_files, self.data_dir)
        shards = await asyncio.to_thread(self._open_all)
        await asyncio.to_thread(self.reserve.back_mapped_files, self.data_dir)  # what opening made
        for memory_type in shards:  # another process may have written while the dir was closed
            self._drop_cached(memory_type)
        self._unindexed_now = await asyncio.to_thread(
            lambda: {mt: unindexed_dense_vectors(s) for mt, s in shards.items()}
        )
        self._shards = shards
        self._optimize_locks = {mt: asyncio.Lock() for mt in MemoryType}
        # The shard is looked up at sync time: a rebuild may have swapped it since the write (and
        # flushed the new one whole before it went live).
        self._group_flush = {
            mt: GroupFlush(
                partial(self._sync_live_wal, mt), partial(self._flush_live, mt), self.reserve.has_room
            )
            for mt in shards
        }
        self._closing = False

    def _open_all(self) -> dict[MemoryType, EdgeShard]:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.known_types = store_types(self.data_dir, self.prefix)  # before any type is created
        shards: dict[MemoryType, EdgeShard] = {}
        try:
            for memory_type in MemoryType:
                self._lock_type(memory_type)
                for stale in edge_layout.remove_stale(self.data_dir, self.prefix, memory_type):
                    log.info("removed %s, left by an interrupted or finished index rebuild", stale.name)
                shard = self._open_checked(memory_type)  # None: damaged, served as unavailable
                if shard is not None:
                    shards[memory_type] = shard
                    if stored_dense_datatype(self.shard_path(memory_type)) != DENSE_DATATYPE:
                        self.outdated.add(memory_type)
            write_known_types(self.data_dir, self.prefix, self.known_types | {mt.value for mt in shards})
            for memory_type in not_mapped_in({mt: self.shard_path(mt) for mt in shards}):
                warm_dense_vectors(shards[memory_type], self.dimension)
            prefetch_read_path([self.shard_path(mt) for mt in shards])
        except BaseException:
            for shard in shards.values():  # do not keep half of the shards locked
                shard.close()
            self._unlock_all()
            raise
        return shards

    def _lock_type(self, memory_type: MemoryType) -> None:
        try:
            name = edge_layout.base_name(self.prefix, memory_type)
            self._lock_fds[memory_type] = edge_layout.lock_shard(self.data_dir, name)
        except edge_layout.ShardInUse as exc:
            raise Unavailable(
                detail=f"the data dir {self.data_dir} is in use by another mnemo process ({exc}); "
                "stop it or point this one at another dir",
                dependency="qdrant_edge",
            ) from exc

    def _unlock_all(self) -> None:
        for descriptor in self._lock_fds.values():
            edge_layout.unlock_shard(descriptor)
        self._lock_fds.clear()

    def _open_shard(self, path: Path) -> EdgeShard:
        shard = EdgeShard.create(str(path), self._config) if not path.exists() else self._load_shard(path)
        try:
            # Indexes are added on load too, so a dir written by an older version gains new ones.
            existing = set(shard.info().payload_schema)
            for field, kind in PAYLOAD_INDEXES:
                if field not in existing:
                    shard.update(UpdateOperation.create_field_index(field, _SCHEMA[kind]))
        except BaseException:
            shard.close()
            raise
        return shard

    def _load_shard(self, path: Path) -> EdgeShard:
        datatype = stored_dense_datatype(path)  # Edge loads a shard only with the datatype it has
        kb = self.indexing_threshold_kb
        try:
            # Passing the config checks it against the stored segments and updates the optimizer
            # settings on disk.
            return EdgeShard.load(str(path), edge_config(self.dimension, kb, datatype=datatype))
        except Exception as exc:
            if _in_use_by_another_process(exc):
                raise Unavailable(
                    detail=f"the data dir {self.data_dir} is in use by another mnemo process "
                    f"(shard {path.name} is locked); stop it or point this one at another dir",
                    dependency="qdrant_edge",
                ) from exc
            if "incompatible" not in str(exc).lower():
                raise
        # Written before hybrid search: open it as it is and add the sparse vector to it.
        legacy = edge_config(self.dimension, kb, datatype=datatype, with_sparse=False)
        shard = EdgeShard.load(str(path), legacy)
        try:
            shard.update(UpdateOperation.create_sparse_vector(SPARSE, modifier=Modifier.Idf))
        except BaseException:
            shard.close()
            raise
        log.info("added the %s sparse vector to the %s shard written by an older mnemo", SPARSE, path.name)
        return shard

    async def close(self) -> None:
        self._closing = True
        await self.stop_recoveries()
        # A rebuild stopped half-way leaves the live shard as it was.
        await cancel_all(list(self._background.values()))
        # Holding every optimize lock means no optimization (background or `optimize()`) is running
        # in a thread on a shard we are about to close; ones still waiting find no shard and return.
        async with contextlib.AsyncExitStack() as held:
            for lock in self._optimize_locks.values():
                await held.enter_async_context(lock)
            shards, self._shards = self._shards, {}
        try:
            if shards:
                await asyncio.to_thread(self._close_all, shards)
        finally:
            self._unlock_all()

    def _close_all(self, shards: dict[MemoryType, EdgeShard]) -> None:
        # One shard failing to flush must not leave the others open (or this one: its WAL holds
        # what the flush did not persist, and the next load replays it).
        for memory_type, shard in shards.items():
            flushed = False
            try:
                shard.flush()
                flushed = True
            except Exception:
                log.exception("flushing the %s shard at close failed", memory_type.value)
            self._note_closed(memory_type, shard, flushed)
            shard.close()

    async def ready(self) -> bool:
        return bool(self._shards) and not self._closing

    def _shard(self, memory_type: MemoryType) -> EdgeShard:
        self.states.check_read(memory_type)
        try:
            return self._shards[memory_type]
        except KeyError:
            raise Unavailable(detail="the Qdrant Edge index is not open", dependency="qdrant_edge") from None

    # What a rebuild (`backends/qdrant_edge/builder.py`) uses: the live shard, this index's way of opening
    # (created with its config and payload indexes) and loading one at a path.
    shard_of = _shard
    open_shard_at = _open_shard
    load_shard_at = _load_shard

    def swap_shard(self, memory_type: MemoryType, shard: EdgeShard) -> EdgeShard:
        """Put a rebuilt shard in the type's place (its writes held shut); answers the old one."""
        old, self._shards[memory_type] = self._shards[memory_type], shard
        self.outdated.discard(memory_type)  # a rebuild writes the current layout
        self._drop_cached(memory_type)  # the same points, but nothing read outlives its shard
        return old

    def _flush_live(self, memory_type: MemoryType) -> None:
        self._shard(memory_type).flush()

    def _sync_live_wal(self, memory_type: MemoryType) -> None:
        wal_sync(self.shard_path(memory_type))

    # -- writes ----------------------------------------------------------------------------------

    async def upsert(self, memory_type: MemoryType, points: Sequence[VectorPoint]) -> None:
        if not points:
            return
        async with self._writing(memory_type, [p.id for p in points]):
            shard = self._shard(memory_type)
            await asyncio.to_thread(self._upsert, shard, list(points))
        await self._make_durable(memory_type)
        self._unindexed_now[memory_type] = self._unindexed_now.get(memory_type, 0) + len(points)
        self._maybe_optimize(memory_type)

    async def _make_durable(self, memory_type: MemoryType) -> None:
        if self.durable_writes and memory_type in self._group_flush:
            async with self._engine_call(memory_type, "flush"):
                await self._group_flush[memory_type].after_write()

    @staticmethod
    def _upsert(shard: EdgeShard, points: list[VectorPoint]) -> None:
        # Points are built in the worker thread too: for large batches that is real CPU work.
        edge_points = [Point(p.id, PLAN.vectors(p), p.payload) for p in points]
        shard.update(UpdateOperation.upsert_points(edge_points))

    async def delete(self, memory_type: MemoryType, ids: Sequence[str]) -> None:
        point_ids = canonical_ids(ids)
        if point_ids:
            # What is left ends no earlier and begins no later: the validity spans hold.
            async with self._writing(memory_type, point_ids, moves_spans=False):
                shard = self._shard(memory_type)
                await asyncio.to_thread(shard.update, UpdateOperation.delete_points(list(point_ids)))
            await self._make_durable(memory_type)

    async def set_payload(
        self, memory_type: MemoryType, ids: Sequence[str], payload: dict[str, object], *, durable: bool = True
    ) -> None:
        point_ids = canonical_ids(ids)
        if point_ids and payload:
            operation = UpdateOperation.set_payload(list(point_ids), dict(payload))
            async with self._writing(memory_type, point_ids, moves_spans=self.spans.moved_by(payload)):
                shard = self._shard(memory_type)
                await asyncio.to_thread(shard.update, operation)
            self._note_moved(memory_type, point_ids)
            if durable:
                await self._make_durable(memory_type)

    async def set_payloads(
        self, memory_type: MemoryType, updates: Mapping[str, dict[str, object]], *, durable: bool = True
    ) -> None:
        # Edge has no batch of distinct payloads: points that get the same payload (the access-count
        # flush gives most of them one of a few counts) share one operation, at most
        # `_POINTS_PER_HOP` points each, one operation per thread hop: the binding holds the GIL, so
        # a long run of updates would stall the event loop (and every retrieval on it) for its
        # whole length; an operation's cost grows with its points.
        groups: dict[str, tuple[dict[str, object], list[str]]] = {}
        for point_id, payload in updates.items():
            if payload:
                key = json.dumps(payload, sort_keys=True, default=str)
                groups.setdefault(key, (dict(payload), []))[1].extend(canonical_ids([point_id]))
        operations = [
            UpdateOperation.set_payload(list(ids[i : i + _POINTS_PER_HOP]), payload)
            for payload, ids in groups.values()
            for i in range(0, len(ids), _POINTS_PER_HOP)
        ]
        if operations:
            written = [i for _, ids in groups.values() for i in ids]
            moves = any(self.spans.moved_by(payload) for payload, _ in groups.values())
            async with self._writing(memory_type, written, moves_spans=moves):
                shard = self._shard(memory_type)
                for operation in operations:
                    await asyncio.to_thread(shard.update, operation)
            self._note_moved(memory_type, (i for _, ids in groups.values() for i in ids))
            if durable:
                await self._make_durable(memory_type)

    @contextlib.asynccontextmanager
    async def _writing(
        self, memory_type: MemoryType, ids: Sequence[str], *, moves_spans: bool = True
    ) -> AsyncIterator[None]:
        """Around every write's engine calls: a rebuild learns which points it touched (and may hold
        it while it swaps the shard: `WriteGates`), and cached payloads of these points are dropped
        before and after it, so no search that overlapped it caches what it read; the validity
        spans, where it `moves_spans`, are not used meanwhile (validity_spans.py)."""
        point_ids = canonical_ids(ids)
        async with self.writes.writing(memory_type, point_ids), self._engine_call(memory_type, "write"):
            self.payloads.invalidate(memory_type, point_ids)
            if moves_spans:
                self.spans.begin(memory_type)
            try:
                yield
            finally:
                self.payloads.invalidate(memory_type, point_ids)
                if moves_spans:
                    self.spans.end(memory_type)

    async def health(self) -> IndexHealth:
        return IndexHealth(await self.ready(), "qdrant_edge", types=self.states.not_healthy())

    def maintenance(self) -> IndexMaintenance:
        return self
