"""HTTP routes: memories (write, read, list, delete), retrieval, health."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from litestar import Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from pydantic import BaseModel, Field

from api.services import Services
from ingest.pipeline import WriteOptions
from memtypes.errors import FieldProblem, InvalidInput
from memtypes.queries import MemoryFilter
from memtypes.records import MemoryIn, MemoryRecord, Scope, utcnow
from memtypes.requests import RetrieveRequest, RetrieveResponse
from memtypes.types import MemoryType


class WriteRequest(BaseModel):
    memories: list[MemoryIn] = Field(min_length=1, max_length=10_000)
    prefilter: bool = Field(default=True, description="drop too-short, filler and exact-duplicate memories")
    dedup: bool = Field(default=True, description="merge near-duplicates: the newest supersedes the older")


class WriteResultOut(BaseModel):
    id: str | None
    external_id: str | None
    status: str
    reason: str | None = None
    importance: float | None = None
    importance_tier: str | None = Field(default=None, description="caller | consensus | single | heuristic")


class WriteResponse(BaseModel):
    results: list[WriteResultOut]


class MemoryPage(BaseModel):
    memories: list[MemoryRecord]
    next_cursor: str | None


def _scope(user_id: str | None, agent_id: str | None, thread_id: str | None) -> Scope:
    try:
        return Scope(user_id=user_id, agent_id=agent_id, thread_id=thread_id)
    except ValueError as exc:
        raise InvalidInput("invalid scope", problems=[FieldProblem("scope", str(exc))]) from None


def tenant_of(request: Request[Any, Any, Any], services: Services) -> str:
    return services.keys.tenant_for(request.headers.get("authorization"))


async def provide_services(request: Request[Any, Any, Any]) -> Services:
    services: Services = request.app.state.services
    return services


async def provide_tenant(request: Request[Any, Any, Any]) -> str:
    return tenant_of(request, request.app.state.services)


@post("/v1/memories", status_code=201, summary="Write memories (idempotent by id)")
async def write_memories(
    data: JSONBody[WriteRequest], services: NamedDependency[Services], tenant: NamedDependency[str]
) -> WriteResponse:
    limit = services.settings.max_items_per_request
    if len(data.memories) > limit:
        raise InvalidInput(
            f"at most {limit} memories per request",
            problems=[FieldProblem("memories", f"more than {limit} items")],
        )
    options = WriteOptions(prefilter=data.prefilter, dedup=data.dedup)
    results = await services.writer.write(tenant, data.memories, options)
    return WriteResponse(results=[WriteResultOut.model_validate(r, from_attributes=True) for r in results])


@get("/v1/memories/{memory_id:str}", summary="Read one memory")
async def get_memory(
    memory_id: FromPath[str], services: NamedDependency[Services], tenant: NamedDependency[str]
) -> MemoryRecord:
    return await services.catalog.find(tenant, memory_id)


@delete("/v1/memories/{memory_id:str}", status_code=204, summary="Delete one memory")
async def delete_memory(
    memory_id: FromPath[str], services: NamedDependency[Services], tenant: NamedDependency[str]
) -> None:
    await services.catalog.delete(tenant, memory_id)


@get("/v1/memories", summary="List memories, newest pages by cursor")
async def list_memories(
    services: NamedDependency[Services],
    tenant: NamedDependency[str],
    memory_type: Annotated[MemoryType | None, QueryParameter(name="type")] = None,
    user_id: Annotated[str | None, QueryParameter(max_length=256)] = None,
    agent_id: Annotated[str | None, QueryParameter(max_length=256)] = None,
    thread_id: Annotated[str | None, QueryParameter(max_length=256)] = None,
    include_superseded: FromQuery[bool] = False,
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, QueryParameter(max_length=512)] = None,
) -> MemoryPage:
    flt = MemoryFilter(
        tenant=tenant, scope=_scope(user_id, agent_id, thread_id), include_superseded=include_superseded
    )
    page = await services.catalog.page(flt, memory_type, limit, cursor)
    return MemoryPage(memories=page.records, next_cursor=page.next_cursor)


@post("/v1/retrieve", status_code=200, summary="Ranked memories for a query, packed into a token budget")
async def retrieve(
    data: JSONBody[RetrieveRequest], services: NamedDependency[Services], tenant: NamedDependency[str]
) -> RetrieveResponse:
    result = await services.retriever.retrieve(tenant, data)
    # Noted in memory only; written to the index by the periodic flush, never on this path.
    services.access_log.note(tenant, [(m.type, m.id) for m in result.memories], utcnow())
    return result


@post("/v1/memories/{memory_id:str}/complete", status_code=200, summary="Mark a prospective memory done")
async def complete_memory(
    memory_id: FromPath[str], services: NamedDependency[Services], tenant: NamedDependency[str]
) -> MemoryRecord:
    return await services.lifecycle.set_status(await services.catalog.find(tenant, memory_id), "done")


@post("/v1/memories/{memory_id:str}/cancel", status_code=200, summary="Cancel a prospective memory")
async def cancel_memory(
    memory_id: FromPath[str], services: NamedDependency[Services], tenant: NamedDependency[str]
) -> MemoryRecord:
    return await services.lifecycle.set_status(await services.catalog.find(tenant, memory_id), "cancelled")


@post("/v1/memories/{memory_id:str}/used", status_code=200, summary="Count a use of a procedure")
async def mark_used(
    memory_id: FromPath[str], services: NamedDependency[Services], tenant: NamedDependency[str]
) -> MemoryRecord:
    return await services.lifecycle.mark_used(await services.catalog.find(tenant, memory_id))


class DueItem(BaseModel):
    memory: MemoryRecord
    overdue: bool


class DueList(BaseModel):
    now: datetime
    due: list[DueItem]


@get("/v1/prospective/due", summary="Pending intentions that are due or overdue")
async def due_memories(
    services: NamedDependency[Services],
    tenant: NamedDependency[str],
    now: FromQuery[datetime | None] = None,
    within_minutes: Annotated[int, QueryParameter(ge=0, le=525_600)] = 0,
    user_id: Annotated[str | None, QueryParameter(max_length=256)] = None,
    agent_id: Annotated[str | None, QueryParameter(max_length=256)] = None,
    thread_id: Annotated[str | None, QueryParameter(max_length=256)] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
) -> DueList:
    if now is not None and now.tzinfo is None:
        raise InvalidInput("now needs a time zone", problems=[FieldProblem("now", "naive datetime")])
    moment = now or utcnow()
    flt = MemoryFilter(tenant=tenant, scope=_scope(user_id, agent_id, thread_id))
    records = await services.catalog.due(flt, moment.timestamp(), within_minutes * 60.0, limit)
    due = [DueItem(memory=r, overdue=r.due_at is not None and r.due_at < moment) for r in records]
    return DueList(now=moment, due=due)


@get("/health", summary="Liveness")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@get("/ready", summary="Readiness of every dependency")
async def ready(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    services: Services | None = getattr(request.app.state, "services", None)
    checks = {"vectors": bool(services and await services.index.ready())}
    ok = all(checks.values())
    return Response(
        {"status": "ready" if ok else "not ready", "checks": checks}, status_code=200 if ok else 503
    )
