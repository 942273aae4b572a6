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


# What each type holds, in the words the MCP and agent tools give a model: they list the types from
# here (tests/unit/test_type_lists.py holds this to the server's registry, test_client_schema_drift.py
# the enum to the API's).
TYPE_NOTES: dict[MemoryType, str] = {
    MemoryType.EPISODIC: "something that happened",
    MemoryType.SEMANTIC: "a fact or preference",
    MemoryType.PROCEDURAL: "how to do something",
    MemoryType.PROSPECTIVE: "something to do later",
    MemoryType.WORKING: "a task's scratchpad",
}
# The types a feature belongs to, as the server's registry picks them (memtypes/types.py): facts
# (the default of a write), events (where evicted working memory lands), intentions (`due_at`,
# `trigger`) and a task's live working memory.
FACT_TYPE, EVENT_TYPE = MemoryType.SEMANTIC, MemoryType.EPISODIC
INTENTION_TYPE, SCRATCHPAD_TYPE = MemoryType.PROSPECTIVE, MemoryType.WORKING


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


class RequestModel(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ResponseModel(BaseModel):
    model_config = ConfigDict(extra="ignore")


# --- requests ---------------------------------------------------------------------------------


class Scope(RequestModel):
    """Who a memory belongs to inside a tenant; absent fields mean "not scoped by this"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user_id: str | None = None
    agent_id: str | None = None
    thread_id: str | None = None
    namespace: str | None = None


class MemoryIn(RequestModel):
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
    valid_from: datetime | None = None  # when it began to hold in the world (absent: when it occurred)
    valid_until: datetime | None = None  # when it stops holding (absent: until something replaces it)
    supersedes: list[str] = Field(default_factory=list)  # ids or caller ids of what it replaces
    depends_on: list[str] = Field(default_factory=list)  # ids or caller ids it was derived from


class WriteRequest(RequestModel):
    memories: list[MemoryIn]
    prefilter: bool = True
    dedup: bool = True
    agent: str | None = None
    context: dict[str, str] | None = None
    memory: str | None = None


class TypeWeights(RequestModel):
    relevance: float | None = None
    recency: float | None = None
    importance: float | None = None
    half_life_days: float | None = None


class RankingOptions(RequestModel):
    search: SearchMode | None = None
    fusion: Fusion | None = None
    formula: bool | None = None
    weights: dict[MemoryType, TypeWeights] | None = None
    diversity: float | None = None
    neighbours: int | None = None
    temporal: bool | None = None


class View(StrEnum):
    TRUE = "true"  # what held in the world at that time, as known now
    KNOWN = "known"  # what mnemo held current at that time


class AsOfRequest(RequestModel):
    at: datetime
    view: View = View.TRUE


class RetrieveRequest(RequestModel):
    query: str
    scope: Scope = Field(default_factory=Scope)
    types: list[MemoryType] | None = None
    budget_tokens: int | None = None
    model: str | None = None
    allocation: dict[str, float] | None = None
    explain: bool = False
    min_score: float | None = None  # a floor: memories scoring below it are left out
    now: datetime | None = None
    timezone: str | None = None  # the asker's zone (`America/Chicago`, `+05:30`): the days a query names
    include_superseded: bool = False
    as_of: AsOfRequest | None = None
    task_id: str | None = None
    working_budget_tokens: int | None = None
    ranking: RankingOptions | None = None
    min_confidence: float | None = None
    agent: str | None = None
    context: dict[str, str] | None = None
    mask_sensitive: bool = False  # secrets and personal data as typed placeholders (`[CARD]`)


class ThreadScope(RequestModel):
    """A thread's scope: no `thread_id`, the thread's own id is that."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user_id: str | None = None
    agent_id: str | None = None
    namespace: str | None = None


class WorkingItemIn(RequestModel):
    content: str
    priority: int = 5
    metadata: dict[str, Any] = Field(default_factory=dict)
    scope: Scope | None = None
    agent: str | None = None
    context: dict[str, str] | None = None


class ThreadIn(RequestModel):
    id: str | None = None
    parent_thread_id: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    scope: ThreadScope | None = None


class TurnIn(RequestModel):
    role: Role
    content: str
    files: list[str] = Field(default_factory=list)
    if_last_seq: int | None = None  # append only if the thread's last turn has this seq, else 409


class RankRequest(RequestModel):
    query: str
    type: MemoryType
    ids: list[str]
    limit: int = 10
    offset: int = 0


# --- responses --------------------------------------------------------------------------------


class SensitiveKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    CARD = "card"
    IBAN = "iban"
    NATIONAL_ID = "national_id"
    API_KEY = "api_key"
    SECRET = "secret"  # noqa: S105 - a kind's name
    PASSWORD = "password"  # noqa: S105 - a kind's name


class SensitiveSpan(ResponseModel):
    """A secret or personal value found in a memory when it was written: its kind (`card`,
    `email`, …), its field (`content`, `trigger`, `metadata.<key>`) and where it is in that field."""

    kind: SensitiveKind
    field: str
    start: int
    end: int
    redacted: bool = False


class MemoryRecord(ResponseModel):
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
    sensitive: list[SensitiveSpan] = Field(default_factory=list)
    seq: int | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    superseded_at: datetime | None = None
    invalidated_at: datetime | None = None
    invalidation_reason: str | None = None
    closed_at: datetime | None = None
    depends_on: list[str] = Field(default_factory=list)
    stale: bool = False
    stale_cause: str | None = None


class SearchHit(ResponseModel):
    memory: MemoryRecord
    score: float  # relevance to the query alone: no recency or importance


class SearchResults(ResponseModel):
    query: str
    hits: list[SearchHit]  # best first
    left_out: dict[str, int] | None = None  # a current search: memories left out, by reason


class RankedMemory(ResponseModel):
    id: str
    score: float  # cosine similarity of the memory's text and the query


class RankResults(ResponseModel):
    hits: list[RankedMemory]  # best first


class WriteResultOut(ResponseModel):
    id: str | None
    external_id: str | None
    status: str
    reason: str | None = None
    importance: float | None = None
    importance_tier: str | None = None
    similarity: float | None = None


class WriteResponse(ResponseModel):
    results: list[WriteResultOut]


class MemoryPage(ResponseModel):
    memories: list[MemoryRecord]
    next_cursor: str | None
    left_out: dict[str, int] | None = None  # a current listing's first page: left out, by reason
    degraded: list[str] = Field(default_factory=list)  # listed types with records it cannot read back


class RetrievedMemory(ResponseModel):
    id: str
    external_id: str | None
    type: MemoryType
    content: str
    score: float
    confidence: float  # the estimated probability that it is relevant (1 for working memory)
    tokens: int
    occurred_at: str | None = None
    stale: bool = False  # something it depends on changed (`stale_cause`)
    stale_cause: str | None = None
    explain: dict[str, Any] | None = None


class TypeMetadata(ResponseModel):
    share: int
    redistributed: int
    tokens: int
    count: int
    trimmed: int


class RetrieveMetadata(ResponseModel):
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
    top_confidence: float = 0.0  # the highest confidence of any ranked memory, returned or not


class LeftOutReason(StrEnum):
    OVER_BUDGET = "over_budget"  # no room left for its line
    TYPE_SHARE = "type_share"  # its type's share used up while a lower-scored other type's fit
    DUPLICATE = "duplicate"  # repeats a better hit (`duplicate_of`)
    BELOW_FLOOR = "below_floor"  # scored under `min_score`
    SUPERSEDED = "superseded"  # a newer memory replaced it
    EXPIRED = "expired"  # its validity ended
    NOT_YET_VALID = "not_yet_valid"  # its validity begins later


class LeftOutMemory(ResponseModel):
    """A candidate a retrieval found and left out of the context (with `explain`), and why."""

    id: str
    type: MemoryType
    content: str
    score: float
    tokens: int
    reason: LeftOutReason
    detail: str
    duplicate_of: str | None = None
    overlap: float | None = None


class RetrieveResult(ResponseModel):
    """What a retrieval returns: the packed `context` to put in a prompt, the memories in it, and
    the accounts of the budget; with `explain`, what was left out and why."""

    context: str
    memories: list[RetrievedMemory]
    metadata: RetrieveMetadata
    left_out: list[LeftOutMemory] | None = None


class FieldError(ResponseModel):
    field: str
    message: str


class Invalidated(ResponseModel):
    memory: MemoryRecord
    stale: list[str]  # ids of the memories marked stale because they depend on it


class ProblemDetails(ResponseModel):
    """RFC 9457 problem details, as every error response of mnemo carries them."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str
    errors: list[FieldError] | None = None
    request_id: str | None = None
