"""What makes a memory this one: its deterministic id, and whether a stored memory is an exact copy.

Without a caller id, the same words are the same memory, except for an event told at another
explicit time and an intention due at another time or on another trigger: those are part of the
id. An exact copy of a current memory is skipped (`duplicate of <id>`) only when it is the same
memory by `mnemo.ingest.dedup.same_identity`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC

from ..memtypes.ids import IdKeys
from ..memtypes.ports import VectorIndex
from ..memtypes.queries import MemoryFilter
from ..memtypes.records import MemoryIn, MemoryRecord
from ..memtypes.types import SPECS, MemoryType
from .dedup import same_identity


def point_id_of(ids: IdKeys, tenant: str, item: MemoryIn) -> str:
    """The memory's deterministic id, keyed per tenant (`mnemo.memtypes.ids`). Without a caller id,
    an event's explicit time and an intention's due time and trigger are part of it: the same words
    then are another memory."""
    distinct_by = None
    spec = SPECS[item.type]
    if item.id is None and spec.holds_events and item.occurred_at is not None:
        distinct_by = f"at={item.occurred_at.astimezone(UTC).isoformat()}"
    elif item.id is None and spec.due_dated and (item.due_at or item.trigger):
        due = item.due_at.astimezone(UTC).isoformat() if item.due_at else ""
        distinct_by = f"due={due}\x1etrigger={item.trigger or ''}"
    return ids.memory_id(tenant, item.type, item.scope, item.id, item.content, distinct_by)


async def exact_duplicates(
    index: VectorIndex,
    keys: IdKeys,
    tenant: str,
    items: Sequence[MemoryIn],
    positions: Sequence[int],
    ids: Sequence[str],
    record_of: Callable[[int], MemoryRecord],
) -> dict[int, str]:
    """Items whose exact content a *different*, current record of the same scope already holds,
    and that are the same memory by `same_identity` (no other caller id, event time, due time)."""
    out: dict[int, str] = {}
    by_type: dict[MemoryType, list[int]] = defaultdict(list)
    for i in positions:
        by_type[items[i].type].append(i)
    for memory_type, members in by_type.items():
        hashes = tuple(sorted({keys.content_hash(tenant, items[i].content) for i in members}))
        flt = MemoryFilter(tenant=tenant, content_hashes=hashes)
        stored, _ = await index.scroll(memory_type, flt, limit=max(64, 4 * len(hashes)))
        for i in members:
            chash, scope = keys.content_hash(tenant, items[i].content), items[i].scope.model_dump()
            same_text = [
                point
                for point in stored
                if point.id != ids[i]
                and point.payload.get("content_hash") == chash
                and all(point.payload.get(k) == v for k, v in scope.items())
            ]
            if not same_text:
                continue
            incoming = record_of(i)
            duplicate = next(
                (
                    p.id
                    for p in same_text
                    if same_identity(incoming, MemoryRecord.from_payload(p.id, p.payload))
                ),
                None,
            )
            if duplicate is not None:
                out[i] = duplicate
    return out
