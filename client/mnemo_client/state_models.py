"""The models of working memory, conversation threads and governance (forget, change history), as
the client sees them; `models.py` holds the memories, retrieval and errors, and the same drift test
covers both (`schemas.py`)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from mnemo_client.models import (
    MemoryRecord,
    MemoryType,
    RequestModel,
    ResponseModel,
    Role,
    Scope,
    SensitiveKind,
)


class DueItem(ResponseModel):
    memory: MemoryRecord
    overdue: bool


class DueList(ResponseModel):
    now: datetime
    due: list[DueItem]


class WorkingItem(ResponseModel):
    id: str
    seq: int
    content: str
    priority: int
    tokens: int
    line_tokens: dict[str, int]
    created_at: datetime
    metadata: dict[str, Any] = Field(default_factory=dict)


class WorkingView(ResponseModel):
    task_id: str
    items: list[WorkingItem]
    total_tokens: int
    max_tokens: int
    expires_at: datetime | None


class Replication(ResponseModel):
    """How many Redis replicas acknowledged a working-memory write, when the server asks for it
    (MNEMO_WORKING__ACK_REPLICAS). `acknowledged < asked`: the write is done, but a Redis failover
    before the replicas catch up can lose it. Resending would store it twice."""

    asked: int
    acknowledged: int


class AppendResult(ResponseModel):
    item: WorkingItem
    evicted: list[WorkingItem]
    total_tokens: int
    max_tokens: int
    expires_at: datetime
    replication: Replication | None = None


class ClearResult(ResponseModel):
    task_id: str
    archived: int
    replication: Replication | None = None


class Thread(ResponseModel):
    id: str
    parent_thread_id: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime
    ttl_s: float
    scope: Scope = Field(default_factory=Scope)


class Turn(ResponseModel):
    id: str
    thread_id: str
    seq: int
    role: Role
    content: str
    files: list[str] = Field(default_factory=list)
    created_at: datetime
    line_tokens: dict[str, int]


class HistoryFile(ResponseModel):
    path: str
    thread_id: str
    seq: int


class HistoryMetadata(ResponseModel):
    total_tokens: int
    budget: int
    encoding: str
    turns: int
    trimmed_count: int
    chain: list[str]
    cycle_detected: bool
    depth_limited: bool


class ThreadHistory(ResponseModel):
    thread_id: str
    context: str
    turns: list[Turn]
    files: list[HistoryFile]
    metadata: HistoryMetadata


class ForgetRequest(RequestModel):
    """A scope (every memory, working-memory task and thread whose scope has all the given fields) or
    a list of memory ids, not both. (The server still takes the scope's fields at the top of the body,
    deprecated; this model sends `scope`.)"""

    scope: Scope | None = None
    ids: list[str] | None = None
    dry_run: bool = False
    wait_for_erasure: bool = False


class ForgetQuery(RequestModel):
    """What a forget by query selects: memories about `query`, or holding `sensitive` kinds, or
    both; within `scope`, `types` and a time window. `min_confidence`: the cut-off (default 0.5)."""

    query: str | None = None
    sensitive: list[SensitiveKind] | None = None
    scope: Scope = Field(default_factory=Scope)
    types: list[MemoryType] | None = None
    occurred_after: datetime | None = None
    occurred_before: datetime | None = None
    min_confidence: float | None = None


class ForgetPreviewRequest(ForgetQuery):
    limit: int = 100
    near_misses: int = 5
    mask_sensitive: bool = False


class PreviewedMemory(ResponseModel):
    id: str
    type: MemoryType
    content: str
    scope: Scope
    occurred_at: datetime
    confidence: float | None  # how likely it is about the query; None without one
    why: str


class ForgetPreview(ResponseModel):
    """What `forget_previewed(preview_token)` would remove (`matches`), and what stays though it
    nearly matched (`near_misses`); the token expires at `expires_at` (None: nothing matched)."""

    selected_by: ForgetQuery
    matches: list[PreviewedMemory]
    near_misses: list[PreviewedMemory]
    truncated: bool
    preview_token: str | None
    expires_at: datetime | None


class ForgetPreviewedRequest(RequestModel):
    preview_token: str
    ids: list[str] | None = None
    wait_for_erasure: bool = False


class ForgetReceipt(ResponseModel):
    """What a forget removed (or, with `dry_run`, would remove); `digest` is sha256 over the tenant,
    `at` as printed and the sorted removed ids, for proving later what was removed (`mnemo forget
    --verify`); `erased`: whether the removed text is gone from every file of the data dir too
    (with `wait_for_erasure`), `erasure` per store (`scheduled`, `erased`, `not_ours`, `unsupported`,
    `failed`), `erase_by`: when a scheduled erasure is promised by (`Mnemo.erasure(digest)`);
    `signature`: the service's Ed25519 signature over every other field as the server printed them
    (keep the raw JSON to verify it: a re-serialized model prints times differently)."""

    tenant: str
    at: datetime
    dry_run: bool
    scope: Scope | None
    counts: dict[str, int]
    removed: int
    memory_ids: list[str]
    derived_ids: list[str] = Field(default_factory=list)  # removed as derived from a removed memory
    task_ids: list[str]
    thread_ids: list[str]
    digest: str
    erased: bool | None = None
    erasure: dict[str, str] = Field(default_factory=dict)
    erase_by: datetime | None = None
    selected_by: ForgetQuery | None = None  # the query a confirmed preview selected by (signed too)
    signature: dict[str, str] | None = None


class SigningKey(ResponseModel):
    """A public key the service signs receipts and backup manifests with (`mnemo forget --verify
    --public-key`)."""

    algorithm: str
    key_id: str
    public_key: str


class SigningKeys(ResponseModel):
    keys: list[SigningKey]


class ErasureStatus(ResponseModel):
    """Where a forget's erasure from the data dir's files stands: `scheduled` or `erased`."""

    digest: str
    state: str
    erase_by: str | None = None
    failures: int = 0
    erased_at: str | None = None
    erasure: dict[str, str] = Field(default_factory=dict)


class HistoryAction(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    SUPERSEDED = "superseded"
    RESTORED = "restored"
    INVALIDATED = "invalidated"
    CONFIRMED = "confirmed"
    DELETED = "deleted"
    FORGOTTEN = "forgotten"


class HistoryEntry(ResponseModel):
    at: datetime
    action: HistoryAction
    tenant: str
    agent: str | None = None
    changed: list[str] = Field(default_factory=list)
    reason: str | None = None
    receipt: str | None = None


class MemoryHistory(ResponseModel):
    """A memory's change history, oldest first; never its content."""

    memory_id: str
    entries: list[HistoryEntry]
    dropped: int = 0
