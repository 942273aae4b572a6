"""Reading records by id and listing them page by page, always within one tenant."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import uuid
from dataclasses import dataclass, replace

from ..memtypes.errors import FieldProblem, InvalidInput, NotFound, Unavailable
from ..memtypes.ports import AccessView, VectorIndex
from ..memtypes.queries import MemoryFilter
from ..memtypes.records import MemoryRecord
from ..memtypes.types import INTENTION_TYPE, MemoryType

_TYPE_ORDER = tuple(MemoryType)
log = logging.getLogger("mnemo.catalog")


@dataclass(frozen=True)
class Page:
    records: list[MemoryRecord]
    next_cursor: str | None


def parse_memory_id(raw: str) -> str:
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise InvalidInput("a memory id is a UUID", problems=[FieldProblem("id", "not a UUID")]) from None


def _encode_cursor(memory_type: MemoryType, offset: str | None) -> str:
    raw = json.dumps({"t": memory_type.value, "o": offset}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[MemoryType, str | None]:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        memory_type = MemoryType(data["t"])
        offset = data["o"]
        if offset is not None:
            offset = str(uuid.UUID(offset))
        return memory_type, offset
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise InvalidInput(
            "invalid cursor", problems=[FieldProblem("cursor", "not a cursor from this API")]
        ) from None


class Catalog:
    """`access` adds each record's access statistics (kept outside the index: ingest/access.py)."""

    def __init__(self, index: VectorIndex, access: AccessView | None = None) -> None:
        self.index = index
        self.access = access

    async def with_access(self, tenant: str, records: list[MemoryRecord]) -> list[MemoryRecord]:
        return records if self.access is None else await self.access.with_access(tenant, records)

    async def find(self, tenant: str, raw_id: str) -> MemoryRecord:
        """The record with this id in any collection, if it belongs to `tenant`; else NotFound."""
        point_id = parse_memory_id(raw_id)
        found = await asyncio.gather(*(self.index.get(t, [point_id]) for t in _TYPE_ORDER))
        for points in found:
            for point in points:
                if point.payload.get("tenant") == tenant:
                    record = MemoryRecord.from_payload(point.id, point.payload)
                    return (await self.with_access(tenant, [record]))[0]
        raise NotFound(f"no memory {point_id}")

    async def delete(self, tenant: str, raw_id: str) -> MemoryRecord:
        """Delete the record; answer what was deleted."""
        record = await self.find(tenant, raw_id)
        await self.index.delete(record.type, [record.id])
        if self.access is not None:
            try:
                await self.access.forget(tenant, record.type, [record.id])
            except Unavailable:  # statistics of an id that is gone: harmless, not worth failing for
                log.warning("access counts of deleted memory %s not dropped: Redis is unavailable", record.id)
        return record

    async def page(
        self, flt: MemoryFilter, memory_type: MemoryType | None, limit: int, cursor: str | None
    ) -> Page:
        types = [memory_type] if memory_type else list(_TYPE_ORDER)
        current, offset = (types[0], None) if cursor is None else _decode_cursor(cursor)
        if current not in types:
            raise InvalidInput(
                "cursor belongs to another listing", problems=[FieldProblem("cursor", "mismatch")]
            )
        records: list[MemoryRecord] = []
        position = types.index(current)
        while position < len(types) and len(records) < limit:
            current = types[position]
            points, offset = await self.index.scroll(current, flt, limit - len(records), offset)
            records.extend(MemoryRecord.from_payload(p.id, p.payload) for p in points)
            if offset is None:
                position += 1
        records = await self.with_access(flt.tenant, records)
        if position >= len(types):
            return Page(records, None)
        return Page(records, _encode_cursor(types[position], offset))

    async def due(self, flt: MemoryFilter, now_ts: float, within_s: float, limit: int) -> list[MemoryRecord]:
        """Pending intentions due before `now + within`, overdue ones first (soonest due first)."""
        scoped = replace(flt, status="pending", due_before=now_ts + within_s)
        records: list[MemoryRecord] = []
        offset: str | None = None
        while True:  # every due item, then the `limit` soonest: an id-ordered page would not be
            points, offset = await self.index.scroll(INTENTION_TYPE, scoped, 256, offset)
            records.extend(MemoryRecord.from_payload(p.id, p.payload) for p in points)
            if offset is None:
                break
        records.sort(key=lambda r: r.due_at.timestamp() if r.due_at else float("inf"))
        return await self.with_access(flt.tenant, records[:limit])
