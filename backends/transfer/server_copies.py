"""The server's copies of online backups (`<data dir>/backups/<id>/`): kept only for their transfer.

A copy holds every tenant's text, so it must not outlive its purpose: `mnemo backup` removes it once
its own copy verifies; one it never fetched (a client timeout, a failed verification, a crash) is
abandoned, and dropped when it has not been read for ABANDONED_S, at the next start, and by every
forget's erasure run (a copy taken before a forget holds what the forget removed). The erasure run
does not cut a transfer under way: a copy its client is fetching is dropped once the client removes
it or stops reading for TRANSFER_IDLE_S (the run, and the forget's receipt, wait for that); one no
client has read within FIRST_READ_S of its making is dropped (`mnemo backup` takes a new one when it
finds it gone).
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
# A copy being fetched whose client read no file for this long: its transfer is over, or abandoned.
# Files are fetched one after another at once; a file already being sent is read from its open
# descriptor, so dropping the copy does not cut it.
TRANSFER_IDLE_S = 60.0
# A new copy is its client's to fetch for this long before it counts as never read: the client asks
# for its first file as soon as the copy's manifest arrives.
FIRST_READ_S = 5.0
_TRANSFER_POLL_S = 0.5


class ServerCopies:
    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / DIRECTORY
        # Held while a backup is written: one at a time (a second would only double the I/O), and
        # an erasure run waits for it rather than pulling files from under it.
        self.writing = asyncio.Lock()
        self._last_read: dict[str, float] = {}  # backup id → when a file of it was last read (monotonic)
        self._no_more_transfers = asyncio.Event()  # the service is stopping: no transfer to wait for

    def path(self, backup_id: str) -> Path:
        return self.root / backup_id

    def touch(self, backup_id: str) -> None:
        """A file of the copy was read: its client is still there."""
        self._last_read[backup_id] = time.monotonic()
        with contextlib.suppress(FileNotFoundError):  # dropped meanwhile: the read itself says so
            os.utime(self.path(backup_id))

    async def drop(self, backup_id: str) -> None:
        self._last_read.pop(backup_id, None)
        await asyncio.to_thread(shutil.rmtree, self.path(backup_id), True)

    def made(self, backup_id: str) -> None:
        """A copy was written: its client is about to fetch it."""
        self._last_read[backup_id] = time.monotonic() - TRANSFER_IDLE_S + FIRST_READ_S

    def _in_transfer(self, backup_id: str) -> bool:
        last = self._last_read.get(backup_id)
        recent = last is not None and time.monotonic() - last < TRANSFER_IDLE_S
        return recent and not self._no_more_transfers.is_set()

    def stop_transfers(self) -> None:
        """The service is stopping (no request is served any more): nothing is waited for."""
        self._no_more_transfers.set()

    async def drop_all_after_transfers(self) -> int:
        """Every copy there is now (after a backup being written, if one is), each once its transfer
        is over: what a forget's erasure run calls. Returns how many it dropped."""
        async with self.writing:
            waiting = {path.name for path in self._copies()}
        dropped = 0
        while waiting:
            for backup_id in sorted(waiting):
                if not self.path(backup_id).is_dir():  # its client removed it, as a transfer ends
                    waiting.discard(backup_id)
                elif not self._in_transfer(backup_id):
                    await self.drop(backup_id)
                    waiting.discard(backup_id)
                    dropped += 1
            if waiting:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._no_more_transfers.wait(), _TRANSFER_POLL_S)
        if dropped:
            log.info("dropped %d server copy(ies) of backups", dropped)
        return dropped

    async def drop_all(self) -> int:
        """Every copy (after a backup being written, if one is): what a start calls."""
        async with self.writing:
            return await self._drop(lambda _: True)

    async def drop_abandoned(self) -> int:
        """The copies no one read for ABANDONED_S (callers hold `writing`, or run before serving)."""
        cutoff = time.time() - ABANDONED_S
        return await self._drop(lambda path: path.stat().st_mtime < cutoff)

    def _copies(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return [path for path in sorted(self.root.iterdir()) if path.is_dir()]

    async def _drop(self, which: Callable[[Path], bool]) -> int:
        dropped = 0
        for path in self._copies():
            if which(path):
                await self.drop(path.name)
                dropped += 1
        if dropped:
            log.info("dropped %d server copy(ies) of backups", dropped)
        return dropped
