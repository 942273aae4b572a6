"""The memories a write names in `supersedes` and `depends_on`: by id, or by the caller's id.

A name that is a memory id of the tenant is that memory; any other name is a caller id (the `id`
of an item written before, or earlier in the same batch). Caller ids are per type (and namespace),
so one name may stand for several memories: `depends_on` takes them all, `supersedes` those of the
item's own type. A name that matches nothing is left out: there is nothing there to replace or to
watch.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from collections.abc import Sequence

from ...memtypes.ports import VectorIndex
from ...memtypes.queries import MemoryFilter
from ...memtypes.records import MemoryIn
from ...memtypes.types import MemoryType

Named = dict[str, list[tuple[MemoryType, str]]]  # a name → the (type, id) of each memory it stands for


def _as_id(name: str) -> str | None:
    try:
        return str(uuid.UUID(name))
    except ValueError:
        return None


async def resolve(
    index: VectorIndex, tenant: str, items: Sequence[MemoryIn], ids: Sequence[str], positions: Sequence[int]
) -> Named:
    """Every name the items at `positions` give, resolved (`ids`: the batch's own memory ids)."""
    names = {n for i in positions for n in (*items[i].supersedes, *items[i].depends_on)}
    if not names:
        return {}
    found: Named = defaultdict(list)
    for i, item in enumerate(items):  # the batch's own items, by caller id
        if item.id in names:
            found[item.id].append((item.type, ids[i]))
    by_id = {point_id: name for name in names if (point_id := _as_id(name)) is not None}
    external = tuple(sorted(names - set(by_id)))
    flt = MemoryFilter(tenant=tenant, include_superseded=True, external_ids=external)

    async def of_type(memory_type: MemoryType) -> list[tuple[str, str]]:
        points = await index.get(memory_type, list(by_id)) if by_id else []
        named = [(by_id[p.id], p.id) for p in points if p.payload.get("tenant") == tenant]
        if external:
            stored, _ = await index.scroll(memory_type, flt, 4 * len(external))
            named += [(str(p.payload["external_id"]), p.id) for p in stored]
        return named

    per_type = await asyncio.gather(*(of_type(t) for t in MemoryType))
    for memory_type, named in zip(MemoryType, per_type, strict=True):
        for name, point_id in named:
            if (memory_type, point_id) not in found[name]:
                found[name].append((memory_type, point_id))
    return dict(found)


def depends_on(item: MemoryIn, named: Named, own_id: str) -> list[str]:
    """The ids of the memories `item` depends on (never itself), in the order named."""
    out: list[str] = []
    for name in item.depends_on:
        out += [i for _, i in named.get(name, []) if i != own_id and i not in out]
    return out


def replaced(item: MemoryIn, named: Named, own_id: str) -> list[str]:
    """The ids of the memories of `item`'s own type that it names in `supersedes`."""
    out: list[str] = []
    for name in item.supersedes:
        out += [i for t, i in named.get(name, []) if t is item.type and i != own_id and i not in out]
    return out
