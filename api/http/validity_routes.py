"""HTTP routes of time and truth: ending a memory's validity, the review feed of stale memories, and
what current listings leave out (`as_of` and `left_out` of `GET /v1/memories` and the search)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from pydantic import BaseModel, ConfigDict, Field

from ...ingest.lifecycle import Lifecycle
from ...memtypes.jsontypes import IsoDatetime
from ...memtypes.queries import MemoryFilter
from ...memtypes.records import MemoryRecord, NonBlankStr
from ...memtypes.types import MemoryType
from ...retrieval.catalog import Catalog
from .problems import COMMON_PROBLEMS, CONFLICT, NOT_FOUND
from .read_params import ScopeIdParam, current_filter, scope_of
from .routes import MemoryPage

WITH_ID = {**COMMON_PROBLEMS, **NOT_FOUND}


class InvalidateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: NonBlankStr = Field(min_length=1, max_length=500, description="why it no longer holds; kept")
    valid_until: IsoDatetime | None = Field(
        default=None, description="when it stopped (or stops) holding; default now"
    )


class Invalidated(BaseModel):
    memory: MemoryRecord
    stale: list[str] = Field(description="ids of the memories marked stale because they depend on it")


@post(
    "/v1/memories/{memory_id:uuid}/invalidate",
    status_code=200,
    summary="End a memory's validity without deleting it",
    responses=WITH_ID,
)
async def invalidate_memory(
    memory_id: FromPath[UUID],
    data: JSONBody[InvalidateRequest],
    lifecycle: NamedDependency[Lifecycle],
    catalog: NamedDependency[Catalog],
    tenant: NamedDependency[str],
) -> Invalidated:
    record = await catalog.find(tenant, str(memory_id))
    ended, stale = await lifecycle.invalidate(record, data.reason, data.valid_until)
    return Invalidated(memory=ended, stale=stale)


@post(
    "/v1/memories/{memory_id:uuid}/confirm",
    status_code=200,
    summary="A stale memory reviewed and still true: stale no more",
    responses={**WITH_ID, **CONFLICT},
)
async def confirm_memory(
    memory_id: FromPath[UUID],
    lifecycle: NamedDependency[Lifecycle],
    catalog: NamedDependency[Catalog],
    tenant: NamedDependency[str],
) -> MemoryRecord:
    return await lifecycle.confirm(await catalog.find(tenant, str(memory_id)))


@get(
    "/v1/memories/stale",
    summary="The review feed: current memories marked stale, with the cause",
    description="Work through it with `POST /v1/memories/{id}/confirm` (still true) or "
    "`POST /v1/memories/{id}/invalidate` (no longer true); either takes a memory off the feed.",
    responses=COMMON_PROBLEMS,
)
async def stale_memories(
    catalog: NamedDependency[Catalog],
    tenant: NamedDependency[str],
    memory_type: Annotated[MemoryType | None, QueryParameter(name="type")] = None,
    user_id: ScopeIdParam = None,
    agent_id: ScopeIdParam = None,
    thread_id: ScopeIdParam = None,
    namespace: ScopeIdParam = None,
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, QueryParameter(max_length=512)] = None,
) -> MemoryPage:
    flt = MemoryFilter(tenant=tenant, scope=scope_of(user_id, agent_id, thread_id, namespace), stale=True)
    page = await catalog.page(current_filter(flt), memory_type, limit, cursor)
    return MemoryPage(memories=page.records, next_cursor=page.next_cursor)
