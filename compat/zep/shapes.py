"""Zep's shapes (its API v3, as `zep-cloud` 3.x speaks it): users, threads, messages, graph search
results, and where they sit in mnemo. A user is a semantic memory in the user's scope (`fact_key`
`zep.user`: its names and email as a sentence, the whole user in its metadata); a thread is a mnemo
thread whose id is derived from Zep's (`thread_uuid`), Zep's id in its metadata; a message is a
turn (and so an episodic memory); a fact (an edge) is a semantic memory, an episode an episodic one."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ...memtypes.records import MAX_CONTENT_CHARS, MemoryRecord
from ...sessions.threads import Role, Thread, Turn
from ..edge import iso

VENDOR = "zep"
USER_FACT = "zep.user"
_THREADS = uuid.UUID("0d7c1c57-2f6e-4f37-9a52-6a1f7c3e9b21")
ROLES = {
    "user": Role.USER,
    "assistant": Role.ASSISTANT,
    "system": Role.SYSTEM,
    "tool": Role.TOOL,
    "function": Role.TOOL,
}


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class UserIn(_Body):
    user_id: str | None = Field(default=None, max_length=256)
    email: str | None = Field(default=None, max_length=320)
    first_name: str | None = Field(default=None, max_length=200)
    last_name: str | None = Field(default=None, max_length=200)
    metadata: dict[str, Any] | None = None
    time_zone: str | None = Field(default=None, max_length=64)


class ThreadIn(_Body):
    thread_id: str = Field(min_length=1, max_length=256)
    user_id: str = Field(min_length=1, max_length=256)


class MessageIn(_Body):
    role: str = "user"
    content: str = Field(min_length=1, max_length=MAX_CONTENT_CHARS)
    name: str | None = None
    metadata: dict[str, Any] | None = None
    created_at: str | None = None


class AddMessagesIn(_Body):
    messages: list[MessageIn] = Field(min_length=1, max_length=1_000)
    ignore_roles: list[str] | None = None
    return_context: bool | None = None


class SearchIn(_Body):
    query: str = Field(min_length=1, max_length=8_000)
    user_id: str | None = None
    graph_id: str | None = None
    scope: str = "edges"
    limit: int = Field(default=10, ge=1, le=50)
    search_filters: dict[str, Any] | None = None


class GraphAddIn(_Body):
    data: str = Field(min_length=1, max_length=MAX_CONTENT_CHARS)
    type: str = "text"
    user_id: str | None = None
    graph_id: str | None = None
    created_at: str | None = None
    source_description: str | None = None


def thread_uuid(thread_id: str) -> str:
    """mnemo's id of Zep's thread: the same in every process, from Zep's id alone."""
    return str(uuid.uuid5(_THREADS, thread_id))


def user_sentence(user: dict[str, Any]) -> str:
    name = " ".join(p for p in (user.get("first_name"), user.get("last_name")) if p)
    email = f" ({user['email']})" if user.get("email") else ""
    return f"The user {user['user_id']} is {name}{email}" if name else f"The user {user['user_id']}{email}"


def user_out(record: MemoryRecord) -> dict[str, Any]:
    user = dict(record.metadata.get("zep_user") or {})
    return {
        **user,
        "uuid": record.id,
        "created_at": user.get("created_at"),
        "updated_at": iso(record.created_at),
    }


def thread_out(thread: Thread) -> dict[str, Any]:
    return {
        "thread_id": thread.metadata.get("zep_thread_id"),
        "uuid": thread.id,
        "user_id": thread.scope.user_id,
        "created_at": iso(thread.created_at),
    }


def message_out(turn: Turn) -> dict[str, Any]:
    return {
        "uuid": turn.id,
        "role": turn.role.value,
        "content": turn.content,
        "created_at": iso(turn.created_at),
        "processed": True,
    }


def edge_out(record: MemoryRecord, score: float) -> dict[str, Any]:
    return {
        "uuid": record.id,
        "fact": record.content,
        "name": record.fact_key or "FACT",
        "created_at": iso(record.created_at),
        "valid_at": iso(record.occurred_at),
        "source_node_uuid": "",
        "target_node_uuid": "",
        "episodes": [],
        "score": score,
        "relevance": score,
    }


def episode_out(record: MemoryRecord, score: float | None, thread_id: str | None) -> dict[str, Any]:
    return {
        "uuid": record.id,
        "content": record.content,
        "created_at": iso(record.occurred_at),
        "role": record.metadata.get("role"),
        "thread_id": thread_id,
        "processed": True,
        "source": "message" if thread_id else "text",
        "score": score,
        "relevance": score,
    }
