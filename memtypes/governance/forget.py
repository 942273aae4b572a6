"""Per-subject forget: what a caller asks to remove, and the receipt it gets back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)

from ..jsontypes import JsonBool
from ..records import SCOPE_FIELDS, SCOPE_ID_PATTERN, Scope
from .forget_query import ForgetQuery
from .history import receipt_digest, receipt_time

MAX_FORGET_IDS = 10_000


def _top_level(field: str) -> Any:
    """A scope field at the top of the body: the first release's shape, still accepted (deprecated)."""
    return Field(
        default=None,
        pattern=SCOPE_ID_PATTERN,
        max_length=256,
        description=f"deprecated: give `scope.{field}`",
        json_schema_extra={"deprecated": True},
    )


class ForgetRequest(BaseModel):
    """Either a scope (every memory, working-memory task and thread whose scope has all the given
    fields, exactly) or a list of memory ids; always within the caller's tenant.

    The scope's fields may still come at the top of the body, as the first release took them (for one
    more release; the route answers them with a `Deprecation` header): they become `scope`.
    """

    model_config = ConfigDict(extra="forbid")

    scope: Scope | None = Field(
        default=None, description="whose: every memory, task and thread whose scope has all these fields"
    )
    # Declared before `ids`, whose check reads them.
    user_id: str | None = _top_level("user_id")
    agent_id: str | None = _top_level("agent_id")
    thread_id: str | None = _top_level("thread_id")
    namespace: str | None = _top_level("namespace")
    ids: list[UUID] | None = Field(default=None, min_length=1, max_length=MAX_FORGET_IDS)
    dry_run: JsonBool = Field(default=False, description="report what would be removed, remove nothing")
    wait_for_erasure: JsonBool = Field(
        default=False,
        description="answer only once the removed text is erased from the data dir's files too (a "
        "rebuild of each affected type: seconds, about a minute at 100k memories); otherwise the "
        "erasure is scheduled and the receipt says by when (`erase_by`)",
    )

    _top_level_scope: bool = PrivateAttr(default=False)

    @field_validator(*SCOPE_FIELDS)
    @classmethod
    def _one_shape_of_scope(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and info.data.get("scope") is not None:
            raise ValueError("give `scope` or the top-level scope fields (deprecated), not both")
        return value

    @field_validator("ids")
    @classmethod
    def _ids_without_a_scope(cls, value: list[UUID] | None, info: ValidationInfo) -> list[UUID] | None:
        scope = info.data.get("scope") or Scope()
        if value is not None and (scope.items() or any(info.data.get(f) for f in SCOPE_FIELDS)):
            raise ValueError("give a scope or ids, not both")
        return value

    @model_validator(mode="after")
    def _scope_or_ids(self) -> ForgetRequest:
        top_level = {field: getattr(self, field) for field in SCOPE_FIELDS}
        if any(value is not None for value in top_level.values()):
            # From here on the request has the one shape: `scope`.
            self.scope = Scope(**top_level)
            self.user_id = self.agent_id = self.thread_id = self.namespace = None
            self._top_level_scope = True
        if self.ids is None and (self.scope is None or not self.scope.items()):
            raise ValueError('give a scope ({"scope": {"user_id": …}}) or ids')
        return self

    @property
    def top_level_scope(self) -> bool:
        """Whether the scope came in the deprecated shape, its fields at the top of the body."""
        return self._top_level_scope


class ForgetReceipt(BaseModel):
    tenant: str
    at: datetime = Field(
        description="when the removal happened, UTC with microseconds and `Z`; part of the digest as printed"
    )
    dry_run: bool
    scope: Scope | None = Field(description="the scope forgotten; null when ids were given")
    selected_by: ForgetQuery | None = Field(
        default=None,
        description="the query and filters the memories were selected by, when a preview was confirmed "
        "(`POST /v1/forget/previewed`); signed with the rest",
    )
    counts: dict[str, int] = Field(description="memories per type, plus `working_tasks` and `threads`")
    removed: int = Field(description="everything removed (0: nothing matched, a no-op)")
    memory_ids: list[str] = Field(description="sorted")
    derived_ids: list[str] = Field(
        default_factory=list,
        description="those of `memory_ids` removed because they depend on a removed memory "
        "(`depends_on`, transitively), sorted",
    )
    task_ids: list[str] = Field(description="working-memory tasks removed, sorted")
    thread_ids: list[str] = Field(description="threads removed, sorted")
    digest: str = Field(
        description="sha256 hex of the lines: tenant, `at` exactly as printed here, then every removed "
        "id sorted (memory ids as they are, tasks as `task:<id>`, threads as `thread:<id>`)"
    )
    erased: bool | None = Field(
        default=None,
        description="true: by the time this receipt was sent, no file of the data dir holds what was "
        "removed (the affected Qdrant Edge shards rebuilt without it, the embedded Redis's append-only "
        "file and snapshot rewritten; only with `wait_for_erasure`); false: the erasure is scheduled "
        "(`erase_by`), a store's files are not mnemo's own (a Qdrant server, an external Redis) or it "
        "failed (logged, retried; `erasure` says which); null: a dry run or nothing removed",
    )
    erasure: dict[str, str] = Field(
        default_factory=dict,
        description="per store (`qdrant`, `redis`): `scheduled`, `erased`, `not_ours` (its files are "
        "outside the data dir), `unsupported` (qdrant-client's local mode) or `failed` (retried)",
    )
    erase_by: datetime | None = Field(
        default=None,
        description="when an erasure was scheduled: by this time (UTC, `Z`) no file of the data dir holds "
        "what was removed (`GET /v1/forget/{digest}` says when it was done); not part of the digest",
    )
    signature: dict[str, str] | None = Field(
        default=None,
        description="the service's Ed25519 signature over every other field of this receipt as printed "
        "(canonical JSON: keys sorted, no spaces, after the line `mnemo-forget-receipt/1`): "
        "`algorithm`, `key_id`, `public_key` (base64, as `GET /v1/forget/keys` publishes it) and "
        "`value` (base64); `mnemo forget --verify` checks it. Null only on receipts of earlier releases",
    )

    @field_serializer("at")
    def _printed_at(self, at: datetime) -> str:
        return receipt_time(at)

    @field_serializer("erase_by")
    def _printed_erase_by(self, erase_by: datetime | None) -> str | None:
        return None if erase_by is None else receipt_time(erase_by)


class ErasureStatus(BaseModel):
    """Where a forget's erasure stands, by its receipt's digest."""

    digest: str
    state: str = Field(description="`scheduled` (pending or being retried) or `erased`")
    erase_by: str | None = Field(default=None, description="the receipt's promise, while scheduled")
    failures: int = Field(default=0, description="failed runs so far, while scheduled (each retried)")
    erased_at: str | None = Field(default=None, description="when its run finished, once erased")
    erasure: dict[str, str] = Field(default_factory=dict, description="per store, once erased")


def removed_ids(memory_ids: Sequence[str], task_ids: Sequence[str], thread_ids: Sequence[str]) -> list[str]:
    """The ids a receipt's digest covers, labelled: memory ids as they are, `task:<id>`, `thread:<id>`."""
    return [*memory_ids, *(f"task:{t}" for t in task_ids), *(f"thread:{t}" for t in thread_ids)]


def printed_receipt_digest(receipt: Mapping[str, Any]) -> str:
    """The digest recomputed from a receipt's fields as printed (its JSON): what `digest` must be."""
    ids = removed_ids(receipt["memory_ids"], receipt["task_ids"], receipt["thread_ids"])
    return receipt_digest(str(receipt["tenant"]), str(receipt["at"]), ids)


LEDGER_FILE = "erasure-ledger.jsonl"
# Held (flock) by whoever appends to or rewrites the ledger: a rewrite must not drop a line appended
# meanwhile by another worker of the same data dir.
LEDGER_LOCK = ".erasure-ledger.lock"


class LedgerEntry(BaseModel):
    """One forget in the erasure ledger (`<data dir>/erasure-ledger.jsonl`, and a copy in every
    backup): content-free, what a restore needs to forget the subject again in an older backup."""

    tenant: str
    at: str = Field(description="the receipt's `at`, as printed")
    digest: str = Field(description="the receipt's digest")
    scope: Scope | None = Field(description="the scope forgotten; null when ids were given")
    memories: dict[str, list[str]] = Field(description="the memory ids removed, per type")
    task_ids: list[str]
    thread_ids: list[str]
