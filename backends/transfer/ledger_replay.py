"""A restore forgets again what the erasure ledgers say was forgotten, so that a backup taken before a
forget never brings the subject back.

The ledgers are the backup's own, the one already in the target data dir (a data dir whose stores
were lost keeps its ledger), and any the operator names (`mnemo restore --ledger`: a newer backup's,
or the lost service's). Memories are left out as the backup is read (never written, so no file of the
new data dir holds them); tasks and threads are removed through the stores once restored, and the
embedded Redis's files rewritten after. The merged ledger becomes the new data dir's.

Only what existed when the forget ran: a memory, task or thread of the subject created after it (the
subject came back, in a backup taken later) is kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from ...memtypes.errors import UnreadableTask
from ...memtypes.governance.forget import LedgerEntry
from ...memtypes.ids import IdKeys, is_unkeyed
from ...memtypes.queries import VectorPoint
from ..group_flush import replace_whole
from ..redis.client import RedisGateway
from ..redis.keys import KeySpace
from ..redis.persistence import rewrite_files
from ..redis.threads import RedisThreadStore
from ..redis.working import RedisWorkingStore
from .backup import read_ledger


class Forgotten:
    """What the merged ledgers hold: a memory of a listed id, or of a forgotten scope, of its tenant."""

    def __init__(self, ledgers: Iterable[Path], ids: IdKeys | None = None) -> None:
        merged: dict[str, LedgerEntry] = {}
        for path in ledgers:
            for entry in read_ledger(path):
                merged.setdefault(entry.digest, entry)
        self.entries = sorted(merged.values(), key=lambda e: e.at)
        # (tenant, id) → when it was forgotten (the latest time, if more than once)
        self._ids: dict[tuple[str, str], float] = {}
        for entry in self.entries:
            for listed in entry.memories.values():
                # A ledger of the older, unkeyed ids names each memory by its keyed id too: a backup
                # made on either side of the service's re-keying forgets the same memories.
                keyed = [ids.rekeyed(entry.tenant, i) for i in listed if is_unkeyed(i)] if ids else []
                self._ids.update(((entry.tenant, i), _time(entry)) for i in [*listed, *keyed])
        self._scopes = [
            (e.tenant, e.scope.items(), _time(e)) for e in self.entries if e.scope and e.scope.items()
        ]
        self.left_out: set[str] = set()  # memory ids of the backup not restored
        self.keys = ids

    def _holds(self, point_id: str, payload: dict[str, Any]) -> bool:
        tenant, created = payload.get("tenant"), float(payload.get("created_ts", 0.0))
        forgotten_at = self._ids.get((str(tenant), point_id))
        if forgotten_at is None and self.keys is not None and is_unkeyed(point_id):
            forgotten_at = self._ids.get((str(tenant), self.keys.rekeyed(str(tenant), point_id)))
        if forgotten_at is not None and created <= forgotten_at:
            return True
        return any(
            t == tenant and created <= at and all(payload.get(f) == v for f, v in scope)
            for t, scope, at in self._scopes
        )

    def keep(self, points: Sequence[VectorPoint]) -> list[VectorPoint]:
        kept = []
        for point in points:
            if self._holds(point.id, point.payload):
                self.left_out.add(point.id)
            else:
                kept.append(point)
        return kept

    async def forget_in_redis(self, gateway: RedisGateway, keys: KeySpace) -> int:
        """The forgotten tasks and threads removed from the restored Redis; how many."""
        working, threads = RedisWorkingStore(gateway, keys), RedisThreadStore(gateway, keys)
        removed = 0
        for entry in self.entries:
            scope = entry.scope if entry.scope is not None and entry.scope.items() else None
            tasks = {*entry.task_ids, *(await working.in_scope(entry.tenant, scope) if scope else [])}
            at = _time(entry)
            for task_id in sorted(tasks):
                if await _started_after(working, entry.tenant, task_id, at):
                    continue
                removed += await working.raw(entry.tenant, task_id) is not None
                await working.delete(entry.tenant, task_id)
                await working.release(entry.tenant, task_id)
            found = await threads.in_scope(entry.tenant, scope) if scope else []
            for thread_id in sorted({*entry.thread_ids, *found}):
                thread = await threads.thread(entry.tenant, thread_id)
                if thread is not None and thread.created_at.timestamp() > at:
                    continue
                removed += thread is not None
                await threads.delete(entry.tenant, thread_id)  # its turns too, with or without it
        if removed and gateway.embedded is not None:
            await rewrite_files(gateway)  # its append-only file logged them before they went
        return removed

    def write(self, path: Path) -> None:
        """The merged ledger, as the new data dir's (replaced atomically)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_whole(path, "".join(entry.model_dump_json() + "\n" for entry in self.entries), sync_dir=False)


def later_forgets_unknown(own: Sequence[Path], outside: Sequence[Path]) -> str | None:
    """Why the ledgers cannot show that every forget since the backup was taken is known (None: one
    can). The backup's own ledger ends where the backup began; a ledger kept outside it (the data
    dir's, which a service keeps from its first start, the copy on another volume, one named) that
    holds every forget of the backup's own is of the same store and at least as new. Without one, a
    forget acknowledged after the backup would be undone, silently, by restoring it."""
    known = {entry.digest for path in own for entry in read_ledger(path)}
    for path in outside:
        if path.is_file() and known <= {entry.digest for entry in read_ledger(path)}:
            return None
    return (
        "no erasure ledger newer than the backup is known, so a forget acknowledged after it was "
        "taken would be undone: give the lost data dir's erasure-ledger.jsonl, its copy "
        "(MNEMO_FORGET__LEDGER_COPY) or a newer backup's (--ledger FILE); or, knowing that subjects "
        "forgotten since the backup come back, --may-undo-later-forgets"
    )


def _time(entry: LedgerEntry) -> float:
    return datetime.fromisoformat(entry.at).timestamp()


async def _started_after(working: RedisWorkingStore, tenant: str, task_id: str, at: float) -> bool:
    """Whether the task was begun again after the forget (a forget removes a task whole, so one whose
    every item is newer is a new one); an unreadable task is not."""
    try:
        state = await working.load(tenant, task_id)
    except UnreadableTask:
        return False
    return state is not None and bool(state.items) and min(i.created_at for i in state.items).timestamp() > at
