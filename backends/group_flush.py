"""Group commit for Qdrant Edge: one sync covers every write that finished before it started.

Shared by the Edge index and the Edge shard of the change history (backends/qdrant/history_store.py),
so it sits below both rooms.

Measured on qdrant-edge-py 0.9 (strace): `EdgeShard.update` appends to the shard's write-ahead log
through a memory map and returns without any fsync/msync, so an update survives the *process* being
killed (the pages are in the kernel's cache) but not a power loss or kernel crash. A write is
acknowledged only once durable, so the write path syncs before it answers.

What is synced is the log, not the shard: `fsync` of the log's files (`wal_sync`). On Linux, fsync
writes back a file's dirty pages whether they were written through `write` or a shared memory map,
so it makes the appended entries durable, and it releases the GIL: a short wait beside the event loop.
`EdgeShard.flush()` persists the segments too and lets the log be truncated, but holds the GIL for
its whole length (hundreds of milliseconds on a large shard): run after every write, it
stalled every retrieval during an ingest. So a full flush (`checkpoint`) runs at most every
`checkpoint_s` while writes come, and when the shard closes; a restart replays the log since the
last one (tests/backends/test_engine_resilience.py kills a writer that never checkpointed).
Concurrent writers share a sync: each waits for one that *started after its update returned*.

The small files kept beside the shards (a type's manifest, the live-shard pointer, the store's record)
are replaced whole by `replace_whole`: never half a file, whenever the process dies.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path

CHECKPOINT_S = 60.0


def fsync_path(path: Path) -> None:
    """fsync a file or a directory (a directory's entries: files created or renamed in it)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def replace_whole(path: Path, text: str, *, sync_dir: bool) -> None:
    """`text` as `path`'s content, never half of it: written aside, fsynced, renamed over the old
    file (atomic); `sync_dir`: the directory fsynced too, so that the rename survives a power cut."""
    staged = path.with_name(path.name + ".tmp")
    with staged.open("w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    staged.replace(path)
    if sync_dir:
        fsync_path(path.parent)


def wal_sync(shard_dir: Path) -> None:
    """fsync every file of the shard's write-ahead log, and the log's directory (a segment file the
    log rolled over to, or renamed, is then durable too)."""
    wal = shard_dir / "wal"
    for path in wal.iterdir():
        if path.is_file():
            fsync_path(path)
    fsync_path(wal)


class GroupFlush:
    """`sync` makes what was written durable (cheap, off the GIL); `checkpoint` persists everything
    (a full flush); a sync that comes `checkpoint_s` or more after the last checkpoint checkpoints
    instead."""

    def __init__(
        self,
        sync: Callable[[], None],
        checkpoint: Callable[[], None],
        has_room: Callable[[], bool] = lambda: True,
        checkpoint_s: float = CHECKPOINT_S,
    ) -> None:
        # A checkpoint writes the segments' memory maps: under the storage reserve only the log is
        # synced (it holds every write; the checkpoint waits until space is freed).
        self._has_room = has_room
        self._sync = sync
        self._checkpoint = checkpoint
        self.checkpoint_s = checkpoint_s
        self._last_checkpoint = time.monotonic()
        self._lock = asyncio.Lock()
        self._written = 0  # writes finished so far (a ticket each)
        self._durable = 0  # every write with a ticket up to this is on disk
        self.flushes = 0  # how many syncs or checkpoints ran (for tests and metrics)
        self.checkpoints = 0

    async def after_write(self) -> None:
        """Call after a write returned; returns once that write is on disk."""
        self._written += 1
        ticket = self._written
        async with self._lock:
            if self._durable >= ticket:
                return  # a sync that started after our write already covered it
            covered = self._written  # every write finished by now is in this sync
            if time.monotonic() - self._last_checkpoint >= self.checkpoint_s and self._has_room():
                await asyncio.to_thread(self._checkpoint)
                self._last_checkpoint = time.monotonic()
                self.checkpoints += 1
            else:
                await asyncio.to_thread(self._sync)
            self.flushes += 1
            self._durable = covered
