"""The write pipeline: validate → derive the record → embed what changed → upsert.

Ids are deterministic (memtypes.records.memory_id), so writing the same input twice updates one
record instead of creating two; input identical to what is stored is reported `unchanged` and is
not even re-embedded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from memtypes.ports import Embedder, Tokenizers, VectorIndex
from memtypes.queries import StoredPoint, VectorPoint
from memtypes.records import MemoryIn, MemoryRecord, content_hash, memory_id, utcnow
from memtypes.rendering import memory_line
from memtypes.types import MemoryType

DEFAULT_IMPORTANCE = 0.5
# Fields whose change makes a re-write an update (everything else is bookkeeping).
_IDENTITY_FIELDS = (
    "content_hash",
    "importance",
    "occurred_at",
    "tags",
    "metadata",
    "due_at",
    "trigger",
    "user_id",
    "agent_id",
    "thread_id",
    "task_id",
)


class WriteStatus(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class WriteResult:
    id: str | None
    external_id: str | None
    status: WriteStatus
    reason: str | None = None


class MemoryWriter:
    def __init__(self, index: VectorIndex, embedder: Embedder, tokenizers: Tokenizers) -> None:
        self.index = index
        self.embedder = embedder
        self.tokenizers = tokenizers

    def build_record(
        self,
        tenant: str,
        item: MemoryIn,
        now: datetime,
        existing: dict[str, Any] | None,
        cleared_at: datetime | None = None,
    ) -> MemoryRecord:
        chash = content_hash(item.content)
        # Without an explicit time, a re-written memory keeps the time it was first written at.
        first_seen = existing.get("occurred_at") if existing and item.occurred_at is None else None
        occurred_at = (
            datetime.fromisoformat(first_seen) if isinstance(first_seen, str) else item.occurred_at or now
        ).astimezone(UTC)
        due_at = item.due_at.astimezone(UTC) if item.due_at else None
        default_counter = self.tokenizers.get(self.tokenizers.default)
        created = existing.get("created_at") if existing else None
        return MemoryRecord(
            id=memory_id(tenant, item.type, item.scope, item.id, chash),
            external_id=item.id,
            type=item.type,
            tenant=tenant,
            scope=item.scope,
            content=item.content,
            content_hash=chash,
            token_count=default_counter.count(item.content),
            token_counts={
                name: self.tokenizers.get(name).count(item.content) for name in self.tokenizers.names()
            },
            importance=item.importance if item.importance is not None else DEFAULT_IMPORTANCE,
            occurred_at=occurred_at,
            created_at=datetime.fromisoformat(created) if isinstance(created, str) else now,
            last_accessed_at=existing.get("last_accessed_at") if existing else None,
            access_count=int(existing.get("access_count", 0)) if existing else 0,
            use_count=int(existing.get("use_count", 0)) if existing else 0,
            tags=item.tags,
            metadata=item.metadata,
            due_at=due_at,
            trigger=item.trigger,
            status=(existing or {}).get("status", "pending") if item.type is MemoryType.PROSPECTIVE else None,
            task_id=item.task_id,
            cleared_at=cleared_at if item.type is MemoryType.WORKING else None,
        )

    def line_tokens(self, record: MemoryRecord) -> dict[str, int]:
        line = memory_line(record.type, record.content, record.occurred_at, record.due_at)
        return {name: self.tokenizers.get(name).count(line) for name in self.tokenizers.names()}

    async def write(
        self, tenant: str, items: Sequence[MemoryIn], *, cleared_at: datetime | None = None
    ) -> list[WriteResult]:
        """Write a batch; one result per item, in order. `cleared_at` marks working-memory items as
        archived (they left a task's live working memory at that time)."""
        now = utcnow()
        ids = [
            memory_id(tenant, item.type, item.scope, item.id, content_hash(item.content)) for item in items
        ]
        existing = await self._existing(tenant, items, ids)
        last_index = {point_id: i for i, point_id in enumerate(ids)}

        results: list[WriteResult] = []
        to_store: list[MemoryRecord] = []
        for i, item in enumerate(items):
            if last_index[ids[i]] != i:  # the same memory again later in this request: the later one wins
                results.append(
                    WriteResult(ids[i], item.id, WriteStatus.SKIPPED, "repeated later in the request")
                )
                continue
            old = existing.get(ids[i])
            record = self.build_record(tenant, item, now, old, cleared_at)
            payload = record.to_payload()
            if old is not None and all(old.get(f) == payload.get(f) for f in _IDENTITY_FIELDS):
                results.append(WriteResult(record.id, item.id, WriteStatus.UNCHANGED))
                continue
            to_store.append(record)
            results.append(
                WriteResult(record.id, item.id, WriteStatus.UPDATED if old else WriteStatus.CREATED)
            )

        vectors = await self.embedder.embed([r.content for r in to_store])
        by_type: dict[MemoryType, list[VectorPoint]] = defaultdict(list)
        for record, vector in zip(to_store, vectors, strict=True):
            payload = record.to_payload()
            payload["line_tokens"] = self.line_tokens(record)
            by_type[record.type].append(VectorPoint(record.id, vector, payload))
        for memory_type, points in by_type.items():
            await self.index.upsert(memory_type, points)
        return results

    async def _existing(
        self, tenant: str, items: Sequence[MemoryIn], ids: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        wanted: dict[MemoryType, list[str]] = defaultdict(list)
        for item, point_id in zip(items, ids, strict=True):
            wanted[item.type].append(point_id)
        found: dict[str, dict[str, Any]] = {}
        for memory_type, point_ids in wanted.items():
            stored: list[StoredPoint] = await self.index.get(memory_type, point_ids)
            found.update({p.id: p.payload for p in stored if p.payload.get("tenant") == tenant})
        return found
