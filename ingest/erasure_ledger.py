"""The erasure ledger: one content-free line per forget (tenant, scope, ids, receipt digest), in the
data dir next to the stores and copied into every backup, so that a restore of a backup taken before
a forget forgets the subject again (backends/transfer/restore.py replays it).

Appended and fsynced before the forget removes anything, like the erasure record: a forget whose
line cannot be written (a full disk) removes nothing. A line for a forget that then failed half-way
only makes a restore remove the rest of what the caller asked to remove.

The file exists from a service's first start, empty until a forget: a restore takes it as proof that
it knows every forget since its backup (backends/transfer/ledger_replay.py). A volume lost takes the
ledger with it; `forget.ledger_copy` keeps a second one elsewhere, appended to as well, and each start
gives each file the lines only the other holds.
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
    def __init__(self, data_dir: Path, copy: Path | None = None) -> None:
        self.path = data_dir / LEDGER_FILE
        self.paths = [self.path, *([copy] if copy is not None else [])]
        self._appending = asyncio.Lock()

    def open(self) -> None:
        """Each file there (created empty), each holding every line of the other."""
        lines = [_lines(path) for path in self.paths]
        for path, held in zip(self.paths, map(set, lines), strict=True):
            missing = [line for other in lines for line in other if line not in held]
            try:
                self._append_to(path, "".join(dict.fromkeys(missing)))
            except OSError as exc:  # a full disk: the start goes on read-only, forgets refused
                log.error("erasure: preparing %s failed (%s)", path, type(exc).__name__)

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
        for path in self.paths:
            self._append_to(path, line)

    @staticmethod
    def _append_to(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with (path.parent / LEDGER_LOCK).open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when closed
            with path.open("a", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())


def _lines(path: Path) -> list[str]:
    """The ledger's whole lines (one cut short by a crash is left out)."""
    if not path.is_file():
        return []
    return [
        line for line in path.read_text(encoding="utf-8").splitlines(keepends=True) if line.endswith("\n")
    ]
