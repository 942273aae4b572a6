"""What the free-space reserve reads of the filesystem: its type from the mount table (tmpfs takes
a memory-mapped page from its size when the page is read) and a file's unallocated pages."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from mnemo.backends.storage_reserve import (
    back_mapped_files,
    filesystem_type,
    pages_are_memory,
    unallocated_bytes,
)


def test_the_filesystem_of_a_path_is_its_nearest_mount(tmp_path: Path) -> None:
    volume = tmp_path / "mnemo data"  # the table writes the space as \040
    (volume / "disk" / "qdrant").mkdir(parents=True)
    (tmp_path / "mnemo database").mkdir()
    escaped = str(volume).replace(" ", "\\040")
    table = tmp_path / "mountinfo"
    table.write_text(
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
        f"41 22 0:40 / {escaped} rw,relatime shared:9 - tmpfs tmpfs rw,size=716800k\n"
        f"42 41 8:2 / {escaped}/disk rw,relatime shared:10 - xfs /dev/sdb1 rw\n"
    )
    assert filesystem_type(volume, table) == "tmpfs"
    assert filesystem_type(volume / "data" / "qdrant", table) == "tmpfs"  # not created yet
    assert filesystem_type(volume / "disk" / "qdrant", table) == "xfs"
    assert filesystem_type(tmp_path / "mnemo database", table) == "ext4"  # a prefix is no parent
    assert filesystem_type(volume, tmp_path / "no-such-table") is None


def test_holes_of_the_mapped_files_count_and_the_write_ahead_logs_do_not(tmp_path: Path) -> None:
    store = tmp_path / "qdrant"
    (store / "shard" / "wal").mkdir(parents=True)
    (store / "shard" / "wal" / "open-1").write_bytes(b"")
    os.truncate(store / "shard" / "wal" / "open-1", 32 << 20)
    (store / "shard" / "index.dat").write_bytes(b"x" * 8192)
    os.truncate(store / "shard" / "index.dat", 4 << 20)  # 8 KiB written, the rest a hole
    assert unallocated_bytes(store) == (4 << 20) - 8192
    assert unallocated_bytes(tmp_path / "none") == 0
    if not pages_are_memory(store):  # a read of a hole takes nothing here: nothing is allocated
        assert back_mapped_files(store) == 0
        assert unallocated_bytes(store) == (4 << 20) - 8192


def test_on_tmpfs_the_holes_are_allocated_or_nothing_is() -> None:
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK) and pages_are_memory(shm)):
        pytest.skip("no writable tmpfs at /dev/shm")
    store = Path(tempfile.mkdtemp(dir=shm))
    try:
        small = store / "shard" / "index.dat"
        small.parent.mkdir()
        small.write_bytes(b"")
        os.truncate(small, 1 << 20)
        too_big = store / "shard" / "payload.dat"
        too_big.write_bytes(b"")
        stat = os.statvfs(shm)
        os.truncate(too_big, stat.f_bavail * stat.f_frsize + (64 << 20))  # more than the tmpfs has free
        with pytest.raises(OSError) as refused:
            back_mapped_files(store)
        assert refused.value.errno == errno.ENOSPC
        assert small.stat().st_blocks == 0 and too_big.stat().st_blocks == 0  # nothing taken
        too_big.unlink()
        assert back_mapped_files(store) == 1 << 20
        assert unallocated_bytes(store) == 0 and small.stat().st_blocks * 512 >= 1 << 20
    finally:
        shutil.rmtree(store)
