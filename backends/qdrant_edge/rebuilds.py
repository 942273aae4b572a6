"""The part of `EdgeVectorIndex` that decides when a shard is rebuilt and keeps track of running
rebuilds (a mixin sharing the index's state), and how unindexed vectors are counted."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from qdrant_edge import CountRequest, EdgeShard, Filter, HasVectorCondition

from ...memtypes.types import MemoryType
from ..qdrant.schema import SPARSE
from .builder import RebuildableIndex, ShardRebuild

log = logging.getLogger(__name__)

_WITH_SPARSE = CountRequest(exact=True, filter=Filter(must=[HasVectorCondition(SPARSE)]))


def unindexed_dense_vectors(shard: EdgeShard) -> int:
    """Dense vectors not in an HNSW index. Edge's `indexed_vectors_count` counts every sparse vector
    as indexed too (a sparse index is always built), so those are taken out of it. Points that a
    payload update moved out of an indexed segment are not seen here (Edge's counts go on showing
    them indexed, or even fall below the points): a running index counts them itself (`_note_moved`)."""
    info = shard.info()
    return info.points_count - (info.indexed_vectors_count - shard.count(_WITH_SPARSE))


@dataclass(frozen=True)
class IndexingStatus:
    points: int
    indexed_vectors: int


class BackgroundRebuilds:
    """`EdgeVectorIndex`'s starting and tracking of rebuilds (a mixin: it shares the index's state)."""

    _closing: bool
    _shards: dict[MemoryType, EdgeShard]
    _optimize_locks: dict[MemoryType, asyncio.Lock]
    _background: dict[MemoryType, asyncio.Task[None]]
    _unindexed_floor: dict[MemoryType, int]
    _unindexed_now: dict[MemoryType, int]
    _moved: dict[MemoryType, set[str]]  # points a payload update moved out of the index since a build
    rebuilds: dict[MemoryType, ShardRebuild]
    optimize_threshold: int
    outdated: set[MemoryType]

    def _shard(self, memory_type: MemoryType) -> EdgeShard:
        raise NotImplementedError

    async def build_in_background(self, min_unindexed: int) -> list[MemoryType]:
        """Start a rebuild of every shard with at least `min_unindexed` unindexed vectors, or
        written with an older layout (`outdated`, layout.py): start-up."""
        shards = dict(self._shards)
        unindexed = await asyncio.to_thread(
            lambda: {mt: unindexed_dense_vectors(s) for mt, s in shards.items()}
        )
        started = [mt for mt, n in unindexed.items() if n >= min_unindexed or mt in self.outdated]
        for memory_type in started:
            self._start_rebuild(memory_type)
        return started

    async def erase_deleted(self, memory_types: Sequence[MemoryType]) -> str:
        """Rewrite the shards of `memory_types` without what was deleted from them: "erased" once
        done, "failed" otherwise (logged).

        A deleted point is only marked deleted: its payload stays in the shard's log and pages until
        they are reused. A rebuild (builder.py) writes a fresh shard from the live points alone, in a
        child, swaps it in and removes the old dir, so no file keeps the deleted text. A rebuild
        that was running is waited for first: it exported before the deletion, so its shard has the
        deleted points in its own log. The types are rebuilt side by side (a child each)."""
        outcomes = await asyncio.gather(*(self._erase_one(mt) for mt in dict.fromkeys(memory_types)))
        return "erased" if all(outcomes) else "failed"

    async def _erase_one(self, memory_type: MemoryType) -> bool:
        while (running := self._background.get(memory_type)) is not None:
            await asyncio.gather(running, return_exceptions=True)
        if self._closing or memory_type not in self._shards:
            return False
        async with self._optimize_locks[memory_type]:
            rebuild = self.rebuilds[memory_type] = ShardRebuild(cast("RebuildableIndex", self), memory_type)
            try:
                await rebuild.run()
            except Exception:
                log.exception("rebuilding the %s shard to erase deleted points failed", memory_type.value)
            finally:
                self.rebuilds.pop(memory_type, None)
            shard = self._shards.get(memory_type)
            if shard is not None:
                self._reset_unindexed(memory_type, await asyncio.to_thread(unindexed_dense_vectors, shard))
        if rebuild.swapped:
            log.info("%s: deleted points erased from disk (shard rebuilt)", memory_type.value)
        return rebuild.swapped

    async def wait_for_rebuilds(self) -> None:
        """Until every rebuild running now has swapped its shard in or given up (tests, benchmarks)."""
        await asyncio.gather(*self._background.values(), return_exceptions=True)

    def _start_rebuild(self, memory_type: MemoryType) -> None:
        if self._closing or memory_type in self._background:
            return
        self._background[memory_type] = asyncio.create_task(self._rebuild_in_background(memory_type))

    async def _rebuild_in_background(self, memory_type: MemoryType) -> None:
        try:
            async with self._optimize_locks[memory_type]:  # never two builds of one shard at once
                if memory_type not in self._shards:
                    return  # closed meanwhile
                rebuild = self.rebuilds[memory_type] = ShardRebuild(
                    cast("RebuildableIndex", self), memory_type
                )
                try:
                    await rebuild.run()
                except Exception:
                    # The live shard serves on (brute force over what is unindexed); the next try
                    # waits for another `optimize_threshold` of growth, or the next start.
                    log.exception("background rebuild of the %s shard failed", memory_type.value)
                shard = self._shards.get(memory_type)
                if shard is not None:
                    floor = await asyncio.to_thread(unindexed_dense_vectors, shard)
                    self._reset_unindexed(memory_type, floor)
        finally:
            self.rebuilds.pop(memory_type, None)
            self._background.pop(memory_type, None)

    async def index_backlog(self) -> int:
        return sum(s.points - s.indexed_vectors for s in (await self.indexing_status()).values())

    # -- HNSW maintenance ------------------------------------------------------------------------

    async def indexing_status(self) -> dict[MemoryType, IndexingStatus]:
        """How many vectors each shard holds and how many of them are in an HNSW index."""
        shards = dict(self._shards)
        unindexed = await asyncio.to_thread(
            lambda: {mt: (s.info(), unindexed_dense_vectors(s)) for mt, s in shards.items()}
        )
        return {mt: IndexingStatus(i.points_count, i.points_count - u) for mt, (i, u) in unindexed.items()}

    async def optimize(self) -> None:
        """Build the HNSW index of every shard now (waits for a background run of the same shard)."""
        for memory_type in list(self._shards):
            await self._optimize_shard(memory_type)

    async def _optimize_shard(self, memory_type: MemoryType) -> None:
        async with self._optimize_locks[memory_type]:  # never two optimizations of one shard at once
            shard = self._shards.get(memory_type)
            if shard is None:
                return
            self._reset_unindexed(memory_type, await asyncio.to_thread(self._optimize_and_measure, shard))

    @staticmethod
    def _optimize_and_measure(shard: EdgeShard) -> int:
        shard.optimize()
        return unindexed_dense_vectors(shard)

    def _note_moved(self, memory_type: MemoryType, ids: Iterable[str]) -> None:
        """A payload update rewrites its points into the shard's appendable segment (copy-on-write):
        out of the HNSW index, searched by brute force until the next build, and Edge's own counts do
        not show it (`unindexed_dense_vectors` even falls). Each such point counts once towards that
        build, as an upsert's do: many moved points make every search of the shard read them by
        brute force (benchmarks/README.md, engine notes)."""
        moved = self._moved.setdefault(memory_type, set())
        before = len(moved)
        moved.update(ids)
        self._unindexed_now[memory_type] = self._unindexed_now.get(memory_type, 0) + len(moved) - before
        self._maybe_optimize(memory_type)

    def _reset_unindexed(self, memory_type: MemoryType, floor: int) -> None:
        """After a build (or a failed one): growth is counted afresh from what is unindexed now."""
        self._unindexed_floor[memory_type] = self._unindexed_now[memory_type] = floor
        self._moved.pop(memory_type, None)

    def _maybe_optimize(self, memory_type: MemoryType) -> None:
        growth = self._unindexed_now.get(memory_type, 0) - self._unindexed_floor.get(memory_type, 0)
        if growth > self.optimize_threshold:
            self._start_rebuild(memory_type)

    @contextlib.asynccontextmanager
    async def held_shard(self, memory_type: MemoryType) -> AsyncIterator[EdgeShard]:
        """The type's live shard under its optimize lock, so no rebuild swaps it away while it is
        read (one waiting starts after): an online backup reads it so, while the service writes on
        (backends/transfer/backup.py)."""
        async with self._optimize_locks[memory_type]:
            yield self._shard(memory_type)
