"""The erasure ledger: one content-free line per forget (tenant, scope, ids, receipt digest), in the
data dir next to the stores and copied into every backup, so that a restore of a backup taken before
a forget forgets the subject again (backends/transfer/restore.py replays it).

Appended and fsynced before the forget removes anything, like the erasure record: a forget whose
line cannot be written (a full disk) removes nothing. A line for a forget that then failed half-way
only makes a restore remove the rest of what the caller asked to remove.
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
from pathlib import Path

from ..memtypes.errors import InsufficientStorage
from ..memtypes.governance.forget import LEDGER_FILE, LEDGER_LOCK, LedgerEntry

log = logging.getLogger("mnemo.erasure")


class ErasureLedger:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / LEDGER_FILE
        self._appending = asyncio.Lock()

    async def append(self, entry: LedgerEntry) -> None:
        line = entry.model_dump_json() + "\n"
        async with self._appending:
            try:
                await asyncio.to_thread(self._append, line)
            except OSError as exc:
                log.error("erasure: appending to %s failed (%s)", self.path, type(exc).__name__)
                raise InsufficientStorage(
                    "a forget cannot be recorded in the data dir's erasure ledger: nothing was removed"
                ) from exc

    def _append(self, line: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with (self.path.parent / LEDGER_LOCK).open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when closed
            with self.path.open("a", encoding="utf-8") as out:
                out.write(line)
                out.flush()
                os.fsync(out.fileno())
