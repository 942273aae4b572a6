"""AMS's long-term memory over mnemo's services: create (written verbatim, AMS's ids kept as caller
ids), get, edit and delete by AMS's id, search with its filters, and the memory prompt (mnemo's
budgeted context for the query, then the session's messages, then the query)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from ...ingest.forget import Forgetter
from ...ingest.writes import MemoryWrites
from ...memtypes.errors import FieldProblem, InvalidInput, NotFound
from ...memtypes.governance.forget import ForgetRequest
from ...memtypes.queries import MemoryFilter
from ...memtypes.records import MemoryRecord
from ...memtypes.requests import RetrieveRequest
from ...memtypes.types import MemoryType
from ...retrieval.catalog import Catalog
from ...retrieval.memory_search import search_memories
from ...retrieval.pipeline import Retriever
from ...sessions.working_memory import WorkingMemory
from ..edge import NotSupported, records_in_scope, write
from . import working as sessions
from .shapes import (
    ID_PREFIX,
    TYPES,
    VENDOR,
    CreateBody,
    LongTermIn,
    SearchBody,
    equals,
    memory_in,
    memory_out,
    scope_of,
)

# The types AMS's long-term memory holds: mnemo's facts and events.
LONG_TERM = (MemoryType.SEMANTIC, MemoryType.EPISODIC)


async def create(writes: MemoryWrites, tenant: str, body: CreateBody) -> None:
    """Written as given; `deduplicate` merges near-duplicates (the newer wins), as AMS's does."""
    items = [memory_in(m) for m in body.memories]
    await write(writes, tenant, items, "memories", range(len(items)), content="text", dedup=body.deduplicate)


async def find(catalog: Catalog, tenant: str, memory_id: str) -> MemoryRecord:
    """A memory by AMS's id (its caller id in mnemo), or by mnemo's own."""
    try:
        uuid.UUID(memory_id)
    except ValueError:
        wanted = ID_PREFIX + memory_id
        for memory_type in LONG_TERM:
            for record in await records_in_scope(catalog, MemoryFilter(tenant=tenant), memory_type):
                if record.external_id == wanted:
                    return record
        raise NotFound(f"no memory {memory_id}") from None
    return await catalog.find(tenant, memory_id)


async def edit(
    writes: MemoryWrites, catalog: Catalog, tenant: str, memory_id: str, updates: dict[str, Any]
) -> MemoryRecord:
    record = await find(catalog, tenant, memory_id)
    current = memory_out(record)
    changed = LongTermIn.model_validate({**current, **updates, "id": current["id"]})
    if record.external_id is None or TYPES.get(changed.memory_type) is not record.type:
        raise InvalidInput(f"memory {memory_id} cannot change its type or be rewritten under its id")
    (result,) = await write(writes, tenant, [memory_in(changed)], "text")
    return await catalog.find(tenant, result.id or record.id)


async def delete(catalog: Catalog, forgetter: Forgetter, tenant: str, memory_ids: list[str]) -> int:
    """Forget the memories of these ids that the tenant has; ids it does not have are no error."""
    found: list[uuid.UUID] = []
    for memory_id in memory_ids:
        try:
            found.append(uuid.UUID((await find(catalog, tenant, memory_id)).id))
        except NotFound:
            continue
    if found:
        await forgetter.forget(tenant, ForgetRequest(ids=found))
    return len(found)


async def search(retriever: Retriever, catalog: Catalog, tenant: str, body: SearchBody) -> dict[str, Any]:
    """By meaning when there is text, else the filter's memories; `dist` is 1 - relevance."""
    for unsupported in ("entities", "last_accessed", "event_date"):
        if getattr(body, unsupported):
            raise NotSupported(VENDOR, f"search filter {unsupported}")
    scope = scope_of(
        equals(body.user_id, "user_id"),
        equals(body.session_id, "session_id"),
        equals(body.namespace, "namespace"),
    )
    kind = equals(body.memory_type, "memory_type")
    memory_type = None if kind is None else TYPES.get(kind)
    wanted = body.offset + body.limit
    text = body.text.strip()
    if text:
        found = await search_memories(retriever, tenant, text, scope, memory_type, False, min(wanted, 100))
        scored = [(r, 1.0 - s) for r, s in found if r.type in LONG_TERM]
    else:
        flt = MemoryFilter(tenant=tenant, scope=scope)
        types = [memory_type] if memory_type else list(LONG_TERM)
        scored = [(r, 0.0) for t in types for r in await records_in_scope(catalog, flt, t)]
    hits = [
        (r, d)
        for r, d in scored
        if _topics_match(body.topics, r.tags)
        and _within(body.created_at, r)
        and (body.distance_threshold is None or d <= body.distance_threshold)
        and (kind is None or memory_out(r)["memory_type"] == kind)
    ]
    page = hits[body.offset : wanted]
    more = len(hits) > wanted
    return {
        "memories": [memory_out(r, d) for r, d in page],
        "total": len(hits),
        "next_offset": wanted if more else None,
    }


def _topics_match(topics: dict[str, Any] | None, tags: list[str]) -> bool:
    if not topics:
        return True
    for op, values in topics.items():
        held = set(tags) & set(values or [])
        if op not in ("any", "all", "none"):
            raise NotSupported(VENDOR, f"search filter topics.{op}")
        if (
            (op == "any" and not held)
            or (op == "all" and held != set(values or []))
            or (op == "none" and held)
        ):
            return False
    return True


def _within(created: dict[str, Any] | None, record: MemoryRecord) -> bool:
    if not created:
        return True
    moment = record.created_at
    for op, raw in created.items():
        bound = datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
        if op not in ("gte", "lte", "eq"):
            raise NotSupported(VENDOR, f"search filter created_at.{op}")
        if (
            (op == "gte" and moment < bound)
            or (op == "lte" and moment > bound)
            or (op == "eq" and moment != bound)
        ):
            return False
    return True


async def prompt(
    retriever: Retriever, working: WorkingMemory, tenant: str, body: dict[str, Any]
) -> dict[str, Any]:
    """AMS's memory prompt: a system message with mnemo's context for the query (long-term memory,
    ranked and packed into the budget), the session's messages, and the query as the user's."""
    query = body.get("query")
    if not isinstance(query, str) or not query.strip():
        raise InvalidInput("give a query", problems=[FieldProblem("query", "a non-blank string")])
    session = body.get("session") or {}
    search_part = body.get("long_term_search") or {}
    user = session.get("user_id") or equals(search_part.get("user_id"), "user_id")
    namespace = session.get("namespace") or equals(search_part.get("namespace"), "namespace")
    request = RetrieveRequest(query=query, scope=scope_of(user, None, namespace), types=list(LONG_TERM))
    found = await retriever.retrieve(tenant, request)
    messages: list[dict[str, Any]] = []
    if found.context.strip():
        text = "## Long term memories related to the user's query\n" + found.context
        messages.append({"role": "system", "content": {"type": "text", "text": text}})
    if session.get("session_id"):
        held = await sessions.read(working, tenant, str(session["session_id"]))
        for message in held["messages"] if held else []:
            messages.append(
                {"role": message["role"], "content": {"type": "text", "text": message["content"]}}
            )
    messages.append({"role": "user", "content": {"type": "text", "text": query}})
    return {"messages": messages}
