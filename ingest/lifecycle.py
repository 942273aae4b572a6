"""What happens to memories after they are written: intentions get done, procedures get used,
merges get undone (access counts: ingest/access.py)."""

from __future__ import annotations

from ..memtypes.errors import Conflict
from ..memtypes.governance.history import HistoryAction
from ..memtypes.ports import VectorIndex
from ..memtypes.records import MemoryRecord
from ..memtypes.types import SPECS, names, types_where
from .history import entry
from .pipeline import MemoryWriter


class Lifecycle:
    def __init__(self, index: VectorIndex, writer: MemoryWriter) -> None:
        self.index = index
        self.writer = writer  # its per-(tenant, type) locks guard every read-modify-write here too

    async def set_status(self, record: MemoryRecord, status: str) -> MemoryRecord:
        statuses = SPECS[record.type].statuses
        if not statuses:
            kinds = names(types_where(lambda s: s.statuses))
            raise Conflict(f"memory {record.id} is {record.type.value}; only {kinds} memories have a status")
        if status not in statuses:
            raise ValueError(f"unknown status {status!r}")
        await self.index.set_payload(record.type, [record.id], {"status": status})
        if self.writer.history is not None and status != record.status:
            changed = entry(record.tenant, HistoryAction.UPDATED, changed=["status"], reason=status)
            await self.writer.history.record(record.tenant, [(record.id, changed)])
        return record.model_copy(update={"status": status})

    async def mark_used(self, record: MemoryRecord) -> MemoryRecord:
        """Count one more successful use of a procedure; usage raises its rank."""
        if not SPECS[record.type].counts_uses:
            kinds = names(types_where(lambda s: s.counts_uses))
            raise Conflict(f"memory {record.id} is {record.type.value}; only {kinds} memories count uses")
        async with self.writer.locked(record.tenant, [record.type]):
            stored = await self.index.get(record.type, [record.id])
            use_count = int(stored[0].payload.get("use_count", 0)) + 1 if stored else 1
            await self.index.set_payload(record.type, [record.id], {"use_count": use_count})
        return record.model_copy(update={"use_count": use_count})

    async def restore(self, record: MemoryRecord) -> MemoryRecord:
        """Undo a merge or supersede: the memory is current again (its winner stays current too).

        Both records are re-read under the write lock; the winner forgets it superseded this one.
        """
        if record.superseded_by is None:
            raise Conflict(f"memory {record.id} is not superseded; there is nothing to restore")
        async with self.writer.locked(record.tenant, [record.type]):
            stored = await self.index.get(record.type, [record.id])
            if not stored or stored[0].payload.get("superseded_by") is None:
                raise Conflict(f"memory {record.id} is not superseded; there is nothing to restore")
            winner_id = str(stored[0].payload["superseded_by"])
            await self.index.set_payload(
                record.type, [record.id], {"superseded": False, "superseded_by": None}
            )
            for winner in await self.index.get(record.type, [winner_id]):
                if (
                    winner.payload.get("tenant") == record.tenant
                    and winner.payload.get("supersedes") == record.id
                ):
                    await self.index.set_payload(record.type, [winner_id], {"supersedes": None})
            restored = record.model_copy(update={"superseded_by": None})
            if self.writer.history is not None:
                await self.writer.history.record_restore(
                    record.tenant, restored, reason=f"restored; was superseded by {winner_id}"
                )
        return restored
