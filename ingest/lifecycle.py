"""What happens to memories after they are written: intentions get done, procedures get used,
merges get undone (access counts: ingest/access.py)."""

from __future__ import annotations

from datetime import datetime

from ..memtypes.errors import Conflict
from ..memtypes.governance.history import HistoryAction
from ..memtypes.ports import VectorIndex
from ..memtypes.records import MemoryRecord, time_payload, utcnow
from ..memtypes.types import SPECS, names, types_where
from .history import entry
from .pipeline import MemoryWriter
from .versions.dependents import mark_stale
from .versions.validity import invalidated_update


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
        closed = utcnow() if record.closed_at is None and status != statuses[0] else record.closed_at
        update = {"status": status} | (time_payload(closed_at=closed) if closed != record.closed_at else {})
        await self.index.set_payload(record.type, [record.id], update)
        if self.writer.history is not None and status != record.status:
            changed = entry(record.tenant, HistoryAction.UPDATED, changed=["status"], reason=status)
            await self.writer.history.record(record.tenant, [(record.id, changed)])
        return record.model_copy(update={"status": status, "closed_at": closed})

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
            # Current again, open-ended (unless the caller ended it: an invalidation stays).
            invalidated = stored[0].payload.get("invalidated_ts") is not None
            ended = {} if invalidated else time_payload(valid_until=None)
            cleared = {"superseded": False, "superseded_by": None} | time_payload(superseded_at=None) | ended
            await self.index.set_payload(record.type, [record.id], cleared)
            for winner in await self.index.get(record.type, [winner_id]):
                if (
                    winner.payload.get("tenant") == record.tenant
                    and winner.payload.get("supersedes") == record.id
                ):
                    await self.index.set_payload(record.type, [winner_id], {"supersedes": None})
            reopened = {"superseded_by": None, "superseded_at": None}
            restored = record.model_copy(update=reopened if invalidated else reopened | {"valid_until": None})
            if self.writer.history is not None:
                await self.writer.history.record_restore(
                    record.tenant, restored, reason=f"restored; was superseded by {winner_id}"
                )
        return restored

    async def invalidate(
        self, record: MemoryRecord, reason: str, until: datetime | None = None
    ) -> tuple[MemoryRecord, list[str]]:
        """End the memory's validity (at `until`, else now) without deleting it; the reason is kept
        in the record and its history. Answers the record and the ids its end marked stale."""
        async with self.writer.locked(record.tenant, [record.type]):
            stored = await self.index.get(record.type, [record.id])
            if not stored:
                raise Conflict(f"memory {record.id} is gone")
            now = utcnow()
            update = invalidated_update(stored[0].payload, until or now, reason, now)
            await self.index.set_payload(record.type, [record.id], update)
            if self.writer.history is not None:
                ended = entry(
                    record.tenant, HistoryAction.INVALIDATED, changed=["valid_until"], reason=reason
                )
                await self.writer.history.record(record.tenant, [(record.id, ended)])
        marked = await mark_stale(self.index, record.tenant, {record.id: f"invalidated: {reason}"})
        return MemoryRecord.from_payload(record.id, stored[0].payload | update), marked

    async def confirm(self, record: MemoryRecord) -> MemoryRecord:
        """A stale memory reviewed and still true: stale no more (it leaves the review feed)."""
        if not record.stale:
            raise Conflict(f"memory {record.id} is not stale; there is nothing to confirm")
        await self.index.set_payload(record.type, [record.id], {"stale": False, "stale_cause": None})
        if self.writer.history is not None:
            kept = entry(record.tenant, HistoryAction.CONFIRMED, changed=["stale"], reason=record.stale_cause)
            await self.writer.history.record(record.tenant, [(record.id, kept)])
        return record.model_copy(update={"stale": False, "stale_cause": None})
