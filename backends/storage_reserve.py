"""A free-space reserve on the data dir's filesystem, checked before every write and flush.

Why: the engines write through memory maps. Qdrant Edge appends its write-ahead log and grows its
segments in sparse, memory-mapped files; when the filesystem has no page left for such a write, the
kernel answers with SIGBUS, which kills the whole service (measured on a full tmpfs: exit -7,
in-flight requests dropped). A write cannot fail "safely" once it touches the map, so the only safe
place to refuse it is before: while less than the reserve is free, writes and checkpoint flushes
are refused (InsufficientStorage → 507 naming the store and the free space), reads keep working,
and writes resume by themselves once space is freed. The reserve must exceed what one request can
write (a 1,000-memory batch is a few MiB; a WAL segment is 32 MiB), hence the default.

On a filesystem whose pages are memory (tmpfs), a page of a shared map is taken from the
filesystem's size when it is first *read*, not only when written: opening a shard populates its
payload indexes and payloads, hundreds of MiB of sparse, preallocated files, so a start with less
free than their unwritten pages died of SIGBUS however few writes it took. There the stores' files
are allocated whole before they are opened (`back_mapped_files`: a full filesystem answers ENOSPC,
not a fault), and a start without room for them is refused; once allocated, no read can fault for
want of space again. Elsewhere a read of a hole maps a zero page and takes nothing from the disk.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterator
from pathlib import Path

from ..memtypes.errors import InsufficientStorage

DEFAULT_RESERVE_BYTES = 256 * 1024 * 1024
# What opening the embedded stores may write before anything is asked of them: Qdrant Edge replays
# its write-ahead log and starts a new memory-mapped segment (32 MiB) after an unclean stop. Below
# this a start could die of SIGBUS, so it is refused; between it and the reserve it serves reads.
OPEN_ROOM_BYTES = 64 * 1024 * 1024
# Filesystems that take a memory-mapped page from their size when it is read (see above).
_PAGES_ARE_MEMORY = frozenset({"tmpfs"})
_PAGE = 4096
MIB = 1024 * 1024
# What a new store's mapped files come to (an empty store's are ~1,150 MiB: each type's shard about
# 200, its payload indexes' preallocated pages most of it; tests/e2e/engines/test_full_disk.py checks this
# covers them). On tmpfs a store is created only with this much free: creating maps them too.
NEW_STORE_BYTES = 1280 * MIB


def filesystem_type(path: Path, mountinfo: Path = Path("/proc/self/mountinfo")) -> str | None:
    """The type of the filesystem `path` is on (its nearest existing ancestor's), from the mount
    table; None where that cannot be read."""
    path = Path(os.path.realpath(path))
    while not path.exists() and path != path.parent:
        path = path.parent
    best, found = -1, None
    try:
        lines = mountinfo.read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        fields = line.split(" ")
        if "-" not in fields[6:]:
            continue
        mount = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[4])
        fs_type = fields[fields.index("-", 6) + 1]
        inside = path == Path(mount) or Path(mount) in path.parents
        if inside and len(mount) >= best:  # the last mounted over the same point wins
            best, found = len(mount), fs_type
    return found


def pages_are_memory(path: Path) -> bool:
    """Whether reading a hole of a shared memory map takes space on `path`'s filesystem."""
    return filesystem_type(path) in _PAGES_ARE_MEMORY


def _mapped_files(store: Path) -> Iterator[tuple[Path, os.stat_result]]:
    """The store's files a shard maps and reads whole, with their stat: all but the write-ahead
    logs (read only as far as written, appended to under the reserve)."""
    if not store.is_dir():
        return
    for root, dirs, files in os.walk(store):
        dirs[:] = [d for d in dirs if d != "wal"]
        for name in files:
            path = Path(root) / name
            try:
                yield path, path.stat()
            except OSError:  # gone meanwhile (a rebuild's swap)
                continue


def _in_pages(stat: os.stat_result) -> int:
    """A file's size in whole pages: what it takes on tmpfs once read."""
    return -(-stat.st_size // _PAGE) * _PAGE


def _hole(stat: os.stat_result) -> int:
    """Bytes of a file that no page backs yet."""
    return max(0, _in_pages(stat) - stat.st_blocks * 512)


def mapped_bytes(store: Path) -> int:
    """The size of the store's mapped files, in whole pages (what they take on tmpfs once read)."""
    return sum(_in_pages(stat) for _, stat in _mapped_files(store))


def unallocated_bytes(store: Path) -> int:
    """Bytes of the store's mapped files that no page backs yet (their holes)."""
    return sum(_hole(stat) for _, stat in _mapped_files(store))


def back_mapped_files(store: Path) -> int:
    """On a filesystem whose pages are memory, allocate every hole of the store's mapped files
    (OSError ENOSPC, with nothing allocated, where they do not all fit: nothing is faulted);
    elsewhere nothing. Answers the bytes that were unallocated."""
    if not pages_are_memory(store):
        return 0
    holes = [(path, stat.st_size, _hole(stat)) for path, stat in _mapped_files(store) if _hole(stat) > 0]
    missing = sum(hole for _, _, hole in holes)
    filesystem = os.statvfs(store)
    if missing > filesystem.f_bavail * filesystem.f_frsize:
        raise OSError(errno.ENOSPC, f"{missing} bytes of the store's files are not allocated", str(store))
    for path, size, _ in holes:
        fd = os.open(path, os.O_RDWR)
        try:
            os.posix_fallocate(fd, 0, size)  # keeps the size; fills only the holes
        finally:
            os.close(fd)
    return missing


def _is_new(store: Path) -> bool:
    return not store.is_dir() or not any(path.is_dir() for path in store.iterdir())


def _to_allocate(store: Path) -> int:
    """What opening `store` takes on tmpfs: its files' holes, or a new store's files."""
    return NEW_STORE_BYTES if _is_new(store) else unallocated_bytes(store)


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

    def too_full_to_open(self, store: Path | None = None) -> str | None:
        """Why the stores cannot be opened safely on this filesystem now, in one line; None if they
        can. `store`: the Edge store's dir, whose unallocated pages count where reads take space."""
        if self.reserve_bytes <= 0:
            return None
        free, needed = self.free_bytes(), min(OPEN_ROOM_BYTES, self.reserve_bytes)
        unallocated = _to_allocate(store) if store is not None and pages_are_memory(store) else 0
        if free >= needed + unallocated:
            return None
        if unallocated:
            return (
                f"the {self.store} ({self.path}) is on tmpfs and has {free / MIB:.1f} MiB free; opening "
                f"its stores needs {(needed + unallocated) / MIB:.0f} MiB ({unallocated / MIB:.0f} MiB "
                f"of their files not yet in memory, which a read takes from the tmpfs, and "
                f"{needed / MIB:.0f} MiB for their write-ahead logs): free some space or enlarge the "
                "tmpfs, and start again"
            )
        return (
            f"the {self.store} ({self.path}) has {free / MIB:.1f} MiB free; opening its stores needs "
            f"{needed / MIB:.0f} MiB (their write-ahead logs): free some space and start again"
        )

    def back_mapped_files(self, store: Path) -> None:
        """`back_mapped_files(store)`, no room for them told as InsufficientStorage (a refused
        start, not a SIGBUS once opened); on tmpfs a store not created yet needs room for one."""
        if pages_are_memory(store) and _is_new(store) and (free := self.free_bytes()) < NEW_STORE_BYTES:
            raise InsufficientStorage(
                f"the {self.store} ({self.path}) is on tmpfs and has {free / MIB:.1f} MiB free; a new "
                f"store's files take {NEW_STORE_BYTES / MIB:.0f} MiB there once read: free some space "
                "or enlarge the tmpfs, and start again",
                self.store,
                free,
            )
        try:
            back_mapped_files(store)
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
            free, needed = self.free_bytes(), unallocated_bytes(store)
            raise InsufficientStorage(
                f"the {self.store} ({self.path}) is on tmpfs and has {free / MIB:.1f} MiB free; its "
                f"stores' files need {needed / MIB:.0f} MiB more, which a read of them would take from "
                "the tmpfs: free some space or enlarge the tmpfs, and start again",
                self.store,
                free,
            ) from exc

    def check(self, store: str | None = None) -> None:
        """Raise InsufficientStorage when less than the reserve is free."""
        if self.reserve_bytes <= 0:
            return
        free = self.free_bytes()
        if free < self.reserve_bytes:
            raise InsufficientStorage.of(store or self.store, str(self.path), free, self.reserve_bytes)
