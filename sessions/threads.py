"""Conversation threads: chains of turns, kept in Redis for a while and in episodic memory for good."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..memtypes.errors import FieldProblem, InvalidInput
from ..memtypes.jsontypes import JsonInt
from ..memtypes.records import MAX_CONTENT_CHARS, SCOPE_ID_PATTERN, NonBlankStr, Scope, check_json_size

# A chain walk reads at most this many threads (the thread itself and its ancestors).
MAX_CHAIN_DEPTH = 20
# The episodic copy of a turn is "<role>: <content>", which must still fit a memory's content cap.
MAX_TURN_CHARS = MAX_CONTENT_CHARS - 16
MAX_FILES_PER_TURN = 32
MAX_FILE_CHARS = 400
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def parse_thread_id(raw: str, field: str = "thread_id") -> str:
    """Thread ids are server-made UUIDs; anything else is refused before it gets near a Redis key."""
    if len(raw) == 36:  # the canonical form only: no braces, no urn: prefix, no 10 kB strings
        try:
            return str(uuid.UUID(raw))
        except ValueError:
            pass
    raise InvalidInput("a thread id is a UUID", problems=[FieldProblem(field, "not a UUID")])


class Role(StrEnum):
    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"
    TOOL = "tool"


class ThreadScope(BaseModel):
    """A thread's scope: no `thread_id`, the thread's own id is that."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user_id: str | None = Field(default=None, pattern=SCOPE_ID_PATTERN)
    agent_id: str | None = Field(default=None, pattern=SCOPE_ID_PATTERN)
    namespace: str | None = Field(default=None, pattern=SCOPE_ID_PATTERN)


class ThreadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: UUID | None = Field(
        default=None,
        description="the thread's id, chosen by the caller (e.g. a uuid5 of its own session key): "
        "creating it again answers the thread as it is, or 409 when the scope or parent given differ",
    )
    parent_thread_id: UUID | None = Field(default=None, description="continue the chain of this thread")
    metadata: dict[str, Any] = Field(default_factory=dict)
    scope: ThreadScope | None = Field(
        default=None, description="whose thread this is (its turns' memories get it too), for forget"
    )

    @field_validator("metadata")
    @classmethod
    def _small_metadata(cls, value: dict[str, Any]) -> dict[str, Any]:
        return check_json_size(value)


class Thread(BaseModel):
    id: str
    parent_thread_id: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime
    ttl_s: float
    scope: Scope = Field(default_factory=Scope)


class TurnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Role
    content: NonBlankStr = Field(min_length=1, max_length=MAX_TURN_CHARS)
    files: list[str] = Field(
        default_factory=list, max_length=MAX_FILES_PER_TURN, description="paths or URIs the turn refers to"
    )
    if_last_seq: JsonInt | None = Field(
        default=None,
        ge=0,
        description="append only if the thread's last turn has this seq (0: no turn yet), else 409: "
        "a compare-and-append, so that two writers deciding on the same history cannot both act",
    )

    @field_validator("files")
    @classmethod
    def _plain_names(cls, value: list[str]) -> list[str]:
        for name in value:
            if not name.strip() or len(name) > MAX_FILE_CHARS or _CONTROL.search(name):
                raise ValueError(f"each file is 1..{MAX_FILE_CHARS} characters without control characters")
        return list(dict.fromkeys(value))  # a turn naming a file twice references it once


class Turn(BaseModel):
    id: str
    thread_id: str
    seq: int
    role: Role
    content: str
    files: list[str] = Field(default_factory=list)
    created_at: datetime
    line_tokens: dict[str, int] = Field(description="tokens of the turn's history line, per encoding")


class HistoryFile(BaseModel):
    """A file listed once in a history, attributed to the newest turn that referenced it."""

    path: str
    thread_id: str
    seq: int


class HistoryMetadata(BaseModel):
    total_tokens: int
    budget: int
    encoding: str
    turns: int
    trimmed_count: int = Field(description="turns of the chain left out because the budget was full")
    chain: list[str] = Field(description="thread ids walked, this thread first")
    cycle_detected: bool
    depth_limited: bool


class ThreadHistory(BaseModel):
    thread_id: str
    context: str
    turns: list[Turn] = Field(description="oldest first")
    files: list[HistoryFile]
    metadata: HistoryMetadata
