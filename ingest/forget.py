"""Per-subject forget: remove every memory (all types, superseded ones too), working-memory task and
thread of one scope, or a list of memory ids, within one tenant, and hand back a receipt.

Order matters: tasks and threads go first (under each one's lock, deleted without archiving), so
that nothing of the subject can be archived into the index after its memories were removed. The
history keeps a `forgotten` entry per memory with the receipt's digest, never the content nor a
digest of it.

A deletion only marks points deleted: the engines' logs and pages still hold the text. So, before
the receipt is sent, the stores' files are rewritten without it (`erasers`: the Qdrant Edge shards
of the affected types rebuilt, the embedded Redis's append-only file and snapshot rewritten; each
says whether it erased, or that its files are not in the data dir), and the receipt says so.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from ..memtypes.governance.forget import ForgetReceipt, ForgetRequest, removed_ids
from ..memtypes.governance.history import HistoryAction, HistoryEntry, receipt_digest, receipt_time
from ..memtypes.ports import Locks, ThreadStore, VectorIndex, WorkingStore
from ..memtypes.queries import MemoryFilter, StoredPoint
from ..memtypes.records import Scope, utcnow
from ..memtypes.types import MemoryType
from .history import ChangeHistory, entry
from .threads import LOCK_RESOURCE as THREAD_LOCK
from .working import LOCK_RESOURCE as TASK_LOCK

_PAGE = 512
log = logging.getLogger("mnemo.forget")

# A store's erasure of what was deleted from it, given the types whose memories were removed:
# "erased", "not_ours" (its files are not in the data dir) or "failed".
Eraser = Callable[[Sequence[MemoryType]], Awaitable[str]]


class Forgetter:
    def __init__(
        self,
        index: VectorIndex,
        working: WorkingStore,
        threads: ThreadStore,
        locks: Locks,
        history: ChangeHistory | None = None,
        erasers: dict[str, Eraser] | None = None,
    ) -> None:
        self.index = index
        self.working = working
        self.threads = threads
        self.locks = locks
        self.history = history
        self.erasers = erasers or {}
        self._erasing = asyncio.Lock()  # one erasure at a time: each rewrites whole stores

    async def forget(self, tenant: str, request: ForgetRequest) -> ForgetReceipt:
        scope = request.scope if request.ids is None else None
        if scope is not None:
            tasks = await self.working.in_scope(tenant, scope)
            threads = await self.threads.in_scope(tenant, scope)
            found = await self._memories_in_scope(tenant, scope)
        else:
            tasks, threads = [], []
            found = await self._memories_by_id(tenant, [str(i) for i in request.ids or ()])
        at = utcnow()
        memory_ids = sorted(p.id for points in found.values() for p in points)
        digest = receipt_digest(tenant, receipt_time(at), removed_ids(memory_ids, tasks, threads))
        counts = {t.value: len(found.get(t, [])) for t in MemoryType}
        counts |= {"working_tasks": len(tasks), "threads": len(threads)}
        erasure: dict[str, str] = {}
        if not request.dry_run:
            await self._remove(tenant, tasks, threads, found, digest)
            if sum(counts.values()):
                erasure = await self._erase(list(found))
        return ForgetReceipt(
            tenant=tenant,
            at=at,
            dry_run=request.dry_run,
            scope=scope,
            counts=counts,
            removed=sum(counts.values()),
            memory_ids=memory_ids,
            task_ids=sorted(tasks),
            thread_ids=sorted(threads),
            digest=digest,
            erased=all(v == "erased" for v in erasure.values()) if erasure else None,
            erasure=erasure,
        )

    async def _erase(self, memory_types: Sequence[MemoryType]) -> dict[str, str]:
        """Every store rewrites its files without what was just deleted (a store failing is logged
        and reported; the removal itself stands)."""
        outcome: dict[str, str] = {}
        async with self._erasing:
            for store, erase in self.erasers.items():
                try:
                    outcome[store] = await erase(memory_types)
                except Exception:
                    log.exception("forget: erasing the removed content from %s failed", store)
                    outcome[store] = "failed"
        return outcome

    async def _memories_in_scope(self, tenant: str, scope: Scope) -> dict[MemoryType, list[StoredPoint]]:
        flt = MemoryFilter(tenant=tenant, scope=scope, include_superseded=True)
        found: dict[MemoryType, list[StoredPoint]] = {}
        for memory_type in MemoryType:
            points: list[StoredPoint] = []
            offset: str | None = None
            while True:
                page, offset = await self.index.scroll(memory_type, flt, _PAGE, offset)
                points.extend(page)
                if offset is None:
                    break
            if points:
                found[memory_type] = points
        return found

    async def _memories_by_id(self, tenant: str, ids: Sequence[str]) -> dict[MemoryType, list[StoredPoint]]:
        per_type = await asyncio.gather(*(self.index.get(t, ids) for t in MemoryType))
        found = {
            t: [p for p in points if p.payload.get("tenant") == tenant]
            for t, points in zip(MemoryType, per_type, strict=True)
        }
        return {t: points for t, points in found.items() if points}

    async def _remove(
        self,
        tenant: str,
        tasks: Sequence[str],
        threads: Sequence[str],
        found: dict[MemoryType, list[StoredPoint]],
        digest: str,
    ) -> None:
        for task_id in tasks:
            async with self.locks.hold(tenant, TASK_LOCK, task_id):
                await self.working.delete(tenant, task_id)
        for thread_id in threads:
            async with self.locks.hold(tenant, THREAD_LOCK, thread_id):
                await self.threads.delete(tenant, thread_id)
        for memory_type, points in found.items():
            for start in range(0, len(points), _PAGE):
                await self.index.delete(memory_type, [p.id for p in points[start : start + _PAGE]])
        if self.history is not None:
            gone = [p for points in found.values() for p in points]
            await self.history.record(tenant, [(p.id, _forgotten(tenant, digest)) for p in gone])


def _forgotten(tenant: str, digest: str) -> HistoryEntry:
    return entry(tenant, HistoryAction.FORGOTTEN, receipt=digest)
