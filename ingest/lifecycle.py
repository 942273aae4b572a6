"""What happens to memories after they are written: intentions get done, procedures get used,
and every memory returned by a retrieval has its access recorded (off the hot path)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from ingest.pipeline import MemoryWriter
from memtypes.errors import Conflict
from memtypes.ports import VectorIndex
from memtypes.records import MemoryRecord
from memtypes.types import MemoryType

PROSPECTIVE_STATUSES = ("pending", "done", "cancelled")


class Lifecycle:
    def __init__(self, index: VectorIndex, writer: MemoryWriter) -> None:
        self.index = index
        self.writer = writer  # its per-(tenant, type) locks guard every read-modify-write here too

    async def set_status(self, record: MemoryRecord, status: str) -> MemoryRecord:
        if record.type is not MemoryType.PROSPECTIVE:
            raise Conflict(
                f"memory {record.id} is {record.type.value}; only prospective memories have a status"
            )
        if status not in PROSPECTIVE_STATUSES:
            raise ValueError(f"unknown status {status!r}")
        await self.index.set_payload(record.type, [record.id], {"status": status})
        return record.model_copy(update={"status": status})

    async def mark_used(self, record: MemoryRecord) -> MemoryRecord:
        """Count one more successful use of a procedure; usage raises its rank."""
        if record.type is not MemoryType.PROCEDURAL:
            raise Conflict(f"memory {record.id} is {record.type.value}; only procedural memories count uses")
        async with self.writer.locked(record.tenant, [record.type]):
            stored = await self.index.get(record.type, [record.id])
            use_count = int(stored[0].payload.get("use_count", 0)) + 1 if stored else 1
            await self.index.set_payload(record.type, [record.id], {"use_count": use_count})
        return record.model_copy(update={"use_count": use_count})

    async def record_access(self, tenant: str, refs: Sequence[tuple[MemoryType, str]], now: datetime) -> None:
        """Bump `access_count` and `last_accessed_at` of memories a retrieval returned."""
        by_type: dict[MemoryType, list[str]] = defaultdict(list)
        for memory_type, point_id in refs:
            by_type[memory_type].append(point_id)
        stamp = now.isoformat()
        for memory_type, ids in by_type.items():
            async with self.writer.locked(tenant, [memory_type]):
                for point in await self.index.get(memory_type, ids):
                    if point.payload.get("tenant") != tenant:
                        continue
                    count = int(point.payload.get("access_count", 0)) + 1
                    await self.index.set_payload(
                        memory_type, [point.id], {"access_count": count, "last_accessed_at": stamp}
                    )
