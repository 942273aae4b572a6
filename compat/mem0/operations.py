"""mem0's operations over mnemo's services, shared by its platform API (`/mem0/v1/…`, `/mem0/v3/…`,
what `MemoryClient` calls) and its open-source server's REST shape (`/mem0/memories`, `/mem0/search`)."""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter, defaultdict
from typing import Any

from ...ingest.forget import Forgetter
from ...ingest.history import ChangeHistory, entry
from ...ingest.pipeline import WriteStatus
from ...ingest.writes import MemoryWrites
from ...memtypes.errors import FieldProblem, InvalidInput, NotFound
from ...memtypes.governance.forget import MAX_FORGET_IDS, ForgetRequest
from ...memtypes.governance.history import HistoryAction
from ...memtypes.queries import MemoryFilter
from ...memtypes.records import MemoryIn, MemoryRecord, Scope
from ...retrieval.catalog import Catalog
from ...retrieval.memory_search import search_memories
from ...retrieval.pipeline import Retriever
from ..edge import NotSupported, iso, records_in_scope, write
from .shapes import (
    APP_NAMESPACE,
    ENTITY_TYPES,
    INFER_NOTE,
    MEM0_TYPE,
    VENDOR,
    AddBody,
    BatchItem,
    Range,
    SearchBody,
    entity_scope,
    filter_scope,
    memory_out,
    unix_instant,
)

EVENTS = {
    WriteStatus.CREATED: "ADD",
    WriteStatus.MERGED: "ADD",  # a new memory that superseded a near-duplicate
    WriteStatus.UPDATED: "UPDATE",
    WriteStatus.UNCHANGED: "NONE",
    WriteStatus.SKIPPED: "NONE",
    WriteStatus.FAILED: "ERROR",
}
HISTORY_EVENTS = {
    HistoryAction.CREATED: "ADD",
    HistoryAction.UPDATED: "UPDATE",
    HistoryAction.SUPERSEDED: "UPDATE",
    HistoryAction.RESTORED: "UPDATE",
    HistoryAction.DELETED: "DELETE",
    HistoryAction.FORGOTTEN: "DELETE",
}


async def add(writes: MemoryWrites, tenant: str, body: AddBody) -> dict[str, Any]:
    """Each user and assistant message stored verbatim as one memory (system messages are not)."""
    if body.expiration_date is not None:
        raise NotSupported(VENDOR, "add(expiration_date)")
    ids = {name: getattr(body, name) for name in ("user_id", "agent_id", "run_id", "app_id")}
    scope, _ = filter_scope(body.filters, {k: v for k, v in ids.items() if v is not None})
    occurred = unix_instant(body.timestamp, "timestamp")
    positions = [n for n, m in enumerate(body.messages) if m.role != "system"]
    said = [body.messages[n] for n in positions]
    items = [
        MemoryIn(
            type=MEM0_TYPE,
            content=m.content,
            scope=scope,
            id=_caller_id(m.content, body.infer),
            occurred_at=occurred,
            metadata={**(body.metadata or {}), "role": m.role},
        )
        for m in said
    ]
    # infer=False asks for the messages as they are: no filler dropped, nothing merged.
    written = (
        await write(writes, tenant, items, "messages", positions, prefilter=body.infer, dedup=body.infer)
        if items
        else []
    )
    results = [
        {
            "id": r.id,
            "memory": m.content,
            "event": EVENTS[r.status],
            "status": r.status.value,
            "reason": r.reason,
        }
        for m, r in zip(said, written, strict=True)
    ]
    out: dict[str, Any] = {"results": results}
    if body.infer:
        out["note"] = INFER_NOTE
    return out


def _caller_id(content: str, infer: bool) -> str:
    """Every memory mem0 writes has a caller id, so that an update keeps its id. With inference the
    same text in the same scope is the same memory (a repeat changes nothing, as mem0's extraction
    finds nothing new); without, each message is a memory of its own, as mem0 stores it."""
    if infer:
        return "mem0:" + hashlib.sha256(content.encode()).hexdigest()[:32]
    return f"mem0:{uuid.uuid4()}"


async def find(catalog: Catalog, tenant: str, memory_id: str) -> MemoryRecord:
    """A memory of the tenant; an id that is no UUID is one mnemo never gave: 404 too."""
    try:
        return await catalog.find(tenant, memory_id)
    except InvalidInput:
        raise NotFound(f"no memory {memory_id}") from None


async def listed(catalog: Catalog, tenant: str, scope: Scope, created: Range) -> list[MemoryRecord]:
    flt = MemoryFilter(tenant=tenant, scope=scope)
    return [r for r in await records_in_scope(catalog, flt, MEM0_TYPE) if created.holds(r.occurred_at)]


async def search(retriever: Retriever, tenant: str, body: SearchBody) -> list[dict[str, Any]]:
    top = {"user_id": body.user_id, "agent_id": body.agent_id, "run_id": body.run_id}
    scope, created = filter_scope(body.filters, {k: v for k, v in top.items() if v is not None})
    limit = body.limit or body.top_k
    found = await search_memories(retriever, tenant, body.query.strip(), scope, MEM0_TYPE, False, limit)
    return [
        memory_out(record, score)
        for record, score in found
        if created.holds(record.occurred_at) and (body.threshold is None or score >= body.threshold)
    ]


async def update(
    writes: MemoryWrites, catalog: Catalog, tenant: str, memory_id: str, text: str | None,
    metadata: dict[str, Any] | None, timestamp: float | str | None = None,
) -> MemoryRecord:  # fmt: skip
    """The memory rewritten under its own id: new text, metadata or time."""
    item = await _changed(catalog, tenant, memory_id, text, metadata, timestamp)
    (result,) = await write(writes, tenant, [item], "text")
    if result.id is None:
        raise InvalidInput(f"memory {memory_id} was not updated: {result.reason}")
    return await catalog.find(tenant, result.id)


async def batch_update(writes: MemoryWrites, catalog: Catalog, tenant: str, items: list[BatchItem]) -> int:
    """Every memory rewritten in one write: refused whole (the item limit, the allowance, the
    privacy policy) before any is changed."""
    changed = [await _changed(catalog, tenant, i.memory_id, i.text, i.metadata) for i in items]
    await write(writes, tenant, changed, "memories", range(len(changed)), content="text")
    return len(items)


async def _changed(
    catalog: Catalog, tenant: str, memory_id: str, text: str | None,
    metadata: dict[str, Any] | None, timestamp: float | str | None = None,
) -> MemoryIn:  # fmt: skip
    record = await find(catalog, tenant, memory_id)
    if record.external_id is None:
        # Its id was derived from its text: new text would be another memory.
        raise InvalidInput(
            f"memory {record.id} was written without a caller id: delete it and add the new text"
        )
    return MemoryIn(
        type=record.type,
        content=text or record.content,
        scope=record.scope,
        id=record.external_id,
        occurred_at=unix_instant(timestamp, "timestamp") or record.occurred_at,
        importance=record.importance,
        tags=record.tags,
        metadata=record.metadata if metadata is None else metadata,
        fact_key=record.fact_key,
    )


async def delete(catalog: Catalog, changes: ChangeHistory, tenant: str, memory_id: str) -> None:
    record = await find(catalog, tenant, memory_id)
    await catalog.delete(tenant, record.id)
    await changes.record(tenant, [(record.id, entry(tenant, HistoryAction.DELETED))])


async def delete_in_scope(catalog: Catalog, forgetter: Forgetter, tenant: str, ids: dict[str, Any]) -> int:
    """Every mem0 memory of a scope, forgotten; never without one (that would be the whole tenant)."""
    scope = entity_scope(ids)
    if not scope.items():
        raise InvalidInput(
            "name whose memories to delete: user_id, agent_id, run_id or app_id",
            problems=[FieldProblem("user_id", "give user_id, agent_id, run_id or app_id")],
        )
    records = await records_in_scope(catalog, MemoryFilter(tenant=tenant, scope=scope), MEM0_TYPE)
    for start in range(0, len(records), MAX_FORGET_IDS):
        chunk = [uuid.UUID(r.id) for r in records[start : start + MAX_FORGET_IDS]]
        await forgetter.forget(tenant, ForgetRequest(ids=chunk))
    return len(records)


async def delete_entity(forgetter: Forgetter, tenant: str, entity_type: str, name: str) -> None:
    """An entity and everything of its scope (memories of every type, tasks, threads), forgotten."""
    field = ENTITY_TYPES.get(entity_type)
    if field is None:
        raise NotFound(f"no entity type {entity_type!r}: user, agent, run or app")
    await forgetter.forget(tenant, ForgetRequest(scope=entity_scope({field: name})))


async def history(changes: ChangeHistory, tenant: str, memory_id: str) -> list[dict[str, Any]]:
    """mem0's history of a memory: its events and their times. mnemo's change history never keeps
    text, so `old_memory` and `new_memory` are null; `changed` names the fields that changed."""
    try:
        found = await changes.read(tenant, memory_id)
    except InvalidInput:
        raise NotFound(f"no memory {memory_id}") from None
    return [
        {
            "id": f"{memory_id}:{n}",
            "memory_id": memory_id,
            "event": HISTORY_EVENTS.get(e.action, "UPDATE"),
            "old_memory": None,
            "new_memory": None,
            "changed": e.changed,
            "reason": e.reason,
            "is_deleted": e.action in (HistoryAction.DELETED, HistoryAction.FORGOTTEN),
            "created_at": iso(e.at),
            "updated_at": iso(e.at),
        }
        for n, e in enumerate(found.entries)
    ]


async def entities(catalog: Catalog, tenant: str) -> list[dict[str, Any]]:
    """The users, agents, runs and apps that hold mem0 memories, from the memories themselves."""
    counts: Counter[tuple[str, str]] = Counter()
    times: dict[tuple[str, str], list[str]] = defaultdict(list)
    for record in await records_in_scope(catalog, MemoryFilter(tenant=tenant), MEM0_TYPE):
        scope = record.scope
        namespace = scope.namespace or ""
        app = namespace[len(APP_NAMESPACE) :] if namespace.startswith(APP_NAMESPACE) else None
        for kind, name in (
            ("user", scope.user_id),
            ("agent", scope.agent_id),
            ("run", scope.thread_id),
            ("app", app),
        ):
            if name:
                counts[(kind, name)] += 1
                times[(kind, name)].append(iso(record.created_at) or "")
    return [
        {
            "id": name,
            "name": name,
            "type": kind,
            "total_memories": n,
            "owner": tenant,
            "created_at": min(times[(kind, name)]),
            "updated_at": max(times[(kind, name)]),
            "metadata": None,
        }
        for (kind, name), n in sorted(counts.items())
    ]
