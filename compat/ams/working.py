"""A session's working memory, AMS's document over mnemo's working-memory task of the same id.

Each message is an item (`role: content`, its role, id and time in the item's metadata); the
session's `context` and `data` are items of their own, kept above the messages (priority 10), the
latest one answering. mnemo's working memory only grows: a PUT appends what the task does not hold
yet (messages by id; a changed context or data), and nothing it leaves out is removed. Over the
task's token limit the lowest-priority, oldest items move to episodic memory, mnemo's counterpart
of AMS's summarization; deleting a session archives it too. Structured `memories` in a PUT are
written to long-term memory at once, as AMS promotes them."""

from __future__ import annotations

import json
from typing import Any

from ...ingest.working import WorkingMemory
from ...ingest.writes import MemoryWrites
from ...memtypes.records import utcnow
from ...memtypes.working import WorkingItem, WorkingItemIn, check_task_id
from ..edge import iso, write
from .shapes import WorkingMemoryIn, memory_in, scope_of

KIND = "ams_kind"
TOP_PRIORITY = 10


def _latest(items: list[WorkingItem], kind: str) -> WorkingItem | None:
    found = [i for i in items if i.metadata.get(KIND) == kind]
    return max(found, key=lambda i: i.seq) if found else None


async def read(working: WorkingMemory, tenant: str, session_id: str) -> dict[str, Any] | None:
    """The session's document; None when the task holds nothing."""
    check_task_id(session_id, "session_id")
    view = await working.read(tenant, session_id)
    if not view.items:
        return None
    items = sorted(view.items, key=lambda i: i.seq)
    scope = await working.store.recorded_scope(tenant, session_id)
    context, data = _latest(items, "context"), _latest(items, "data")
    return {
        "session_id": session_id,
        "messages": [_message(i) for i in items if i.metadata.get(KIND) == "message"],
        "memories": [],
        "data": data.metadata.get("data") if data else {},
        "context": context.content if context else None,
        "user_id": scope.user_id,
        "namespace": scope.namespace,
        "tokens": view.total_tokens,
        "ttl_seconds": None,
        "last_accessed": iso(utcnow()),
        "long_term_memory_strategy": {"strategy": "discrete", "config": {}},
    }


def _message(item: WorkingItem) -> dict[str, Any]:
    role = str(item.metadata.get("role") or "user")
    content = item.content[len(role) + 2 :] if item.content.startswith(f"{role}: ") else item.content
    return {
        "role": role,
        "content": content,
        "id": item.metadata.get("id") or item.id,
        "created_at": item.metadata.get("created_at") or iso(item.created_at),
        "discrete_memory_extracted": "f",
    }


async def put(
    working: WorkingMemory, writes: MemoryWrites, tenant: str, session_id: str, doc: WorkingMemoryIn,
    user_id: str | None,
) -> dict[str, Any]:  # fmt: skip
    """Append what the session does not hold yet; answer the session as it is now."""
    check_task_id(session_id, "session_id")
    scope = scope_of(user_id or doc.user_id, session_id, doc.namespace)
    view = await working.read(tenant, session_id)
    held = {i.metadata.get("id") for i in view.items if i.metadata.get(KIND) == "message"}
    context, data = _latest(view.items, "context"), _latest(view.items, "data")
    new: list[WorkingItemIn] = [
        WorkingItemIn(
            content=f"{m.role}: {m.content}",
            metadata={KIND: "message", "role": m.role, "id": m.id, "created_at": iso(m.created_at)},
            scope=scope,
        )
        for m in doc.messages
        if m.id is None or m.id not in held
    ]
    if doc.context and (context is None or context.content != doc.context):
        new.append(
            WorkingItemIn(content=doc.context, priority=TOP_PRIORITY, metadata={KIND: "context"}, scope=scope)
        )
    if doc.data and (data is None or data.metadata.get("data") != doc.data):
        text = "session data: " + json.dumps(doc.data, sort_keys=True)
        new.append(
            WorkingItemIn(
                content=text, priority=TOP_PRIORITY, metadata={KIND: "data", "data": doc.data}, scope=scope
            )
        )
    if doc.memories:  # first: a refused write (limits, allowance, privacy) leaves the session as it was
        promoted = [memory_in(m) for m in doc.memories]
        await write(writes, tenant, promoted, "memories", range(len(promoted)), content="text")
    for item in new:
        await working.append(tenant, session_id, item)
    now = await read(working, tenant, session_id)
    if now is None:  # an empty session: AMS creates it; mnemo holds a task once it has an item
        empty: dict[str, Any] = {
            "session_id": session_id,
            "messages": [],
            "memories": [],
            "data": {},
            "context": None,
        }
        return {
            **empty,
            "user_id": scope.user_id,
            "namespace": scope.namespace,
            "tokens": 0,
            "new_session": True,
        }
    return now
