"""A free-space reserve on the data dir's filesystem, checked before every write and flush.

Why: the engines write through memory maps. Qdrant Edge appends its write-ahead log and grows its
segments in sparse, memory-mapped files; when the filesystem has no page left for such a write, the
kernel answers with SIGBUS, which kills the whole service (measured on a full tmpfs: exit -7,
in-flight requests dropped). A write cannot fail "safely" once it touches the map, so the only safe
place to refuse it is before: while less than the reserve is free, writes and checkpoint flushes
are refused (InsufficientStorage → 507 naming the store and the free space), reads keep working,
and writes resume by themselves once space is freed. The reserve must exceed what one request can
write (a 1,000-memory batch is a few MiB; a WAL segment is 32 MiB), hence the default.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..memtypes.errors import InsufficientStorage

DEFAULT_RESERVE_BYTES = 256 * 1024 * 1024
# What opening the embedded stores may write before anything is asked of them: Qdrant Edge replays
# its write-ahead log and starts a new memory-mapped segment (32 MiB) after an unclean stop. Below
# this a start could die of SIGBUS, so it is refused; between it and the reserve it serves reads.
OPEN_ROOM_BYTES = 64 * 1024 * 1024


class StorageReserve:
    """`reserve_bytes` that must stay free on the filesystem of `path` (0: never refuse)."""

    def __init__(
        self, path: Path, reserve_bytes: int = DEFAULT_RESERVE_BYTES, store: str = "data dir"
    ) -> None:
        self.path = Path(path)
        self.reserve_bytes = reserve_bytes
        self.store = store

    def free_bytes(self) -> int:
        """Free bytes for an unprivileged writer (statvfs: a few microseconds)."""
        path = self.path
        while not path.exists() and path != path.parent:  # not created yet: its filesystem is the parent's
            path = path.parent
        stat = os.statvfs(path)
        return stat.f_bavail * stat.f_frsize

    def has_room(self) -> bool:
        return self.reserve_bytes <= 0 or self.free_bytes() >= self.reserve_bytes

    def too_full_to_open(self) -> str | None:
        """Why the stores cannot be opened safely on this filesystem now, in one line; None if they can."""
        if self.reserve_bytes <= 0:
            return None
        free, needed = self.free_bytes(), min(OPEN_ROOM_BYTES, self.reserve_bytes)
        if free >= needed:
            return None
        mib = 1024 * 1024
        return (
            f"the {self.store} ({self.path}) has {free / mib:.1f} MiB free; opening its stores needs "
            f"{needed / mib:.0f} MiB (their write-ahead logs): free some space and start again"
        )

    def check(self, store: str | None = None) -> None:
        """Raise InsufficientStorage when less than the reserve is free."""
        if self.reserve_bytes <= 0:
            return
        free = self.free_bytes()
        if free < self.reserve_bytes:
            raise InsufficientStorage.of(store or self.store, str(self.path), free, self.reserve_bytes)
