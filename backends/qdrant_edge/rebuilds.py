"""The part of `EdgeVectorIndex` that decides when a shard is rebuilt and keeps track of running
rebuilds (a mixin sharing the index's state), and how unindexed vectors are counted."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from qdrant_edge import CountRequest, EdgeShard, Filter, HasVectorCondition

from ...memtypes.types import MemoryType
from ..qdrant.schema import SPARSE
from .builder import RebuildableIndex, ShardRebuild

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

_WITH_SPARSE = CountRequest(exact=True, filter=Filter(must=[HasVectorCondition(SPARSE)]))


def unindexed_dense_vectors(shard: EdgeShard) -> int:
    """Dense vectors not in an HNSW index. Edge's `indexed_vectors_count` counts every sparse vector
    as indexed too (a sparse index is always built), so those are taken out of it."""
    info = shard.info()
    return info.points_count - (info.indexed_vectors_count - shard.count(_WITH_SPARSE))


class BackgroundRebuilds:
    """`EdgeVectorIndex`'s starting and tracking of rebuilds (a mixin: it shares the index's state)."""

    _closing: bool
    build_in_child: bool
    _shards: dict[MemoryType, EdgeShard]
    _optimize_locks: dict[MemoryType, asyncio.Lock]
    _background: dict[MemoryType, asyncio.Task[None]]
    _unindexed_floor: dict[MemoryType, int]
    _unindexed_now: dict[MemoryType, int]
    rebuilds: dict[MemoryType, ShardRebuild]

    async def build_in_background(self, min_unindexed: int) -> list[MemoryType]:
        """Start a rebuild of every shard with at least `min_unindexed` unindexed vectors (start-up)."""
        shards = dict(self._shards)
        unindexed = await asyncio.to_thread(
            lambda: {mt: unindexed_dense_vectors(s) for mt, s in shards.items()}
        )
        started = [mt for mt, count in unindexed.items() if count >= min_unindexed]
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
                floor = await asyncio.to_thread(unindexed_dense_vectors, shard)
                self._unindexed_floor[memory_type] = self._unindexed_now[memory_type] = floor
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
                    if self.build_in_child:
                        await rebuild.run()
                    else:  # the old way, kept for comparison: this process stalls until it is done
                        started = time.perf_counter()
                        await asyncio.to_thread(self._shards[memory_type].optimize)
                        took = time.perf_counter() - started
                        log.info("%s: HNSW built in-process in %.1f s", memory_type.value, took)
                except Exception:
                    # The live shard serves on (brute force over what is unindexed); the next try
                    # waits for another `optimize_threshold` of growth, or the next start.
                    log.exception("background rebuild of the %s shard failed", memory_type.value)
                shard = self._shards.get(memory_type)
                if shard is not None:
                    floor = await asyncio.to_thread(unindexed_dense_vectors, shard)
                    self._unindexed_floor[memory_type] = self._unindexed_now[memory_type] = floor
        finally:
            self.rebuilds.pop(memory_type, None)
            self._background.pop(memory_type, None)
