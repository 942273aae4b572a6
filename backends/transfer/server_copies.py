"""The server's copies of online backups (`<data dir>/backups/<id>/`): kept only for their transfer.

A copy holds every tenant's text, so it must not outlive its purpose: `mnemo backup` removes it once
its own copy verifies; one it never fetched (a client timeout, a failed verification, a crash) is
abandoned, and dropped when it has not been read for ABANDONED_S, at the next start, and by every
forget's erasure run (a copy taken before a forget holds what the forget removed: the transfer
under way fails and is taken again, without the subject).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger("mnemo.backup")

DIRECTORY = "backups"
ABANDONED_S = 3600.0  # no file of the copy read for this long: its client is gone


class ServerCopies:
    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / DIRECTORY
        # Held while a backup is written: one at a time (a second would only double the I/O), and
        # an erasure run waits for it rather than pulling files from under it.
        self.writing = asyncio.Lock()

    def path(self, backup_id: str) -> Path:
        return self.root / backup_id

    def touch(self, backup_id: str) -> None:
        """A file of the copy was read: its client is still there."""
        with contextlib.suppress(FileNotFoundError):  # dropped meanwhile: the read itself says so
            os.utime(self.path(backup_id))

    async def drop(self, backup_id: str) -> None:
        await asyncio.to_thread(shutil.rmtree, self.path(backup_id), True)

    async def drop_all(self) -> int:
        """Every copy (after a backup being written, if one is): what a forget's erasure run calls."""
        async with self.writing:
            return await self._drop(lambda _: True)

    async def drop_abandoned(self) -> int:
        """The copies no one read for ABANDONED_S (callers hold `writing`, or run before serving)."""
        cutoff = time.time() - ABANDONED_S
        return await self._drop(lambda path: path.stat().st_mtime < cutoff)

    async def _drop(self, which: Callable[[Path], bool]) -> int:
        if not self.root.is_dir():
            return 0
        dropped = 0
        for path in sorted(self.root.iterdir()):
            if path.is_dir() and which(path):
                await asyncio.to_thread(shutil.rmtree, path, True)
                dropped += 1
        if dropped:
            log.info("dropped %d server copy(ies) of backups", dropped)
        return dropped
