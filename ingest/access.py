"""Every memory a retrieval returns has its access noted: on the hot path in memory only, written to
the access-count store (Redis, backends/redis/access.py) by a periodic flush, never into the index."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from ..memtypes.errors import InsufficientStorage, Unavailable
from ..memtypes.ports import AccessCounts
from ..memtypes.records import MemoryRecord, utcnow
from ..memtypes.requests import RetrieveResponse
from ..memtypes.types import SPECS, MemoryType

log = logging.getLogger("mnemo.access")
# Memories per write of the flush: one round trip each, a bounded command.
_FLUSH_CHUNK = 512

_Key = tuple[str, MemoryType]  # (tenant, type)


def _latest(*stamps: datetime | None) -> datetime | None:
    return max((s for s in stamps if s is not None), default=None)


class AccessLog:
    """Accesses noted on the hot path (no I/O) and flushed every `access_flush_interval_s` (and at
    shutdown). A memory returned ten times between two flushes costs one increment. Reads show a
    record's stored counts plus those noted since the last flush.

    Counts that a flush could not write (Redis down or full) stay noted for the next one. A record written
    before counts moved out of the index keeps its old payload count; what is stored here adds to it.
    """

    def __init__(self, counts: AccessCounts) -> None:
        self.counts = counts
        self._pending: dict[_Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self._last_seen: dict[_Key, datetime] = {}

    def note(self, tenant: str, refs: Sequence[tuple[MemoryType, str]], now: datetime) -> None:
        for memory_type, point_id in refs:
            self._pending[(tenant, memory_type)][point_id] += 1
            self._last_seen[(tenant, memory_type)] = now

    def note_retrieval(self, tenant: str, response: RetrieveResponse, live_working: bool) -> None:
        """What a retrieval counts as accessed: everything it returned from the index. `live_working`:
        the response holds a task's live working items (a request with task_id; the scratchpad type
        can then only mean those), which are in Redis, not the index."""
        refs = [
            (m.type, m.id) for m in response.memories if not (live_working and SPECS[m.type].task_scratchpad)
        ]
        self.note(tenant, refs, utcnow())

    async def with_access(self, tenant: str, records: Sequence[MemoryRecord]) -> list[MemoryRecord]:
        """The records with their counts as they stand. A flush under way is not seen: for its
        duration a count may read low. Without Redis, the index's and the pending counts alone."""
        wanted: dict[MemoryType, list[str]] = defaultdict(list)
        for record in records:
            wanted[record.type].append(record.id)
        try:
            read = await asyncio.gather(*(self.counts.read(tenant, t, ids) for t, ids in wanted.items()))
            stored = dict(zip(wanted, read, strict=True))
        except Unavailable:
            stored = {}
        out = []
        for record in records:
            count, last = stored.get(record.type, {}).get(record.id, (0, None))
            key = (tenant, record.type)
            noted = self._pending.get(key, {}).get(record.id, 0)
            if noted:
                count, last = count + noted, _latest(last, self._last_seen[key])
            if count:
                update = {
                    "access_count": record.access_count + count,
                    "last_accessed_at": _latest(record.last_accessed_at, last),
                }
                record = record.model_copy(update=update)
            out.append(record)
        return out

    async def forget(self, tenant: str, memory_type: MemoryType, ids: Sequence[str]) -> None:
        """Deleted memories: their noted and stored counts go too (`Unavailable` without Redis)."""
        pending = self._pending.get((tenant, memory_type), {})
        for point_id in ids:
            pending.pop(point_id, None)
        await self.counts.drop(tenant, memory_type, ids)

    async def flush(self) -> int:
        """Write every noted access; how many memories' counts were written."""
        pending, self._pending = self._pending, defaultdict(lambda: defaultdict(int))
        last_seen, self._last_seen = self._last_seen, {}
        written = 0
        for key, counts in pending.items():
            ids = list(counts)
            for start in range(0, len(ids), _FLUSH_CHUNK):
                chunk = {i: counts[i] for i in ids[start : start + _FLUSH_CHUNK]}
                try:
                    await self.counts.add(*key, chunk, last_seen[key])
                except (Unavailable, InsufficientStorage) as exc:  # noted again: the next flush tries
                    log.warning("access counts not written, kept for the next flush: %s", exc.detail)
                    self._keep(key, {i: counts[i] for i in ids[start:]}, last_seen[key])
                    break
                written += len(chunk)
        return written

    def _keep(self, key: _Key, counts: dict[str, int], last: datetime) -> None:
        kept = self._pending[key]
        for point_id, count in counts.items():
            kept[point_id] += count
        self._last_seen[key] = _latest(self._last_seen.get(key), last) or last
