"""Request and response models of the retrieval and write APIs (pydantic v2): the native requests
that every protocol (the HTTP API, MCP, the other servers' protocols in compat/) is translated into."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    field_validator,
    model_validator,
)

from .agents.bindings import RESOURCE_ID_PATTERN, AgentContext, AgentName
from .agents.resolution import no_scope, without_agent
from .jsontypes import IsoDatetime, JsonBool, JsonFloat, JsonInt, Share
from .limits import MAX_ITEMS_PER_REQUEST
from .models import MODEL_REGISTRY
from .queries import AsOf, Fusion, View
from .records import TASK_ID_PATTERN, MemoryIn, NonBlankStr, Scope
from .types import DEFAULT_RETRIEVAL_TYPES, MemoryType
from .zones import TimeZoneName

MAX_QUERY_CHARS = 8_000
MAX_BUDGET_TOKENS = 200_000
MIN_HALF_LIFE_DAYS = 0.01


@dataclass(frozen=True)
class WriteOptions:
    """What one write asks of the write pipeline (ingest/pipeline.py), beside the items."""

    prefilter: bool = True
    dedup: bool = True
    # Archiving working memory: when the items left their task's live working memory.
    cleared_at: datetime | None = None
    agent: str | None = None  # the agent that writes (MNEMO_CONFIG), recorded in the change history


class SearchMode(StrEnum):
    HYBRID = "hybrid"  # dense and BM25 candidates, fused
    DENSE = "dense"
    SPARSE = "sparse"


class TypeWeights(BaseModel):
    """Overrides of one type's ranking weights (absent fields keep the type's defaults)."""

    model_config = ConfigDict(extra="forbid")

    relevance: float | None = Field(default=None, ge=0.0, le=10.0)
    recency: float | None = Field(default=None, ge=0.0, le=10.0)
    importance: float | None = Field(default=None, ge=0.0, le=10.0)
    # At least a quarter hour: the engines compute a decay from it, and a scale of 1e-300 days is
    # refused by Qdrant (an infinite rate); nothing an agent remembers fades faster than that.
    half_life_days: float | None = Field(default=None, ge=MIN_HALF_LIFE_DAYS, le=36_500.0)


class RankingOptions(BaseModel):
    """How candidates are found and ranked; every field left out takes the service's default."""

    model_config = ConfigDict(extra="forbid")

    search: SearchMode | None = Field(default=None, description="hybrid | dense | sparse")
    fusion: Fusion | None = Field(default=None, description="how hybrid fuses its two lists: rrf | dbsf")
    formula: bool | None = Field(
        default=None, description="false: rank by relevance alone (no recency, importance, time terms)"
    )
    weights: dict[MemoryType, TypeWeights] | None = Field(default=None, description="per-type overrides")
    diversity: float | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="drop a candidate whose words overlap a better one's by at least this (Jaccard); "
        "0 = keep all",
    )
    neighbours: int | None = Field(
        default=None, ge=0, le=5, description="turns offered on each side of a selected episodic turn"
    )
    temporal: bool | None = Field(default=None, description="boost memories from a time the query names")


class AsOfRequest(BaseModel):
    """Read as at another time than now."""

    model_config = ConfigDict(extra="forbid")

    at: IsoDatetime
    view: View = View.TRUE  # the enum's schema describes the two

    def as_of(self) -> AsOf:
        return AsOf(self.at.timestamp(), self.view)


class RetrieveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: NonBlankStr = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    scope: Scope = Field(default_factory=Scope)
    types: list[MemoryType] = Field(
        default_factory=lambda: list(DEFAULT_RETRIEVAL_TYPES),
        min_length=1,
        max_length=len(MemoryType),
        description="memory types to search (default: all but working)",
    )
    budget_tokens: JsonInt | None = Field(default=None, ge=1, le=MAX_BUDGET_TOKENS)
    model: str | None = Field(
        default=None,
        min_length=1,
        max_length=100,
        description="budget a share of this model's context window, counted with its tokenizer: a "
        "built-in model (listed as examples) or one MNEMO_CONFIG registers",
        json_schema_extra={"examples": list[JsonValue](sorted(MODEL_REGISTRY))},
    )
    allocation: dict[str, JsonFloat] | None = Field(default=None, max_length=len(MemoryType))
    explain: JsonBool = False
    min_score: JsonFloat | None = Field(
        default=None,
        ge=-1_000.0,
        le=1_000.0,
        description="a floor: memories scoring below it (in the units of `score`) are left out; "
        "with `explain`, `left_out` lists them",
    )
    now: IsoDatetime | None = None
    timezone: TimeZoneName | None = None
    include_superseded: JsonBool = Field(
        default=False, description="every version: superseded, expired and not yet valid memories too"
    )
    as_of: AsOfRequest | None = Field(
        default=None,
        description="what was true, or what was known, at another time (default: what is current at `now`)",
    )
    task_id: str | None = Field(
        default=None, pattern=TASK_ID_PATTERN, description="put this task's working memory first"
    )
    working_budget_tokens: JsonInt | None = Field(
        default=None, ge=1, le=MAX_BUDGET_TOKENS, description="the working memory's own budget"
    )
    ranking: RankingOptions | None = None
    min_confidence: JsonFloat | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description="pack only ranked memories at least this likely to be relevant (their `confidence`): "
        "none when nothing is; the task's working memory is kept. `metadata.top_confidence` says how "
        "close the best came. Omitted: the service's default floor "
        "(MNEMO_RETRIEVAL__DEFAULT_MIN_CONFIDENCE); 0 fills the budget whatever the confidence",
    )
    # Agent bindings (MNEMO_CONFIG): the agent's memory resources, keyed by `context`, replace `scope`.
    agent: AgentName | None = Field(default=None, description="read the memories this agent binds")
    context: AgentContext | None = Field(default=None, description="variables of the agent's memory keys")
    mask_sensitive: JsonBool = Field(
        default=False,
        description="secrets and personal data (e-mail addresses, card numbers, keys, …) replaced by "
        "typed placeholders (`[CARD]`) in the context and every memory returned; stored as they are",
    )

    @field_validator("types")
    @classmethod
    def _unique(cls, value: list[MemoryType]) -> list[MemoryType]:
        if len(set(value)) != len(value):
            raise ValueError("types must not repeat")
        return value

    @model_validator(mode="after")
    def _agent_or_scope(self) -> RetrieveRequest:
        # An InvalidInput, not a ValueError: it is answered as the 422 naming `context` or `scope`
        # that the rule is, not as a schema mismatch of the whole body.
        if self.agent is None:
            without_agent(self.context)
        else:
            no_scope(self.scope, "scope")
        return self


class RetrievedMemory(BaseModel):
    id: str
    external_id: str | None
    type: MemoryType
    content: str
    score: float
    confidence: Share = Field(
        description="the estimated probability that this memory is relevant to the query (calibrated on "
        "judged questions); 1 for the task's working memory, which is kept whole, not ranked",
    )
    tokens: int
    occurred_at: str | None = None
    stale: bool = Field(default=False, description="something it depends on changed (`stale_cause`)")
    stale_cause: str | None = None
    explain: dict[str, Any] | None = None


class LeftOutReason(StrEnum):
    """Why a candidate found for the query is not in the context."""

    OVER_BUDGET = "over_budget"  # no room left: what was packed scores higher or is of its own type
    TYPE_SHARE = "type_share"  # its type's share was used up while a lower-scored other type's fit
    DUPLICATE = "duplicate"  # its words repeat a better hit's (`duplicate_of`): merged into it
    BELOW_FLOOR = "below_floor"  # scored under the request's `min_score`
    SUPERSEDED = "superseded"  # a newer memory replaced it
    EXPIRED = "expired"  # its validity ended (`valid_until`, an invalidation)
    NOT_YET_VALID = "not_yet_valid"  # its validity begins after `now`


class LeftOutMemory(BaseModel):
    id: str
    type: MemoryType
    content: str
    score: float
    tokens: int = Field(description="what its line would have cost")
    reason: LeftOutReason
    detail: str = Field(description="the reason in words, with the numbers behind it")
    duplicate_of: str | None = Field(default=None, description="the better hit it repeats")
    overlap: float | None = Field(default=None, description="its word overlap (Jaccard) with that hit")


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
    exact: bool = Field(default=True, description="false: the model's tokens are estimated (with a margin)")
    per_type: dict[str, TypeMetadata]
    trimmed_count: int
    degraded: list[str] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)
    top_confidence: Share = Field(
        default=0.0,
        description="the highest confidence of any ranked memory, returned or not (0: nothing was "
        "found); low when the memory may hold nothing that answers the query",
    )


class RetrieveResponse(BaseModel):
    context: str
    memories: list[RetrievedMemory]
    metadata: RetrieveMetadata
    left_out: list[LeftOutMemory] | None = Field(
        default=None,
        description="with `explain`: the best-scored candidates (at most 100) not in the context, and why",
    )


class WriteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")  # an unknown field is refused, as in every nested model

    memories: list[MemoryIn] = Field(
        min_length=1,
        max_length=MAX_ITEMS_PER_REQUEST,
        description="at most the service's `MNEMO_MAX_ITEMS_PER_REQUEST` (1,000 unless its operator "
        f"set another, {MAX_ITEMS_PER_REQUEST:,} at most); more is a 422 naming `memories`",
    )
    prefilter: JsonBool = Field(
        default=True, description="drop too-short, filler and exact-duplicate memories"
    )
    dedup: JsonBool = Field(
        default=True, description="merge near-duplicates: the newest supersedes the older"
    )
    # Agent bindings (MNEMO_CONFIG): write into the agent's memory resources instead of a scope.
    agent: AgentName | None = Field(default=None, description="write as this agent")
    context: AgentContext | None = Field(default=None, description="variables of the agent's memory keys")
    memory: str | None = Field(
        default=None,
        pattern=RESOURCE_ID_PATTERN,
        description="the resource to write to, when several hold a type",
    )
