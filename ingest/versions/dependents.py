"""What depends on what: the memories that name others in `depends_on`, found when those change.

When a memory is superseded, invalidated, deleted or forgotten, each memory that depends on it (of
any type) is marked `stale` with the cause, and so, transitively, is each memory depending on a
stale one, its cause naming the stale memory it depends on. The walk visits a memory once (a
cycle ends there) and stops after `MAX_DEPTH` steps or `MAX_MARKED` memories: a fan-out past that
is left unmarked rather than stalling the write that caused it (the marked ones are logged).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence

from ...memtypes.ports import VectorIndex
from ...memtypes.queries import MemoryFilter, StoredPoint
from ...memtypes.types import MemoryType

MAX_DEPTH = 8
MAX_MARKED = 1_000
_PAGE = 256
log = logging.getLogger("mnemo.dependents")


async def dependents_of(
    index: VectorIndex, tenant: str, ids: Sequence[str]
) -> dict[MemoryType, list[StoredPoint]]:
    """The memories (every version, every type) that name any of `ids` in `depends_on`."""
    if not ids:
        return {}
    flt = MemoryFilter(tenant=tenant, include_superseded=True, depends_on=tuple(ids))
    pages = await asyncio.gather(*(index.scroll(t, flt, MAX_MARKED) for t in MemoryType))
    return {t: points for t, (points, _) in zip(MemoryType, pages, strict=True) if points}


async def derived_from(
    index: VectorIndex, tenant: str, ids: Sequence[str]
) -> dict[MemoryType, list[StoredPoint]]:
    """Everything derived from `ids`, transitively, without them (what a forget of them reaches)."""
    seen, found = set(ids), dict[MemoryType, list[StoredPoint]]()
    frontier = list(ids)
    for _ in range(MAX_DEPTH):
        reached = await dependents_of(index, tenant, frontier)
        frontier = []
        for memory_type, points in reached.items():
            for point in points:
                if point.id not in seen and len(seen) - len(ids) < MAX_MARKED:
                    seen.add(point.id)
                    found.setdefault(memory_type, []).append(point)
                    frontier.append(point.id)
        if not frontier:
            break
    return found


async def mark_stale(index: VectorIndex, tenant: str, causes: Mapping[str, str]) -> list[str]:
    """Mark what depends on the memories of `causes` (id → what happened to it) stale; answer the
    ids marked, in the order reached."""
    marked: list[str] = []
    seen = set(causes)
    frontier = dict(causes)
    for _ in range(MAX_DEPTH):
        reached = await dependents_of(index, tenant, list(frontier))
        following: dict[str, str] = {}
        for memory_type, points in reached.items():
            updates: dict[str, dict[str, object]] = {}
            for point in points:
                if point.id in seen or len(marked) >= MAX_MARKED:
                    continue
                seen.add(point.id)
                named = [d for d in point.payload.get("depends_on") or [] if d in frontier]
                cause = (
                    f"depends on {named[0]}: {frontier[named[0]]}" if named else "depends on a changed memory"
                )
                updates[point.id] = {"stale": True, "stale_cause": cause}
                following[point.id] = "stale"
                marked.append(point.id)
            if updates:
                await index.set_payloads(memory_type, updates)
        if not following:
            break
        frontier = following
    if len(marked) >= MAX_MARKED:
        log.warning("stale marking stopped after %d dependent memories", len(marked))
    return marked
