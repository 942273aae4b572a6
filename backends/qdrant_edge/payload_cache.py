"""Payloads of recently returned points, and the text of their ids, kept in the process for Qdrant Edge.

A retrieval's formula-ranked searches cost far more CPU with payloads than without: the engine
reads each returned point's payload from its (compressed, memory-mapped) store and converts it to
Python, for every one of a retrieval's hundred-odd points (benchmarks/README.md, engine notes).
The best hits of a tenant's store come back request after request, so searches ask the
engine for ids and scores only and take payloads from here; only the misses are read (`retrieve`,
in the same thread hop).

Coherence: every write to a shard goes through the one `EdgeVectorIndex` that owns it (Edge locks
its data dir against other processes), and it calls `invalidate` before and after each write. A
search notes the type's generation before it reads and stores what it read only if no write began
or ended meanwhile, so a payload read before a write can never be cached after it. Cached payloads
are shared: callers must treat them as read-only (none of mnemo's readers writes to one).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any

from ...memtypes.types import MemoryType

Payload = dict[str, Any]


class PayloadCache:
    """A bounded LRU of payloads by (type, point id), with a write generation per type."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[tuple[MemoryType, str], Payload] = OrderedDict()
        self._generation: dict[MemoryType, int] = {}
        # Searches run in worker threads, writes are noted on the event loop: one lock for both.
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.capacity > 0

    def __len__(self) -> int:
        return len(self._entries)

    def generation(self, memory_type: MemoryType) -> int:
        with self._lock:
            return self._generation.get(memory_type, 0)

    def lookup(self, memory_type: MemoryType, ids: Iterable[str]) -> tuple[dict[str, Payload], list[str]]:
        """The cached payloads among `ids`, and the ids that must be read."""
        found: dict[str, Payload] = {}
        missing: list[str] = []
        with self._lock:
            for point_id in ids:
                payload = self._entries.get((memory_type, point_id))
                if payload is None:
                    missing.append(point_id)
                else:
                    self._entries.move_to_end((memory_type, point_id))
                    found[point_id] = payload
            self.hits += len(found)
            self.misses += len(missing)
        return found, missing

    def store(self, memory_type: MemoryType, payloads: Mapping[str, Payload], generation: int) -> None:
        """Keep payloads read at `generation`, unless a write to the type began or ended since."""
        if not self.enabled or not payloads:
            return
        with self._lock:
            if self._generation.get(memory_type, 0) != generation:
                return
            for point_id, payload in payloads.items():
                self._entries[(memory_type, point_id)] = payload
                self._entries.move_to_end((memory_type, point_id))
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def invalidate(self, memory_type: MemoryType, ids: Iterable[str] | None = None) -> None:
        """Forget these points' payloads (all of the type's with `ids=None`); called around writes."""
        with self._lock:
            self._generation[memory_type] = self._generation.get(memory_type, 0) + 1
            if ids is None:
                for key in [k for k in self._entries if k[0] is memory_type]:
                    del self._entries[key]
                return
            for point_id in ids:
                self._entries.pop((memory_type, point_id), None)


# The text of the point ids the engine returned lately, by the id's number: the binding hands out a
# new `uuid.UUID` for each hit, and formatting it was most of what reading a hit cost in Python (a
# retrieval reads a few hundred). Emptied when full: the best hits recur from request to request.
_ID_TEXT: dict[int, str] = {}
_ID_TEXT_SIZE = 65_536


def id_text(point_id: Any) -> str:
    """`str(point_id)`, from `_ID_TEXT` where it holds it."""
    try:
        key = point_id.int
    except AttributeError:  # not a UUID
        return str(point_id)
    text = _ID_TEXT.get(key)
    if text is None:
        if len(_ID_TEXT) >= _ID_TEXT_SIZE:
            _ID_TEXT.clear()
        text = _ID_TEXT[key] = str(point_id)
    return text
