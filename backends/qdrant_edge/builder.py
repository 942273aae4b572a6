"""Rebuild a type's Edge shard with its HNSW index in a child process, then swap it in.

qdrant-edge-py 0.9 holds the GIL for the whole of every call, so an `optimize()` in the serving
process stalls every request for as long as it runs (minutes at 100k vectors, most of an hour at
1M). The build therefore runs in another process, over a copy:

1. The live shard's points (ids, dense and sparse vectors, payloads) are exported into a file by
   `scroll`, 64 points per thread hop, so retrievals interleave; from just before the first
   chunk, the write path records every id it touches (`writes.WriteGates`); shard_export.py holds
   the file's format.
2. A child process (`python -m mnemo.backends.qdrant_edge.build_child`, niced, on every core but
   one) creates a fresh shard in the next generation's dir (`layout`), upserts the export, runs
   `optimize()`, flushes and closes it.
   The server keeps serving and writing from the live shard meanwhile.
3. The server loads the built shard and copies the ids written since the export from live to built
   (retrieve → upsert, or delete when gone), chunk by chunk, until few are left; then, with the
   type's writes held (reads never are), copies the last ones, flushes, records the new dir as live
   (one atomic rename) and swaps the shard object. The old shard is closed once no call holds it
   and its dir is removed.

Until that rename the old shard is authoritative: a crash or a killed child leaves the store as it
was, and the next open removes the leftovers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from qdrant_edge import (
    EdgeShard,
    Point,
    UpdateOperation,
)

from ...memtypes.types import MemoryType
from ..children import die_with_parent
from . import layout as edge_layout
from .shard_export import export_points
from .writes import WriteGates


class RebuildableIndex(Protocol):
    """What a rebuild needs of the Edge index (`EdgeVectorIndex`): its place on disk, its config,
    its write gates, and its live shards to export from, load beside and swap."""

    data_dir: Path
    prefix: str
    dimension: int
    indexing_threshold_kb: int
    writes: WriteGates

    def shard_of(self, memory_type: MemoryType) -> EdgeShard: ...
    def load_shard_at(self, path: Path) -> EdgeShard: ...
    def shard_path(self, memory_type: MemoryType) -> Path: ...
    def swap_shard(self, memory_type: MemoryType, shard: EdgeShard) -> EdgeShard: ...


log = logging.getLogger(__name__)

# Points per thread hop while catching up (see EXPORT_CHUNK in shard_export.py): a hop is a retrieve
# with vectors from the live shard plus an upsert into the built one, holding the GIL, and hops of
# 128 kept the retrievals behind them waiting (`mnemo bench build`).
CATCH_UP_CHUNK = 32
# Catch-up rounds run with writes flowing until at most this many ids are left for the final round,
# which holds the type's writes (or until `_MAX_ROUNDS`, under an ingest faster than the copy).
_FINAL_AT_MOST = 512
_MAX_ROUNDS = 20
# A retrieval that picked the old shard just before the swap may still be using it.
_RETIRE_WAIT_S = 30.0


class BuildFailed(RuntimeError):
    pass


class ShardRebuild:
    """One rebuild of one type's shard, run under the type's optimize lock."""

    def __init__(self, index: RebuildableIndex, memory_type: MemoryType) -> None:
        self.index = index
        self.memory_type = memory_type
        self.build_dir = edge_layout.next_build_dir(index.data_dir, index.prefix, memory_type)
        self.export = self.build_dir.with_name(self.build_dir.name + edge_layout.EXPORT_SUFFIX)
        self.child: asyncio.subprocess.Process | None = None  # while it builds (tests kill it)
        self.swapped = False
        self.exported = 0
        self.caught_up = 0  # ids copied from the live shard after the export
        self.timings: dict[str, float] = {}  # seconds per phase, for logs and benchmarks

    async def run(self) -> None:
        index, memory_type = self.index, self.memory_type
        await asyncio.to_thread(self._remove_leftovers)
        index.writes.track(memory_type)
        built: EdgeShard | None = None
        try:
            with self._phase("export_s"):
                self.exported = await export_points(index.shard_of(memory_type), self.export)
            with self._phase("child_s"):
                await self._build_in_child()
            with self._phase("load_s"):
                built = await asyncio.to_thread(index.load_shard_at, self.build_dir)
            with self._phase("catch_up_s"):
                await self._catch_up(built)
            old_dir = index.shard_path(memory_type)
            with self._phase("writes_held_s"):
                async with index.writes.shut(memory_type):
                    await self._catch_up(built, final=True)
                    await asyncio.to_thread(built.flush)
                    self._record_live()
                    # Held by nothing but this list from here: `retire` can count who else holds it.
                    swapped_out = [index.swap_shard(memory_type, built)]
                    self.swapped = True
            with self._phase("retire_s"):
                await retire(swapped_out.pop(), old_dir)
            log.info(
                "%s: rebuilt shard %s (%d points exported, %d caught up) is live; %s",
                memory_type.value,
                self.build_dir.name,
                self.exported,
                self.caught_up,
                ", ".join(f"{k} {v:.2f}" for k, v in self.timings.items()),
            )
        finally:
            index.writes.untrack(memory_type)
            if not self.swapped:
                if built is not None:
                    await asyncio.to_thread(built.close)
                await asyncio.to_thread(self._remove_leftovers)
            with contextlib.suppress(FileNotFoundError):
                self.export.unlink()

    def _record_live(self) -> None:
        """Name the built shard in the pointer file. On the event loop, not in a thread: a
        cancellation must not fall between the rename and the swap (a few ms of file I/O, once a
        rebuild). Once the rename is done the built shard is the live one, even if a later fsync
        failed: the swap must follow, or the cleanup would delete the dir the pointer names."""
        index = self.index
        try:
            edge_layout.record_live(index.data_dir, index.prefix, self.memory_type, self.build_dir)
        except OSError:
            if edge_layout.live_shard_dir(index.data_dir, index.prefix, self.memory_type) != self.build_dir:
                raise
            log.exception(
                "%s: the pointer names the rebuilt shard, but syncing it failed", self.memory_type.value
            )

    @contextlib.contextmanager
    def _phase(self, name: str) -> Iterator[None]:
        log.info("%s: rebuild step %s", self.memory_type.value, name.removesuffix("_s"))
        started = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = time.perf_counter() - started

    def _remove_leftovers(self) -> None:
        if self.build_dir.exists():
            shutil.rmtree(self.build_dir)
        with contextlib.suppress(FileNotFoundError):
            self.export.unlink()

    async def _build_in_child(self) -> None:
        index = self.index
        command = [
            sys.executable,
            "-m",
            "mnemo.backends.qdrant_edge.build_child",
            str(self.export),
            str(self.build_dir),
        ]
        command += ["--prefix", index.prefix, "--dimension", str(index.dimension)]
        command += ["--indexing-threshold-kb", str(index.indexing_threshold_kb)]
        self.child = await asyncio.create_subprocess_exec(
            *command,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
            preexec_fn=die_with_parent(),
        )
        try:
            _, stderr = await self.child.communicate()
        except BaseException:  # cancelled (the index closes): the child must not outlive the build
            with contextlib.suppress(ProcessLookupError):
                self.child.kill()
            await self.child.wait()
            raise
        finally:
            code = self.child.returncode
            self.child = None
        tail = stderr.decode(errors="replace").strip()[-2000:]
        if code != 0:
            raise BuildFailed(f"the builder of {self.build_dir.name} exited with {code}: {tail}")
        log.info("%s", tail)

    async def _catch_up(self, built: EdgeShard, *, final: bool = False) -> None:
        """Copy what was written since the export from the live shard into `built`."""
        for _ in range(_MAX_ROUNDS):
            dirty = sorted(self.index.writes.take_dirty(self.memory_type))
            self.caught_up += len(dirty)
            for start in range(0, len(dirty), CATCH_UP_CHUNK):
                live = self.index.shard_of(self.memory_type)
                await asyncio.to_thread(_copy_points, live, built, dirty[start : start + CATCH_UP_CHUNK])
            if final or len(dirty) <= _FINAL_AT_MOST:
                return


def _copy_points(live: EdgeShard, built: EdgeShard, ids: list[str]) -> None:
    records = live.retrieve(list[Any](ids), True, True)
    if records:
        built.update(
            UpdateOperation.upsert_points([Point(r.id, r.vector or {}, r.payload or {}) for r in records])
        )
    found = {str(r.id) for r in records}
    if gone := [point_id for point_id in ids if point_id not in found]:
        built.update(UpdateOperation.delete_points(list[Any](gone)))


async def retire(old: EdgeShard, old_dir: Path) -> None:
    """Close a swapped-out shard once nothing uses it, and remove its dir.

    A read takes the shard from the index just before its engine call and holds a reference for the
    call's length (a local, or the bound method handed to the worker thread), so the shard is free
    when the references left are this frame's and `getrefcount`'s own.
    """
    deadline = time.monotonic() + _RETIRE_WAIT_S
    try:
        # Polled: a reference count has no event to wait for.
        while sys.getrefcount(old) > 2 and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    finally:  # closing (the index closes) or not, the old shard must not stay open
        await asyncio.to_thread(old.close)
        await asyncio.to_thread(shutil.rmtree, old_dir, True)
