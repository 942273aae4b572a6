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

from ...ingest.prefilter import screen_working
from ...ingest.writes import MemoryWrites
from ...memtypes.agents.resolution import Bindings
from ...memtypes.errors import FieldProblem, MnemoError
from ...memtypes.privacy.policy import PrivacyPolicy
from ...memtypes.records import Scope, utcnow
from ...sessions.working import WorkingItem, WorkingItemIn, check_task_id
from ...sessions.working_memory import WorkingMemory
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
    working: WorkingMemory, writes: MemoryWrites, bindings: Bindings, tenant: str, session_id: str,
    doc: WorkingMemoryIn, user_id: str | None,
) -> dict[str, Any]:  # fmt: skip
    """Append what the session does not hold yet; answer the session as it is now. Screened as mnemo's
    own working-memory appends are, under the privacy policy of the session's namespace."""
    check_task_id(session_id, "session_id")
    scope = scope_of(user_id or doc.user_id, session_id, doc.namespace)
    policy = bindings.privacy_policy(tenant, scope.namespace)
    view = await working.read(tenant, session_id)
    new = [_screened(policy, item, field) for field, item in _new_items(view.items, doc, scope)]
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


def _new_items(
    items: list[WorkingItem], doc: WorkingMemoryIn, scope: Scope
) -> list[tuple[str, WorkingItemIn]]:
    """What a PUT adds to the session, each with the field of the document it comes from."""
    held = {i.metadata.get("id") for i in items if i.metadata.get(KIND) == "message"}
    context, data = _latest(items, "context"), _latest(items, "data")
    new: list[tuple[str, WorkingItemIn]] = [
        (
            f"messages.{n}.content",
            WorkingItemIn(
                content=f"{m.role}: {m.content}",
                metadata={KIND: "message", "role": m.role, "id": m.id, "created_at": iso(m.created_at)},
                scope=scope,
            ),
        )
        for n, m in enumerate(doc.messages)
        if m.id is None or m.id not in held
    ]
    if doc.context and (context is None or context.content != doc.context):
        item = WorkingItemIn(
            content=doc.context, priority=TOP_PRIORITY, metadata={KIND: "context"}, scope=scope
        )
        new.append(("context", item))
    if doc.data and (data is None or data.metadata.get("data") != doc.data):
        text = "session data: " + json.dumps(doc.data, sort_keys=True)
        metadata = {KIND: "data", "data": doc.data}
        item = WorkingItemIn(content=text, priority=TOP_PRIORITY, metadata=metadata, scope=scope)
        new.append(("data", item))
    return new


def _screened(policy: PrivacyPolicy, item: WorkingItemIn, field: str) -> WorkingItemIn:
    """The item as the policy keeps it; a refusal names the document's field."""
    try:
        content, metadata = screen_working(policy, item.content, item.metadata)
    except MnemoError as exc:
        exc.problems = [FieldProblem(field, p.message) for p in exc.problems]
        raise
    return item.model_copy(update={"content": content, "metadata": metadata})
