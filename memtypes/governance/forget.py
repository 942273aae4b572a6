"""Per-subject forget: what a caller asks to remove, and the receipt it gets back."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..jsontypes import JsonBool
from ..records import SCOPE_ID_PATTERN, Scope

MAX_FORGET_IDS = 10_000


class ForgetRequest(BaseModel):
    """Either a scope (every memory, working-memory task and thread whose scope has all the given
    fields, exactly) or a list of memory ids; always within the caller's tenant."""

    model_config = ConfigDict(extra="forbid")

    user_id: str | None = Field(default=None, pattern=SCOPE_ID_PATTERN, max_length=256)
    agent_id: str | None = Field(default=None, pattern=SCOPE_ID_PATTERN, max_length=256)
    thread_id: str | None = Field(default=None, pattern=SCOPE_ID_PATTERN, max_length=256)
    namespace: str | None = Field(default=None, pattern=SCOPE_ID_PATTERN, max_length=256)
    ids: list[UUID] | None = Field(default=None, min_length=1, max_length=MAX_FORGET_IDS)
    dry_run: JsonBool = Field(default=False, description="report what would be removed, remove nothing")

    @model_validator(mode="after")
    def _scope_or_ids(self) -> ForgetRequest:
        has_scope = bool(self.scope.items())
        if has_scope == (self.ids is not None):
            raise ValueError("give a scope (user_id, agent_id, thread_id, namespace) or ids, not both")
        return self

    @property
    def scope(self) -> Scope:
        return Scope(
            user_id=self.user_id, agent_id=self.agent_id, thread_id=self.thread_id, namespace=self.namespace
        )


class ForgetReceipt(BaseModel):
    tenant: str
    at: datetime = Field(description="when the removal happened (part of the digest)")
    dry_run: bool
    scope: Scope | None = Field(description="the scope forgotten; null when ids were given")
    counts: dict[str, int] = Field(description="memories per type, plus `working_tasks` and `threads`")
    removed: int = Field(description="everything removed (0: nothing matched, a no-op)")
    memory_ids: list[str] = Field(description="sorted")
    task_ids: list[str] = Field(description="working-memory tasks removed, sorted")
    thread_ids: list[str] = Field(description="threads removed, sorted")
    digest: str = Field(
        description="sha256 hex of the lines: tenant, `at` (ISO 8601), then every removed id sorted "
        "(memory ids as they are, tasks as `task:<id>`, threads as `thread:<id>`)"
    )
