"""A Redis Agent Memory Server export: its long-term memories (`{"memories": [...]}` as its search
and list answer them, or a list) and, optionally, working memories (`"working_memory": [...]`, each a
session's messages). `semantic` memories stay semantic; `episodic` ones are episodic at their
`event_date`; `message` memories and working-memory messages are episodic turns, `role: text`. The
scope is the memory's user, session (thread) and namespace; topics become tags."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .entries import Entry, caller_id, entry, instant, items_of, scope_id, text_in, text_of

TYPES = {"semantic": "semantic", "episodic": "episodic", "message": "episodic"}


def read(data: Any) -> Iterator[Entry]:
    for n, memory in enumerate(items_of(data, "memories")):
        yield _long_term(f"memories[{n}]", memory)
    sessions = items_of(data, "working_memory", "sessions") if isinstance(data, dict) else []
    for s, session in enumerate(sessions):
        if not isinstance(session, dict):
            yield Entry(f"working_memory[{s}]", error="not an object")
            continue
        scope = _scope(session)
        for n, message in enumerate(items_of(session, "messages")):
            where = f"working_memory[{s}].messages[{n}]"
            if not isinstance(message, dict):
                yield Entry(where, error="not an object")
                continue
            text = text_of(message.get("content"))
            if not text:
                yield Entry(where, skipped="empty message")
                continue
            role = str(message.get("role") or "user")
            yield entry(
                where,
                type="episodic",
                content=f"{role}: {text}",
                id=caller_id("ams", message.get("id"), session.get("session_id"), n, text),
                scope=scope,
                occurred_at=instant(message.get("created_at")),
                metadata={"role": role},
            )
        for n, memory in enumerate(items_of(session, "memories")):
            yield _long_term(f"working_memory[{s}].memories[{n}]", memory)


def _scope(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "user_id": scope_id(item.get("user_id")),
        "thread_id": scope_id(item.get("session_id")),
        "namespace": scope_id(item.get("namespace")),
    }


def _long_term(where: str, memory: Any) -> Entry:
    text = text_in(where, memory, "memory", "text")
    if isinstance(text, Entry):
        return text
    kind = TYPES.get(str(memory.get("memory_type") or "semantic"))
    if kind is None:
        return Entry(
            where, error=f"memory_type {memory.get('memory_type')!r} is not semantic, episodic or message"
        )
    topics = memory.get("topics") or []
    return entry(
        where,
        type=kind,
        content=text,
        id=caller_id("ams", memory.get("id"), text, memory.get("session_id")),
        scope=_scope(memory),
        occurred_at=instant(memory.get("event_date") or memory.get("created_at")),
        tags=[str(t)[:64] for t in topics if t][:32] if isinstance(topics, list) else [],
        metadata={"entities": memory.get("entities")} if memory.get("entities") else {},
    )
