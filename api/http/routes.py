"""HTTP routes: memories (write, read, list, delete, the lifecycle actions on one), retrieval, health;
and the parameters the read routes share (`as_of`, what a current read leaves out; the scope is the
`query_scope` dependency, providers.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from litestar import Response, delete, get, post
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from pydantic import BaseModel, Field

from ...ingest.access import AccessLog
from ...ingest.history import ChangeHistory, entry
from ...ingest.lifecycle import Lifecycle
from ...ingest.versions.dependents import mark_stale
from ...ingest.writes import MemoryWrites
from ...memtypes.agents.resolution import Bindings
from ...memtypes.errors import FieldProblem, InvalidInput
from ...memtypes.governance.history import HistoryAction
from ...memtypes.limits import bounded_instant
from ...memtypes.ports import Availability, VectorIndex
from ...memtypes.privacy.policy import RECORD_TEXT_FIELDS, masked
from ...memtypes.queries import MemoryFilter, Outdated, View, current_at
from ...memtypes.records import MemoryRecord, Scope, utcnow
from ...memtypes.requests import AsOfRequest, RetrieveRequest, RetrieveResponse, WriteRequest
from ...memtypes.types import MemoryType
from ...retrieval.catalog import Catalog
from ...retrieval.pipeline import Retriever
from ...retrieval.store_rank import RankRequest, RankResults, rank_by_similarity
from ..config.settings import Settings
from ..guards.resilience import readiness
from .agent_requests import retrieval_as_agent
from .problems import AGENT_PROBLEMS, COMMON_PROBLEMS, CONFLICT, NOT_FOUND, NOT_SUPERSEDED
from .services import Services

WITH_ID = {**COMMON_PROBLEMS, **NOT_FOUND}
WITH_TYPE_RULE = {**WITH_ID, **CONFLICT}

MaskParam = Annotated[
    bool,
    QueryParameter(
        description="secrets and personal data replaced by typed placeholders (`[CARD]`) in what is "
        "returned; the stored memory keeps them"
    ),
]
AsOfParam = Annotated[
    str | None,
    QueryParameter(
        format="date-time",
        max_length=64,
        description="read as at this time (ISO 8601 with a time zone) instead of now; `as_of_view` says how",
    ),
]
AsOfViewParam = Annotated[
    View,
    QueryParameter(
        description="with `as_of`: `true` (what held in the world then, as known now) or `known` (what "
        "mnemo held current then: written by then, not yet superseded or invalidated)"
    ),
]
# The parameters of the routes that list memories: the type filter, and the page's size and cursor.
TypeParam = Annotated[MemoryType | None, QueryParameter(name="type")]
PageLimit = Annotated[int, QueryParameter(ge=1, le=500)]
CursorParam = Annotated[str | None, QueryParameter(max_length=512)]


def as_shown(records: list[MemoryRecord], mask_sensitive: bool) -> list[MemoryRecord]:
    """Records as a read returns them: secrets and personal data masked when the caller asks."""
    return [masked(r, *RECORD_TEXT_FIELDS) for r in records] if mask_sensitive else records


def as_of_of(raw: str | None, view: View) -> AsOfRequest | None:
    return None if raw is None else AsOfRequest(at=instant(raw, "as_of"), view=view)


def read_at(flt: MemoryFilter, when: AsOfRequest | None) -> MemoryFilter:
    """`flt` read as at `when` (None: as it is now)."""
    return flt if when is None else replace(flt, as_of=when.as_of())


def current_filter(flt: MemoryFilter) -> MemoryFilter:
    """The filter of a read judged now."""
    return replace(flt, now=current_at(utcnow()))


async def outdated_counts(
    index: VectorIndex, flt: MemoryFilter, types: list[MemoryType]
) -> dict[str, int] | None:
    """How many memories a current read with `flt` leaves out, by reason (None: the read is not a
    current one, so it leaves nothing out for being outdated)."""
    if flt.as_of is not None or flt.include_superseded or flt.now is None:
        return None
    reasons = list(Outdated)
    counts = await asyncio.gather(*(index.count(t, replace(flt, outdated=r)) for r in reasons for t in types))
    per_reason = [sum(counts[k * len(types) : (k + 1) * len(types)]) for k in range(len(reasons))]
    return {r.value: n for r, n in zip(reasons, per_reason, strict=True)}


class WriteResultOut(BaseModel):
    id: str | None
    external_id: str | None
    status: str
    reason: str | None = None
    importance: float | None = None
    importance_tier: str | None = Field(default=None, description="caller | consensus | single | heuristic")
    similarity: float | None = Field(default=None, description="merged near-duplicate: cosine similarity")


class WriteResponse(BaseModel):
    results: list[WriteResultOut]


class MemoryPage(BaseModel):
    memories: list[MemoryRecord]
    next_cursor: str | None
    left_out: dict[str, int] | None = Field(
        default=None,
        description="a current listing's first page: how many memories of the listing are left out, by "
        "reason (`superseded`, `expired`, `not_yet_valid`); `include_superseded` or `as_of` shows them",
    )
    degraded: list[str] = Field(
        default_factory=list,
        description="the listed types whose store has records it cannot read back (`/ready` names "
        "them): their pages hold only what can be read",
    )


def instant(raw: str, field: str) -> datetime:
    """An ISO 8601 date-time with a time zone, strictly: no epoch numbers, no naive times."""
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidInput(
            f"{field} must be an ISO 8601 date-time with a time zone",
            problems=[FieldProblem(field, "not an ISO 8601 date-time with a time zone")],
        )
    try:
        return bounded_instant(moment)  # years 1900..2200: far ones overflow UTC conversion
    except ValueError as exc:
        raise InvalidInput(f"{field} {exc}", problems=[FieldProblem(field, str(exc))]) from None


@post("/v1/memories", status_code=201, summary="Write memories (idempotent by id)", responses=AGENT_PROBLEMS)
async def write_memories(
    data: JSONBody[WriteRequest], writes: NamedDependency[MemoryWrites], tenant: NamedDependency[str]
) -> WriteResponse:
    results = await writes.write(tenant, data)
    return WriteResponse(results=[WriteResultOut.model_validate(r, from_attributes=True) for r in results])


@get("/v1/memories/{memory_id:uuid}", summary="Read one memory", responses=WITH_ID)
async def get_memory(
    memory_id: FromPath[UUID],
    catalog: NamedDependency[Catalog],
    tenant: NamedDependency[str],
    mask_sensitive: MaskParam = False,
) -> MemoryRecord:
    record = await catalog.find(tenant, str(memory_id))
    return masked(record, *RECORD_TEXT_FIELDS) if mask_sensitive else record


@delete(
    "/v1/memories/{memory_id:uuid}",
    status_code=204,
    summary="Delete one memory (a delete, not a forget)",
    description="The memory is gone from every read, but its text stays in the store's files until "
    "they are next rewritten, and no receipt is given. To erase it for good, with a signed receipt, "
    "use `POST /v1/forget` with `ids`.",
    responses=WITH_ID,
)
async def delete_memory(
    memory_id: FromPath[UUID],
    catalog: NamedDependency[Catalog],
    changes: NamedDependency[ChangeHistory],
    tenant: NamedDependency[str],
) -> None:
    record = await catalog.delete(tenant, str(memory_id))
    deleted = entry(tenant, HistoryAction.DELETED)
    await changes.record(tenant, [(record.id, deleted)])
    await mark_stale(catalog.index, tenant, {record.id: "deleted"})


@get("/v1/memories", summary="List memories, newest pages by cursor", responses=COMMON_PROBLEMS)
async def list_memories(
    *,  # keyword-only: the scope stands among defaulted parameters, in the order the schema lists
    catalog: NamedDependency[Catalog],
    tenant: NamedDependency[str],
    memory_type: TypeParam = None,
    query_scope: NamedDependency[Scope],
    include_superseded: FromQuery[bool] = False,
    as_of: AsOfParam = None,
    as_of_view: AsOfViewParam = View.TRUE,
    limit: PageLimit = 50,
    cursor: CursorParam = None,
    mask_sensitive: MaskParam = False,
) -> MemoryPage:
    flt = MemoryFilter(tenant=tenant, scope=query_scope, include_superseded=include_superseded)
    flt = current_filter(read_at(flt, as_of_of(as_of, as_of_view)))
    page = await catalog.page(flt, memory_type, limit, cursor)
    records = as_shown(page.records, mask_sensitive)
    types = [memory_type] if memory_type else list(MemoryType)
    left_out = await outdated_counts(catalog.index, flt, types) if cursor is None else None
    health = await catalog.index.health()
    listed = {t.value for t in types}
    degraded = sorted(t for t, a in health.types.items() if t in listed and a.state is Availability.DEGRADED)
    return MemoryPage(memories=records, next_cursor=page.next_cursor, left_out=left_out, degraded=degraded)


@post(
    "/v1/memories/rank",
    status_code=200,
    summary="Given memories ranked by similarity to a query, `limit` after `offset`",
    description="Every named memory of the tenant is scored and none dropped: no budget, no confidence "
    "floor, no near-copies removed, no recency or importance, nothing counted as an access. For "
    "stores that choose their items themselves (a LangGraph store's search).",
    responses=COMMON_PROBLEMS,
)
async def rank_memories(
    data: JSONBody[RankRequest], retriever: NamedDependency[Retriever], tenant: NamedDependency[str]
) -> RankResults:
    return await rank_by_similarity(retriever, tenant, data)


@post(
    "/v1/retrieve",
    status_code=200,
    summary="Ranked memories for a query, packed into a token budget",
    responses=COMMON_PROBLEMS,
)
async def retrieve(
    data: JSONBody[RetrieveRequest],
    settings: NamedDependency[Settings],
    retriever: NamedDependency[Retriever],
    access_log: NamedDependency[AccessLog],
    tenant: NamedDependency[str],
    bindings: NamedDependency[Bindings],
) -> RetrieveResponse:
    data, namespaces = retrieval_as_agent(bindings, tenant, data, settings.retrieval.default_budget_tokens)
    result = await retriever.retrieve(tenant, data, namespaces)
    # Noted in memory only; written by the periodic flush, never on this path.
    access_log.note_retrieval(tenant, result, live_working=data.task_id is not None)
    return _masked_retrieval(result) if data.mask_sensitive else result


def _masked_retrieval(response: RetrieveResponse) -> RetrieveResponse:
    """The context, each memory and each left-out candidate masked."""
    left_out = None if response.left_out is None else [masked(m, "content") for m in response.left_out]
    update = {"memories": [masked(m, "content") for m in response.memories], "left_out": left_out}
    return masked(response, "context").model_copy(update=update)


LifecycleChange = Callable[[Lifecycle, MemoryRecord], Awaitable[MemoryRecord]]


def lifecycle_route(
    action: str, summary: str, responses: dict[int, ResponseSpec], change: LifecycleChange
) -> HTTPRouteHandler:
    """`POST /v1/memories/{id}/<action>`: no body; the memory found in the caller's tenant, changed
    by `change`, answered as it now is. The handler is named `<action>_memory` (its operation id)."""

    async def handler(
        memory_id: FromPath[UUID],
        lifecycle: NamedDependency[Lifecycle],
        catalog: NamedDependency[Catalog],
        tenant: NamedDependency[str],
    ) -> MemoryRecord:
        return await change(lifecycle, await catalog.find(tenant, str(memory_id)))

    handler.__name__ = handler.__qualname__ = "mark_used" if action == "used" else f"{action}_memory"
    path = f"/v1/memories/{{memory_id:uuid}}/{action}"
    return post(path, status_code=200, summary=summary, responses=responses)(handler)


# The lifecycle actions on one memory (ingest/lifecycle.py), each a route of its own.
complete_memory = lifecycle_route(
    "complete", "Mark a prospective memory done", WITH_TYPE_RULE, lambda lc, r: lc.set_status(r, "done")
)
cancel_memory = lifecycle_route(
    "cancel", "Cancel a prospective memory", WITH_TYPE_RULE, lambda lc, r: lc.set_status(r, "cancelled")
)
mark_used = lifecycle_route("used", "Count a use of a procedure", WITH_TYPE_RULE, Lifecycle.mark_used)
restore_memory = lifecycle_route(
    "restore",
    "Undo a merge: a superseded memory becomes current again",
    {**WITH_ID, **NOT_SUPERSEDED},
    Lifecycle.restore,
)
confirm_memory = lifecycle_route(
    "confirm", "A stale memory reviewed and still true: stale no more", WITH_TYPE_RULE, Lifecycle.confirm
)


class DueItem(BaseModel):
    memory: MemoryRecord
    overdue: bool


class DueList(BaseModel):
    now: datetime
    due: list[DueItem]


@get("/v1/prospective/due", summary="Pending intentions that are due or overdue", responses=COMMON_PROBLEMS)
async def due_memories(
    *,  # keyword-only: the scope stands among defaulted parameters, in the order the schema lists
    catalog: NamedDependency[Catalog],
    tenant: NamedDependency[str],
    now: Annotated[str | None, QueryParameter(format="date-time", max_length=64)] = None,
    within_minutes: Annotated[int, QueryParameter(ge=0, le=525_600)] = 0,
    query_scope_without_namespace: NamedDependency[Scope],
    as_of: AsOfParam = None,
    as_of_view: AsOfViewParam = View.TRUE,
    limit: PageLimit = 100,
) -> DueList:
    moment = instant(now, "now") if now is not None else utcnow()
    flt = MemoryFilter(tenant=tenant, scope=query_scope_without_namespace)
    flt = read_at(flt, as_of_of(as_of, as_of_view))  # pending then: done or cancelled only later
    records = await catalog.due(flt, moment.timestamp(), within_minutes * 60.0, limit)
    due = [DueItem(memory=r, overdue=r.due_at is not None and r.due_at < moment) for r in records]
    return DueList(now=moment, due=due)


@get("/health", summary="Liveness")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@get("/ready", summary="Readiness of every dependency")
async def ready(services: NamedDependency[Services | None]) -> Response[dict[str, Any]]:
    # Per-dependency status (vectors, redis, embedder) and the rules: api/guards/resilience.py.
    status_code, body = await readiness(services)
    return Response(body, status_code=status_code)
