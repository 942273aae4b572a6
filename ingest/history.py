"""Recording and reading per-memory change history (memtypes/governance/history.py says what an entry holds).

One document per memory id in the `DocumentStore`: `{tenant, memory_id, entries, dropped}`. Memory
ids are derived from the tenant (mnemo.memtypes.ids), and every read checks the tenant too.
Appends are read-modify-write, serialized in this process by one lock; with several replicas on a
Qdrant server two appends to the same memory at the same instant could lose one entry (documented).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from ..memtypes.errors import NotFound
from ..memtypes.governance.history import HistoryAction, HistoryEntry, MemoryHistory, capped
from ..memtypes.ports import DocumentStore
from ..memtypes.records import MemoryRecord, same_stored, utcnow

# Record fields whose change an "updated" entry names (bookkeeping such as access counts is not).
_TRACKED_FIELDS = (
    "content_hash", "importance", "occurred_at", "tags", "metadata", "due_at", "trigger", "fact_key",
    "status", "task_id", "supersedes", "superseded_by", "valid_from", "valid_until", "depends_on",
)  # fmt: skip


def changed_fields(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    if old is None:
        return []
    return [f for f in _TRACKED_FIELDS if not same_stored(new.get(f), old.get(f))]


def entry(
    tenant: str,
    action: HistoryAction,
    *,
    changed: Sequence[str] = (),
    reason: str | None = None,
    receipt: str | None = None,
    agent: str | None = None,
) -> HistoryEntry:
    """`agent`: the agent (MNEMO_CONFIG) that made the change, when one did."""
    return HistoryEntry(
        at=utcnow(),
        action=action,
        tenant=tenant,
        agent=agent,
        changed=list(changed),
        reason=reason,
        receipt=receipt,
    )


class ChangeHistory:
    def __init__(self, store: DocumentStore) -> None:
        self.store = store
        self._lock = asyncio.Lock()

    async def record(self, tenant: str, entries: Iterable[tuple[str, HistoryEntry]]) -> None:
        """Append entries (memory id, entry), in order, to the histories of `tenant`'s memories."""
        by_id: dict[str, list[HistoryEntry]] = defaultdict(list)
        for memory_id, item in entries:
            by_id[memory_id].append(item)
        if not by_id:
            return
        async with self._lock:
            stored = await self.store.get(list(by_id))
            documents = {}
            for memory_id, new in by_id.items():
                old = stored.get(memory_id)
                if old is not None and old.get("tenant") != tenant:
                    continue  # never mix tenants (ids are per tenant; this is a guard, not a path)
                # After a forget the id starts over: a text written again must not show that it was
                # there before (that would confirm a guess of forgotten text).
                if old is None or _forgotten(old):
                    history = MemoryHistory(memory_id=memory_id, entries=[])
                else:
                    history = _parse(memory_id, old)
                kept, dropped = capped([*history.entries, *new], history.dropped)
                documents[memory_id] = {
                    "tenant": tenant,
                    "memory_id": memory_id,
                    "entries": [e.model_dump(mode="json") for e in kept],
                    "dropped": dropped,
                }
            await self.store.put(documents)

    async def read(self, tenant: str, memory_id: str) -> MemoryHistory:
        document = (await self.store.get([memory_id])).get(memory_id)
        # A forgotten memory's history answers as one never stored: its ids are derived from the
        # content, so a 200 would confirm a guessed text after its forget (the receipt and the
        # erasure ledger keep the record of the forget).
        if document is None or document.get("tenant") != tenant or _forgotten(document):
            raise NotFound(f"no history for memory {memory_id}")
        return _parse(memory_id, document)

    async def record_write(
        self,
        tenant: str,
        written: Sequence[tuple[MemoryRecord, dict[str, Any] | None, str | None]],
        superseded: dict[str, str],
        agent: str | None = None,
    ) -> None:
        """The write path's entries: `written` as (the record stored, its previous payload or None,
        the reason), `superseded` the stored memories the write merged into newer ones (id → by),
        `agent` the agent that wrote, if one did."""
        action, changed = HistoryAction.SUPERSEDED, ["superseded_by", "valid_until"]
        merged = [
            (stored, entry(tenant, action, changed=changed, reason=f"superseded by {by}", agent=agent))
            for stored, by in superseded.items()
        ]
        await self.record(tenant, [*(_write_entry(tenant, *w, agent) for w in written), *merged])

    async def record_restore(self, tenant: str, record: MemoryRecord, reason: str | None = None) -> None:
        """A superseded memory made current again (`POST /v1/memories/{id}/restore`)."""
        restored = entry(tenant, HistoryAction.RESTORED, changed=["superseded_by"], reason=reason)
        await self.record(tenant, [(record.id, restored)])


def _write_entry(
    tenant: str, record: MemoryRecord, old: dict[str, Any] | None, reason: str | None, agent: str | None
) -> tuple[str, HistoryEntry]:
    payload = record.to_payload()
    action = HistoryAction.CREATED if old is None else HistoryAction.UPDATED
    changed = changed_fields(old, payload)
    return record.id, entry(tenant, action, changed=changed, reason=reason, agent=agent)


def _forgotten(document: dict[str, Any]) -> bool:
    entries = document.get("entries") or [{}]
    return bool(entries[-1].get("action") == HistoryAction.FORGOTTEN)


def _parse(memory_id: str, document: dict[str, Any]) -> MemoryHistory:
    return MemoryHistory(
        memory_id=memory_id,
        entries=[HistoryEntry.model_validate(e) for e in document.get("entries", [])],
        dropped=int(document.get("dropped", 0)),
    )
