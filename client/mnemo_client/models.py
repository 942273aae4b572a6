"""The request and response models of the mnemo HTTP API, as the client sees them.

They mirror the server's own pydantic models (`memtypes/`, `api/`) field for field; a test of the
service compares every one of them with the server's OpenAPI schema, so they cannot drift apart
silently. Request models forbid unknown fields (the server rejects them too, with a 422 naming them);
response models ignore fields a newer server may add.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class MemoryType(StrEnum):
    EPISODIC = "episodic"
    SEMANTIC = "semantic"
    PROCEDURAL = "procedural"
    PROSPECTIVE = "prospective"
    WORKING = "working"


class Role(StrEnum):
    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"
    TOOL = "tool"


class SearchMode(StrEnum):
    HYBRID = "hybrid"
    DENSE = "dense"
    SPARSE = "sparse"


class Fusion(StrEnum):
    RRF = "rrf"
    DBSF = "dbsf"
    LINEAR = "linear"


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class _Response(BaseModel):
    model_config = ConfigDict(extra="ignore")


# --- requests ---------------------------------------------------------------------------------


class Scope(_Request):
    """Who a memory belongs to inside a tenant; absent fields mean "not scoped by this"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user_id: str | None = None
    agent_id: str | None = None
    thread_id: str | None = None
    namespace: str | None = None


class MemoryIn(_Request):
    """One memory to write."""

    type: MemoryType
    content: str
    scope: Scope = Field(default_factory=Scope)
    id: str | None = Field(
        default=None, description="the caller's id: rewriting it updates, never duplicates"
    )
    occurred_at: datetime | None = None
    importance: float | None = None
    tags: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    due_at: datetime | None = None
    trigger: str | None = None
    task_id: str | None = None
    fact_key: str | None = None


class WriteRequest(_Request):
    memories: list[MemoryIn]
    prefilter: bool = True
    dedup: bool = True
    agent: str | None = None
    context: dict[str, str] | None = None
    memory: str | None = None


class TypeWeights(_Request):
    relevance: float | None = None
    recency: float | None = None
    importance: float | None = None
    half_life_days: float | None = None


class RankingOptions(_Request):
    search: SearchMode | None = None
    fusion: Fusion | None = None
    formula: bool | None = None
    weights: dict[MemoryType, TypeWeights] | None = None
    diversity: float | None = None
    neighbours: int | None = None
    temporal: bool | None = None


class RetrieveRequest(_Request):
    query: str
    scope: Scope = Field(default_factory=Scope)
    types: list[MemoryType] | None = None
    budget_tokens: int | None = None
    model: str | None = None
    allocation: dict[str, float] | None = None
    explain: bool = False
    now: datetime | None = None
    include_superseded: bool = False
    task_id: str | None = None
    working_budget_tokens: int | None = None
    ranking: RankingOptions | None = None
    agent: str | None = None
    context: dict[str, str] | None = None


class ThreadScope(_Request):
    """A thread's scope: no `thread_id`, the thread's own id is that."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user_id: str | None = None
    agent_id: str | None = None
    namespace: str | None = None


class WorkingItemIn(_Request):
    content: str
    priority: int = 5
    metadata: dict[str, Any] = Field(default_factory=dict)
    scope: Scope | None = None
    agent: str | None = None
    context: dict[str, str] | None = None


class ThreadIn(_Request):
    parent_thread_id: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    scope: ThreadScope | None = None


class TurnIn(_Request):
    role: Role
    content: str
    files: list[str] = Field(default_factory=list)


# --- responses --------------------------------------------------------------------------------


class MemoryRecord(_Response):
    id: str
    external_id: str | None = None
    type: MemoryType
    tenant: str
    scope: Scope
    content: str
    content_hash: str
    token_count: int
    token_counts: dict[str, int]
    importance: float
    importance_tier: str | None = None
    occurred_at: datetime
    created_at: datetime
    last_accessed_at: datetime | None = None
    access_count: int = 0
    use_count: int = 0
    tags: list[str] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)
    due_at: datetime | None = None
    trigger: str | None = None
    status: str | None = None
    supersedes: str | None = None
    superseded_by: str | None = None
    task_id: str | None = None
    cleared_at: datetime | None = None
    fact_key: str | None = None
    seq: int | None = None


class WriteResultOut(_Response):
    id: str | None
    external_id: str | None
    status: str
    reason: str | None = None
    importance: float | None = None
    importance_tier: str | None = None
    similarity: float | None = None


class WriteResponse(_Response):
    results: list[WriteResultOut]


class MemoryPage(_Response):
    memories: list[MemoryRecord]
    next_cursor: str | None


class RetrievedMemory(_Response):
    id: str
    external_id: str | None
    type: MemoryType
    content: str
    score: float
    tokens: int
    occurred_at: str | None = None
    explain: dict[str, Any] | None = None


class TypeMetadata(_Response):
    share: int
    redistributed: int
    tokens: int
    count: int
    trimmed: int


class RetrieveMetadata(_Response):
    total_tokens: int
    budget: int
    working_budget: int = 0
    utilization: float
    encoding: str
    exact: bool = True
    per_type: dict[str, TypeMetadata]
    trimmed_count: int
    degraded: list[str] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)


class RetrieveResult(_Response):
    """What a retrieval returns: the packed `context` to put in a prompt, the memories in it, and
    the accounts of the budget."""

    context: str
    memories: list[RetrievedMemory]
    metadata: RetrieveMetadata


class DueItem(_Response):
    memory: MemoryRecord
    overdue: bool


class DueList(_Response):
    now: datetime
    due: list[DueItem]


class WorkingItem(_Response):
    id: str
    seq: int
    content: str
    priority: int
    tokens: int
    line_tokens: dict[str, int]
    created_at: datetime
    metadata: dict[str, Any] = Field(default_factory=dict)


class WorkingView(_Response):
    task_id: str
    items: list[WorkingItem]
    total_tokens: int
    max_tokens: int
    expires_at: datetime | None


class Replication(_Response):
    """How many Redis replicas acknowledged a working-memory write, when the server asks for it
    (MNEMO_WORKING__ACK_REPLICAS). `acknowledged < asked`: the write is done, but a Redis failover
    before the replicas catch up can lose it. Resending would store it twice."""

    asked: int
    acknowledged: int


class AppendResult(_Response):
    item: WorkingItem
    evicted: list[WorkingItem]
    total_tokens: int
    max_tokens: int
    expires_at: datetime
    replication: Replication | None = None


class ClearResult(_Response):
    task_id: str
    archived: int
    replication: Replication | None = None


class Thread(_Response):
    id: str
    parent_thread_id: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime
    ttl_s: float
    scope: Scope = Field(default_factory=Scope)


class Turn(_Response):
    id: str
    thread_id: str
    seq: int
    role: Role
    content: str
    files: list[str] = Field(default_factory=list)
    created_at: datetime
    line_tokens: dict[str, int]


class HistoryFile(_Response):
    path: str
    thread_id: str
    seq: int


class HistoryMetadata(_Response):
    total_tokens: int
    budget: int
    encoding: str
    turns: int
    trimmed_count: int
    chain: list[str]
    cycle_detected: bool
    depth_limited: bool


class ThreadHistory(_Response):
    thread_id: str
    context: str
    turns: list[Turn]
    files: list[HistoryFile]
    metadata: HistoryMetadata


class ForgetRequest(_Request):
    """A scope (every memory, working-memory task and thread whose scope has all the given fields) or
    a list of memory ids, not both."""

    user_id: str | None = None
    agent_id: str | None = None
    thread_id: str | None = None
    namespace: str | None = None
    ids: list[str] | None = None
    dry_run: bool = False


class ForgetReceipt(_Response):
    """What a forget removed (or, with `dry_run`, would remove); `digest` is sha256 over the tenant,
    `at` and the sorted removed ids, for proving later what was removed."""

    tenant: str
    at: datetime
    dry_run: bool
    scope: Scope | None
    counts: dict[str, int]
    removed: int
    memory_ids: list[str]
    task_ids: list[str]
    thread_ids: list[str]
    digest: str


class HistoryAction(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    SUPERSEDED = "superseded"
    RESTORED = "restored"
    DELETED = "deleted"
    FORGOTTEN = "forgotten"


class HistoryEntry(_Response):
    at: datetime
    action: HistoryAction
    tenant: str
    agent: str | None = None
    changed: list[str] = Field(default_factory=list)
    content_hash: str | None = None
    reason: str | None = None
    receipt: str | None = None


class MemoryHistory(_Response):
    """A memory's change history, oldest first; never its content."""

    memory_id: str
    entries: list[HistoryEntry]
    dropped: int = 0


class FieldError(_Response):
    field: str
    message: str


class ProblemDetails(_Response):
    """RFC 9457 problem details, as every error response of mnemo carries them."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str
    errors: list[FieldError] | None = None
    request_id: str | None = None


# Each client model and the name of the server's schema component it mirrors (the drift test).
SERVER_SCHEMAS: dict[type[BaseModel], str] = {
    Scope: "Scope",
    MemoryIn: "MemoryIn",
    WriteRequest: "WriteRequest",
    TypeWeights: "TypeWeights",
    RankingOptions: "RankingOptions",
    RetrieveRequest: "RetrieveRequest",
    WorkingItemIn: "WorkingItemIn",
    ThreadIn: "ThreadIn",
    TurnIn: "TurnIn",
    MemoryRecord: "MemoryRecord",
    WriteResultOut: "WriteResultOut",
    WriteResponse: "WriteResponse",
    MemoryPage: "MemoryPage",
    RetrievedMemory: "RetrievedMemory",
    TypeMetadata: "TypeMetadata",
    RetrieveMetadata: "RetrieveMetadata",
    RetrieveResult: "RetrieveResponse",
    DueItem: "DueItem",
    DueList: "DueList",
    WorkingItem: "WorkingItem",
    WorkingView: "WorkingView",
    Replication: "Replication",
    AppendResult: "AppendResult",
    ClearResult: "ClearResult",
    Thread: "Thread",
    Turn: "Turn",
    HistoryFile: "HistoryFile",
    HistoryMetadata: "HistoryMetadata",
    ThreadHistory: "ThreadHistory",
    ThreadScope: "ThreadScope",
    ForgetRequest: "ForgetRequest",
    ForgetReceipt: "ForgetReceipt",
    HistoryEntry: "HistoryEntry",
    MemoryHistory: "MemoryHistory",
    ProblemDetails: "ProblemDetails",
}
