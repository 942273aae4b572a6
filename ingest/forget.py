"""Per-subject forget: remove every memory (all types, superseded ones too), working-memory task and
thread of one scope, or a list of memory ids, within one tenant, and hand back a receipt.

Order matters: tasks and threads go first (under each one's lock, deleted without archiving), so
that nothing of the subject can be archived into the index after its memories were removed; then
the memories' access counts (in Redis, like the tasks: an outage fails the forget before any
memory is removed). The history keeps a `forgotten` entry per memory with the receipt's digest,
never the content nor a digest of it, and from then on answers as for an id never stored.

A deletion only marks points deleted: the engines' logs and pages still hold the text. So the
stores' files are rewritten without it (erasure.py): scheduled durably before the receipt is sent,
which states by when (`erase_by`), and carried out in the background with other forgets' (or before
the answer, when the request asks to wait). Copies elsewhere: the erasure run drops the server's
copies of backups too, and the erasure ledger (erasure_ledger.py) lets a restore of an older backup
forget the subject again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ..memtypes.governance.forget import ForgetReceipt, ForgetRequest, LedgerEntry, removed_ids
from ..memtypes.governance.forget_query import ForgetQuery
from ..memtypes.governance.history import HistoryAction, HistoryEntry, receipt_digest, receipt_time
from ..memtypes.governance.signing import RECEIPT_KIND, Signer
from ..memtypes.ports import AccessView, Locks, VectorIndex
from ..memtypes.queries import MemoryFilter, StoredPoint
from ..memtypes.records import Scope, utcnow
from ..memtypes.types import MemoryType
from ..sessions.ports import ThreadStore, WorkingStore
from ..sessions.thread_writes import LOCK_RESOURCE as THREAD_LOCK
from ..sessions.working_memory import LOCK_RESOURCE as TASK_LOCK
from .erasure import BackgroundEraser, Scheduled
from .erasure_ledger import ErasureLedger
from .history import ChangeHistory, entry
from .versions.dependents import derived_from

_PAGE = 512


@dataclass(frozen=True)
class _Subject:
    """What a forget removes of its subject: its scope's tasks and threads (none when it names ids), its
    memories (with those derived from them) and the derived ones apart, for the receipt."""

    scope: Scope | None
    tasks: list[str]
    threads: list[str]
    found: dict[MemoryType, list[StoredPoint]]
    derived: dict[MemoryType, list[StoredPoint]]


@dataclass
class Forgetter:
    index: VectorIndex
    working: WorkingStore
    threads: ThreadStore
    locks: Locks
    access: AccessView | None = None
    history: ChangeHistory | None = None
    eraser: BackgroundEraser | None = None
    signer: Signer | None = None
    ledger: ErasureLedger | None = None

    async def forget(
        self, tenant: str, request: ForgetRequest, selected_by: ForgetQuery | None = None
    ) -> ForgetReceipt:
        """`selected_by`: the query a preview selected the request's ids by, recorded on the receipt."""
        subject = await self._select(tenant, request)
        at = utcnow()
        memory_ids = sorted(p.id for points in subject.found.values() for p in points)
        digest = receipt_digest(
            tenant, receipt_time(at), removed_ids(memory_ids, subject.tasks, subject.threads)
        )
        counts = {t.value: len(subject.found.get(t, [])) for t in MemoryType}
        counts |= {"working_tasks": len(subject.tasks), "threads": len(subject.threads)}
        scheduled = None
        removed = sum(counts.values())
        if not request.dry_run:
            scheduled = await self._carry_out(
                tenant, at, digest, subject, removed > 0, request.wait_for_erasure
            )
        receipt = ForgetReceipt(
            tenant=tenant,
            at=at,
            dry_run=request.dry_run,
            scope=subject.scope,
            selected_by=selected_by,
            counts=counts,
            removed=removed,
            memory_ids=memory_ids,
            derived_ids=sorted(p.id for points in subject.derived.values() for p in points),
            task_ids=sorted(subject.tasks),
            thread_ids=sorted(subject.threads),
            digest=digest,
            erased=None if scheduled is None else scheduled.erased,
            erasure={} if scheduled is None else scheduled.erasure,
            erase_by=None if scheduled is None else scheduled.erase_by,
        )
        if self.signer is not None:  # over the receipt exactly as it is printed
            receipt.signature = self.signer.sign(RECEIPT_KIND, receipt.model_dump(mode="json"))
        return receipt

    async def _select(self, tenant: str, request: ForgetRequest) -> _Subject:
        """The subject's tasks, threads and memories (of its scope, or by id), and what was derived
        from those memories: it goes too, whatever its scope, since it may repeat what they said."""
        scope = request.scope if request.ids is None else None
        if scope is not None:
            tasks = await self.working.in_scope(tenant, scope)
            threads = await self.threads.in_scope(tenant, scope)
            found = await self._memories_in_scope(tenant, scope)
        else:
            tasks, threads = [], []
            found = await self._memories_by_id(tenant, [str(i) for i in request.ids or ()])
        derived = await derived_from(self.index, tenant, [p.id for points in found.values() for p in points])
        for memory_type, points in derived.items():
            found.setdefault(memory_type, []).extend(points)
        return _Subject(scope, tasks, threads, found, derived)

    async def _carry_out(
        self, tenant: str, at: datetime, digest: str, subject: _Subject, any_removed: bool, wait: bool
    ) -> Scheduled | None:
        """The ledger's entry and the erasure recorded on disk first, then the removal; what the
        receipt says of the erasure."""
        if self.ledger is not None and any_removed:  # on disk before anything is removed
            await self.ledger.append(
                LedgerEntry(
                    tenant=tenant,
                    at=receipt_time(at),
                    digest=digest,
                    scope=subject.scope,
                    memories={t.value: sorted(p.id for p in points) for t, points in subject.found.items()},
                    task_ids=sorted(subject.tasks),
                    thread_ids=sorted(subject.threads),
                )
            )
        eraser = self.eraser if any_removed else None
        if eraser is not None:  # on disk before anything is removed
            await eraser.record(tenant, digest, list(subject.found))
        try:
            await self._remove(tenant, subject.tasks, subject.threads, subject.found, digest)
        finally:
            if eraser is not None:
                eraser.release(digest)
        if eraser is not None:
            return await eraser.outcome(digest, wait=wait)
        return None

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
                await self.working.release(tenant, task_id)  # out of the sweeper's quarantine too
        for thread_id in threads:
            async with self.locks.hold(tenant, THREAD_LOCK, thread_id):
                await self.threads.delete(tenant, thread_id)
        if self.access is not None:  # in Redis too: dropped before any memory goes, like the tasks
            for memory_type, points in found.items():
                await self.access.forget(tenant, memory_type, [p.id for p in points])
        for memory_type, points in found.items():
            for start in range(0, len(points), _PAGE):
                await self.index.delete(memory_type, [p.id for p in points[start : start + _PAGE]])
        if self.history is not None:
            gone = [p for points in found.values() for p in points]
            await self.history.record(tenant, [(p.id, _forgotten(tenant, digest)) for p in gone])


def _forgotten(tenant: str, digest: str) -> HistoryEntry:
    return entry(tenant, HistoryAction.FORGOTTEN, receipt=digest)
