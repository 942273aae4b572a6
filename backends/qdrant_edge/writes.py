"""What a shard rebuild needs from the write path of `EdgeVectorIndex`: which points changed while
the new shard was being built, and a moment when no write is in flight to swap the shard object.

Writes to one type pass a gate: any number at once, as before, unless a swap holds it shut (writes
then wait, reads never do). While a rebuild tracks a type, every write adds the ids it touched to
the type's dirty set when its engine call has *returned*: whoever takes the set afterwards and reads
those ids from the live shard sees the write's effect. A write still in flight records its ids when
it ends, so a later take (at the latest the one under the shut gate) finds them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from ...memtypes.types import MemoryType
from ..storage_reserve import StorageReserve


@dataclass
class _Gate:
    open: asyncio.Event = field(default_factory=asyncio.Event)
    idle: asyncio.Event = field(default_factory=asyncio.Event)
    active: int = 0

    def __post_init__(self) -> None:
        self.open.set()
        self.idle.set()


class WriteGates:
    """`reserve`: checked before each write reaches the engine (its files are memory maps: a write
    that finds the disk full is a SIGBUS, so it is refused before, with InsufficientStorage)."""

    def __init__(self, reserve: StorageReserve | None = None) -> None:
        self.reserve = reserve
        self._gates: dict[MemoryType, _Gate] = {}
        self._dirty: dict[MemoryType, set[str]] = {}

    def _gate(self, memory_type: MemoryType) -> _Gate:
        return self._gates.setdefault(memory_type, _Gate())

    @asynccontextmanager
    async def writing(self, memory_type: MemoryType, ids: Iterable[object]) -> AsyncIterator[None]:
        """Around a write's engine call(s) to the type's shard; `ids`: the points it touches."""
        if self.reserve is not None:
            self.reserve.check("qdrant")
        gate = self._gate(memory_type)
        while not gate.open.is_set():
            await gate.open.wait()
        gate.active += 1
        gate.idle.clear()
        try:
            yield
        finally:
            # Recorded on failure too: a write that failed half-way may still have changed points.
            dirty = self._dirty.get(memory_type)
            if dirty is not None:
                dirty.update(str(point_id) for point_id in ids)
            gate.active -= 1
            if gate.active == 0:
                gate.idle.set()

    @asynccontextmanager
    async def shut(self, memory_type: MemoryType) -> AsyncIterator[None]:
        """No write of the type runs inside this block (new ones wait; running ones are waited for).
        One holder at a time: the type's optimize lock serializes rebuilds."""
        gate = self._gate(memory_type)
        gate.open.clear()
        try:
            await gate.idle.wait()
            yield
        finally:
            gate.open.set()

    def track(self, memory_type: MemoryType) -> None:
        self._dirty[memory_type] = set()

    def take_dirty(self, memory_type: MemoryType) -> set[str]:
        """The ids written since the last take (or since `track`), and a fresh set for what follows."""
        taken = self._dirty.get(memory_type)
        if taken is None:
            return set()
        self._dirty[memory_type] = set()
        return taken

    def untrack(self, memory_type: MemoryType) -> None:
        self._dirty.pop(memory_type, None)
