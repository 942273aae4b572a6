"""HTTP routes: memories (write, read, list, delete), retrieval, health."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from pydantic import BaseModel, Field

from api.services import Services
from memtypes.errors import FieldProblem, InvalidInput
from memtypes.queries import MemoryFilter
from memtypes.records import MemoryIn, MemoryRecord, Scope
from memtypes.requests import RetrieveRequest, RetrieveResponse
from memtypes.types import MemoryType


class WriteRequest(BaseModel):
    memories: list[MemoryIn] = Field(min_length=1, max_length=10_000)


class WriteResultOut(BaseModel):
    id: str | None
    external_id: str | None
    status: str
    reason: str | None = None


class WriteResponse(BaseModel):
    results: list[WriteResultOut]


class MemoryPage(BaseModel):
    memories: list[MemoryRecord]
    next_cursor: str | None


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
    results = await services.writer.write(tenant, data.memories)
    return WriteResponse(
        results=[
            WriteResultOut(id=r.id, external_id=r.external_id, status=r.status, reason=r.reason)
            for r in results
        ]
    )


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
    try:
        scope = Scope(user_id=user_id, agent_id=agent_id, thread_id=thread_id)
    except ValueError as exc:
        raise InvalidInput("invalid scope", problems=[FieldProblem("scope", str(exc))]) from None
    flt = MemoryFilter(tenant=tenant, scope=scope, include_superseded=include_superseded)
    page = await services.catalog.list(flt, memory_type, limit, cursor)
    return MemoryPage(memories=page.records, next_cursor=page.next_cursor)


@post("/v1/retrieve", status_code=200, summary="Ranked memories for a query, packed into a token budget")
async def retrieve(
    data: JSONBody[RetrieveRequest], services: NamedDependency[Services], tenant: NamedDependency[str]
) -> RetrieveResponse:
    return await services.retriever.retrieve(tenant, data)


@get("/health", summary="Liveness")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@get("/ready", summary="Readiness of every dependency")
async def ready(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    services: Services | None = getattr(request.app.state, "services", None)
    checks = {
        "vectors": bool(services and await services.index.ready()),
        "redis": bool(services and await services.redis.ping()),
    }
    # Without Redis the service still answers retrievals (degraded), so it stays in rotation: 200
    # with status "degraded". Without the vector store it cannot answer anything useful: 503.
    if not checks["vectors"]:
        status, code = "not ready", 503
    else:
        status, code = ("ready" if checks["redis"] else "degraded"), 200
    return Response({"status": status, "checks": checks}, status_code=code)
