"""Request and response models of the retrieval API (pydantic v2)."""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from memtypes.records import NonBlankStr, Scope
from memtypes.types import MemoryType
from memtypes.working import TASK_ID_PATTERN

MAX_QUERY_CHARS = 8_000
MAX_BUDGET_TOKENS = 200_000


class RetrieveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: NonBlankStr = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    scope: Scope = Field(default_factory=Scope)
    types: list[MemoryType] | None = Field(default=None, min_length=1, max_length=len(MemoryType))
    budget_tokens: int | None = Field(default=None, ge=1, le=MAX_BUDGET_TOKENS)
    model: str | None = Field(default=None, min_length=1, max_length=100)
    allocation: dict[str, float] | None = Field(default=None, max_length=len(MemoryType))
    explain: bool = False
    now: AwareDatetime | None = None
    include_superseded: bool = False
    task_id: str | None = Field(
        default=None, pattern=TASK_ID_PATTERN, description="put this task's working memory first"
    )
    working_budget_tokens: int | None = Field(
        default=None, ge=1, le=MAX_BUDGET_TOKENS, description="the working memory's own budget"
    )

    @field_validator("types")
    @classmethod
    def _unique(cls, value: list[MemoryType] | None) -> list[MemoryType] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("types must not repeat")
        return value


class RetrievedMemory(BaseModel):
    id: str
    external_id: str | None
    type: MemoryType
    content: str
    score: float
    tokens: int
    occurred_at: str | None = None
    explain: dict[str, Any] | None = None


class TypeMetadata(BaseModel):
    share: int
    redistributed: int
    tokens: int
    count: int
    trimmed: int


class RetrieveMetadata(BaseModel):
    total_tokens: int
    budget: int
    working_budget: int = Field(default=0, description="on top of `budget`, for the task's working memory")
    utilization: float
    encoding: str
    per_type: dict[str, TypeMetadata]
    trimmed_count: int
    degraded: list[str] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)


class RetrieveResponse(BaseModel):
    context: str
    memories: list[RetrievedMemory]
    metadata: RetrieveMetadata
