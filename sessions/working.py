"""Working memory: the scratchpad of one task, kept live in Redis and archived when it goes away."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..memtypes.agents.bindings import AgentContext, AgentName
from ..memtypes.errors import FieldProblem, InvalidInput
from ..memtypes.jsontypes import JsonInt
from ..memtypes.limits import INT64_MAX, MAX_METADATA_DEPTH, metadata_problem
from ..memtypes.records import MAX_CONTENT_CHARS, TASK_ID_PATTERN, NonBlankStr, Scope, check_json_size

_TASK_ID = re.compile(TASK_ID_PATTERN)
# Smaller than a memory's metadata cap: the archived record wraps it with a few fields of its own.
MAX_WORKING_METADATA_JSON_CHARS = 8_000
MIN_PRIORITY, MAX_PRIORITY, DEFAULT_PRIORITY = 0, 10, 5
# Why an item leaves working memory; its archive record says which.
ARCHIVE_REASONS = ("evicted", "cleared", "expired")


def archived_metadata(reason: str, priority: int, seq: int, item: Any) -> dict[str, Any]:
    """The metadata of an item's archive record: the item's own one level down, beside ours. The
    door checks an item's metadata in this very shape, so an accepted item can always be archived."""
    return {"reason": reason, "priority": priority, "seq": seq, "item": item}


def check_task_id(task_id: str, field: str = "task_id") -> str:
    if not _TASK_ID.fullmatch(task_id):
        shown = task_id if len(task_id) <= 40 else f"{task_id[:40]}… ({len(task_id)} characters)"
        raise InvalidInput(
            f"invalid task id {shown!r}",
            problems=[FieldProblem(field, "1-128 characters of [A-Za-z0-9._:@+-], starting alphanumeric")],
        )
    return task_id


class WorkingItemIn(BaseModel):
    """One item as a caller appends it (`POST /v1/working/{task_id}/items`)."""

    model_config = ConfigDict(extra="forbid")

    content: NonBlankStr = Field(min_length=1, max_length=MAX_CONTENT_CHARS)
    priority: JsonInt = Field(
        default=DEFAULT_PRIORITY,
        ge=MIN_PRIORITY,
        le=MAX_PRIORITY,
        description="0..10; over the token limit the lowest priority goes first",
    )
    metadata: dict[str, Any] = Field(default_factory=dict)
    scope: Scope | None = Field(
        default=None, description="whose task this is: recorded on the task (and its archive), for forget"
    )
    # Agent bindings (MNEMO_CONFIG): the working limits of the agent's resource holding `working`.
    agent: AgentName | None = Field(default=None, description="append as this agent")
    context: AgentContext | None = Field(default=None, description="variables of the agent's memory keys")

    @field_validator("metadata")
    @classmethod
    def _small_metadata(cls, value: dict[str, Any]) -> dict[str, Any]:
        check_json_size(value, MAX_WORKING_METADATA_JSON_CHARS)
        # Checked as its archive record will hold it (the largest of our own fields), so that an item
        # accepted here is never one the archive refuses: it would stick in Redis, unarchivable.
        if (
            problem := metadata_problem(archived_metadata("expired", MAX_PRIORITY, INT64_MAX, value))
        ) is not None:
            raise ValueError(
                f"cannot be archived: {problem} once its archive record wraps it one level down "
                f"(working-memory metadata nests at most {MAX_METADATA_DEPTH - 1} levels)"
            )
        return value


class WorkingItem(BaseModel):
    """A stored item. `seq` orders a task's items; `tokens` counts the content in the default encoding
    (what the task limit is measured in); `line_tokens` counts its context line in every encoding."""

    id: str
    seq: int
    content: str
    priority: int
    tokens: int
    line_tokens: dict[str, int]
    created_at: datetime
    metadata: dict[str, Any] = Field(default_factory=dict)


class WorkingState(BaseModel):
    """Everything Redis holds for one task. `expires_at` is the logical TTL the sweeper acts on."""

    items: list[WorkingItem] = Field(default_factory=list)
    next_seq: int = 1
    expires_at: datetime
    scope: Scope = Field(default_factory=Scope)

    @property
    def total_tokens(self) -> int:
        return sum(i.tokens for i in self.items)

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def live(self, now: datetime) -> list[WorkingItem]:
        """The items newest first; none once the state has expired (the sweeper archives it)."""
        return [] if self.expired(now) else sorted(self.items, key=lambda i: -i.seq)


class WorkingView(BaseModel):
    task_id: str
    items: list[WorkingItem] = Field(description="newest first")
    total_tokens: int
    max_tokens: int
    expires_at: datetime | None


class Replication(BaseModel):
    """How many Redis replicas acknowledged a working-memory write (`WAIT`), when the service asks for
    acknowledgement (MNEMO_WORKING__ACK_REPLICAS). Fewer than asked: the write is done and stays on
    the Redis master, but a failover before the replicas catch up can lose it."""

    asked: int = Field(description="replicas the service waits for (MNEMO_WORKING__ACK_REPLICAS)")
    acknowledged: int = Field(description="replicas that confirmed the write in time; < asked: not yet safe")


_REPLICATION = "replica acknowledgement of this write; null when the service does not ask for it"


class AppendResult(BaseModel):
    item: WorkingItem
    evicted: list[WorkingItem] = Field(description="moved to episodic memory to stay under the limit")
    total_tokens: int
    max_tokens: int
    expires_at: datetime
    replication: Replication | None = Field(default=None, description=_REPLICATION)


class ClearResult(BaseModel):
    task_id: str
    archived: int
    replication: Replication | None = Field(default=None, description=_REPLICATION)
