"""What happens to memories after they are written: intentions get done, procedures get used,
and every memory returned by a retrieval has its access recorded (off the hot path)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime

from ..memtypes.errors import Conflict, TypeUnavailable
from ..memtypes.governance.history import HistoryAction
from ..memtypes.ports import VectorIndex
from ..memtypes.records import MemoryRecord, utcnow
from ..memtypes.requests import RetrieveRequest, RetrieveResponse
from ..memtypes.types import SPECS, MemoryType, names, types_where
from .history import entry
from .pipeline import MemoryWriter

log = logging.getLogger("mnemo.lifecycle")
# Memories per step of the access-count flush (one read, then the writes, each call short: Qdrant
# Edge holds the GIL for a whole call), and the pause after a step, as a multiple of its duration.
_FLUSH_CHUNK = 64
_PACE = 3.0


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


class AccessLog:
    """Accesses noted on the hot path (no I/O), written to the index by a periodic, paced flush.

    A memory returned ten times between two flushes costs one write, and a retrieval never waits
    for bookkeeping. Writing a count into Qdrant Edge costs ~0.1 ms a memory of held GIL, and a busy
    service returns thousands of distinct memories a minute: at 100k memories a flush every 2 s
    cost a quarter of the CPU and most of the p95. So the app flushes every
    `access_flush_interval_s` (30 s), in chunks paced to a fraction of the time, and once more on
    shutdown; meanwhile `with_pending` shows a record as the next flush will write it.
    """

    def __init__(self, index: VectorIndex, writer: MemoryWriter) -> None:
        self.index = index
        self.writer = writer
        self._pending: dict[tuple[str, MemoryType], dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self._last_seen: dict[tuple[str, MemoryType], datetime] = {}

    def note(self, tenant: str, refs: Sequence[tuple[MemoryType, str]], now: datetime) -> None:
        for memory_type, point_id in refs:
            self._pending[(tenant, memory_type)][point_id] += 1
            self._last_seen[(tenant, memory_type)] = now

    def note_retrieval(self, tenant: str, request: RetrieveRequest, response: RetrieveResponse) -> None:
        """What a retrieval counts as accessed: everything it returned from the index. A task's live
        working items (with task_id, the scratchpad type can only mean those) are in Redis, not the index."""
        live_working = request.task_id is not None
        refs = [
            (m.type, m.id) for m in response.memories if not (live_working and SPECS[m.type].task_scratchpad)
        ]
        self.note(tenant, refs, utcnow())

    def with_pending(self, tenant: str, record: MemoryRecord) -> MemoryRecord:
        """The record with the accesses noted since the last flush (a flush under way is not
        counted: for its duration a count may read low, never high)."""
        key = (tenant, record.type)
        noted = self._pending.get(key, {}).get(record.id, 0)
        if not noted:
            return record
        update = {"access_count": record.access_count + noted, "last_accessed_at": self._last_seen[key]}
        return record.model_copy(update=update)

    async def flush(self, *, paced: bool = True) -> int:
        """Apply every noted access; returns how many memories were updated. Paced, each chunk is
        followed by a pause `_PACE` times as long as it took (shutdown flushes unpaced)."""
        pending, self._pending = self._pending, defaultdict(lambda: defaultdict(int))
        last_seen, self._last_seen = self._last_seen, {}
        updated = 0
        # Not under the writer's lock: a flush would block that tenant's writes for its duration.
        # Setting two fields leaves the rest of a payload alone; the one race left (a re-write of
        # the same memory between this read and this update) can lose a count, never content.
        for (tenant, memory_type), counts in pending.items():
            try:
                updated += await self._flush_type(tenant, memory_type, counts, last_seen, paced)
            except TypeUnavailable as exc:  # that type's store is held (issue 39): statistics only
                log.warning("access counts of %s not written: %s", memory_type.value, exc.detail)
        return updated

    async def _flush_type(
        self,
        tenant: str,
        memory_type: MemoryType,
        counts: Mapping[str, int],
        last_seen: Mapping[tuple[str, MemoryType], datetime],
        paced: bool,
    ) -> int:
        updated = 0
        stamp = last_seen[(tenant, memory_type)].isoformat()
        ids = list(counts)
        for i in range(0, len(ids), _FLUSH_CHUNK):
            started = time.perf_counter()
            updates: dict[str, dict[str, object]] = {
                point.id: {
                    "access_count": int(point.payload.get("access_count", 0)) + counts[point.id],
                    "last_accessed_at": stamp,
                }
                for point in await self.index.get(memory_type, ids[i : i + _FLUSH_CHUNK])
                if point.payload.get("tenant") == tenant
            }
            # Statistics are not worth an fsync.
            await self.index.set_payloads(memory_type, updates, durable=False)
            updated += len(updates)
            if paced:
                await asyncio.sleep((time.perf_counter() - started) * _PACE)
        return updated
