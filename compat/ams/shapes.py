"""Redis Agent Memory Server's shapes: its long-term memory record and search filters, its working
memory document, and how they sit in mnemo (a session is a working-memory task and a thread id; a
namespace is mnemo's namespace; `semantic` memories are semantic, `episodic` and `message` ones
episodic; topics are tags)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ...memtypes.limits import MAX_ITEMS_PER_REQUEST
from ...memtypes.records import MAX_CONTENT_CHARS, MemoryIn, MemoryRecord, Scope
from ...memtypes.types import MemoryType
from ..edge import NotSupported, iso, memory_scope

VENDOR = "ams"
ID_PREFIX = "ams:"
TYPES = {"semantic": MemoryType.SEMANTIC, "episodic": MemoryType.EPISODIC, "message": MemoryType.EPISODIC}


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class LongTermIn(_Body):
    id: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=MAX_CONTENT_CHARS)
    session_id: str | None = None
    user_id: str | None = None
    namespace: str | None = None
    topics: list[str] | None = Field(default=None, max_length=32)
    entities: list[str] | None = Field(default=None, max_length=64)
    memory_type: str = "semantic"
    event_date: datetime | None = None
    created_at: datetime | None = None


class CreateBody(_Body):
    memories: list[LongTermIn] = Field(min_length=1, max_length=MAX_ITEMS_PER_REQUEST)
    deduplicate: bool = True


class MessageIn(_Body):
    role: str = Field(min_length=1, max_length=64)
    content: str = Field(min_length=1, max_length=MAX_CONTENT_CHARS)
    id: str | None = Field(default=None, max_length=200)
    created_at: datetime | None = None


class WorkingMemoryIn(_Body):
    session_id: str | None = None
    messages: list[MessageIn] = Field(default_factory=list, max_length=10_000)
    memories: list[LongTermIn] = Field(default_factory=list, max_length=MAX_ITEMS_PER_REQUEST)
    data: dict[str, Any] | None = None
    context: str | None = Field(default=None, max_length=MAX_CONTENT_CHARS)
    user_id: str | None = None
    namespace: str | None = None


class SearchBody(_Body):
    text: str = Field(default="", max_length=8_000)
    limit: int = Field(default=10, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=1_000)
    session_id: dict[str, Any] | None = None
    user_id: dict[str, Any] | None = None
    namespace: dict[str, Any] | None = None
    memory_type: dict[str, Any] | None = None
    topics: dict[str, Any] | None = None
    entities: dict[str, Any] | None = None
    created_at: dict[str, Any] | None = None
    last_accessed: dict[str, Any] | None = None
    event_date: dict[str, Any] | None = None
    distance_threshold: float | None = None


def scope_of(user_id: str | None, session_id: str | None, namespace: str | None) -> Scope:
    ids = {"user_id": user_id, "thread_id": session_id, "namespace": namespace}
    return memory_scope({"thread_id": "session_id"}, **ids)


def equals(filters: dict[str, Any] | None, name: str) -> str | None:
    """The value of an `eq` filter; any other operator (in_, not_eq, not_in) is a 501 naming it."""
    if not filters:
        return None
    for op in filters:
        if op != "eq":
            raise NotSupported(VENDOR, f"search filter {name}.{op}")
    value = filters.get("eq")
    return None if value is None else str(value)


def memory_in(memory: LongTermIn) -> MemoryIn:
    kind = TYPES.get(memory.memory_type)
    if kind is None:
        raise NotSupported(VENDOR, f"memory_type {memory.memory_type}")
    occurred = memory.event_date or memory.created_at
    return MemoryIn(
        type=kind,
        content=memory.text,
        id=ID_PREFIX + memory.id,
        scope=scope_of(memory.user_id, memory.session_id, memory.namespace),
        occurred_at=occurred,
        tags=[t[:64] for t in memory.topics or [] if t],
        metadata={"ams_memory_type": memory.memory_type, "entities": memory.entities or []},
    )


def ams_id(record: MemoryRecord) -> str:
    external = record.external_id or ""
    return external[len(ID_PREFIX) :] if external.startswith(ID_PREFIX) else record.id


def memory_out(record: MemoryRecord, dist: float | None = None) -> dict[str, Any]:
    kind = record.metadata.get("ams_memory_type")
    if kind not in TYPES:
        kind = "episodic" if record.type is MemoryType.EPISODIC else "semantic"
    out: dict[str, Any] = {
        "id": ams_id(record),
        "text": record.content,
        "session_id": record.scope.thread_id,
        "user_id": record.scope.user_id,
        "namespace": record.scope.namespace,
        "last_accessed": iso(record.last_accessed_at or record.created_at),
        "created_at": iso(record.created_at),
        "updated_at": iso(record.created_at),
        "topics": record.tags,
        "entities": record.metadata.get("entities") or [],
        "memory_hash": record.content_hash,
        "memory_type": kind,
        "discrete_memory_extracted": "t",
        "event_date": iso(record.occurred_at) if record.type is MemoryType.EPISODIC else None,
    }
    if dist is not None:
        out["dist"] = dist
    return out
