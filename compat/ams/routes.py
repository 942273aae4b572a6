"""Redis Agent Memory Server's protocol under `/ams`, as its Python client `agent-memory-client`
calls it (`MemoryClientConfig(base_url="http://mnemo:8000/ams")`; with API keys, the client's
httpx client sends `Authorization: Bearer KEY`, AMS's token scheme). What mnemo does not serve is
a 501 naming the client's method (`UNSUPPORTED`)."""

from __future__ import annotations

import time
from typing import Annotated, Any

from litestar import Router, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from ...ingest.forget import Forgetter
from ...ingest.writes import MemoryWrites
from ...memtypes.agents.resolution import Bindings
from ...memtypes.errors import NotFound
from ...retrieval.catalog import Catalog
from ...retrieval.pipeline import Retriever
from ...sessions.working_memory import WorkingMemory
from ..edge import NotSupported, vendor_router
from . import long_term
from . import working as sessions
from .shapes import VENDOR, CreateBody, SearchBody, WorkingMemoryIn, memory_out, scope_of

IdParam = Annotated[str | None, QueryParameter(max_length=256)]
ACK = {"status": "ok"}
UNSUPPORTED = {
    "/v1/long-term-memory/forget": "forget_long_term_memories",
    "/v1/summary-views": "list_summary_views",
    "/v1/summary-views/{view_id:str}": "get_summary_view",
    "/v1/summary-views/{view_id:str}/run": "run_summary_view",
    "/v1/summary-views/{view_id:str}/partitions": "list_summary_view_partitions",
    "/v1/summary-views/{view_id:str}/partitions/run": "run_summary_view_partition",
    "/v1/tasks/{task_id:str}": "get_task",
}


@get("/v1/health", sync_to_thread=False)
def health() -> dict[str, float]:
    return {"now": time.time()}


@get("/v1/working-memory")
async def list_sessions(
    working: NamedDependency[WorkingMemory],
    tenant: NamedDependency[str],
    user_id: IdParam = None,
    namespace: IdParam = None,
    limit: Annotated[int, QueryParameter(ge=1, le=1_000)] = 20,
    offset: Annotated[int, QueryParameter(ge=0)] = 0,
) -> dict[str, Any]:
    scope = scope_of(user_id, None, namespace)
    if not scope.items():
        # mnemo finds a tenant's tasks by the scope they were started with.
        raise NotSupported(VENDOR, "list_sessions without user_id or namespace")
    found = sorted(await working.store.in_scope(tenant, scope))
    return {"sessions": found[offset : offset + limit], "total": len(found)}


@get("/v1/working-memory/{session_id:str}")
async def get_working_memory(
    session_id: FromPath[str], working: NamedDependency[WorkingMemory], tenant: NamedDependency[str]
) -> dict[str, Any]:
    held = await sessions.read(working, tenant, session_id)
    if held is None:
        raise NotFound(f"no working memory for session {session_id}")
    return held


@put("/v1/working-memory/{session_id:str}")
async def put_working_memory(
    session_id: FromPath[str],
    data: JSONBody[WorkingMemoryIn],
    working: NamedDependency[WorkingMemory],
    writes: NamedDependency[MemoryWrites],
    bindings: NamedDependency[Bindings],
    tenant: NamedDependency[str],
    user_id: IdParam = None,
) -> dict[str, Any]:
    return await sessions.put(working, writes, bindings, tenant, session_id, data, user_id)


@delete("/v1/working-memory/{session_id:str}", status_code=200)
async def delete_working_memory(
    session_id: FromPath[str], working: NamedDependency[WorkingMemory], tenant: NamedDependency[str]
) -> dict[str, str]:
    await working.clear(tenant, session_id)  # archived into episodic memory, never dropped
    return ACK


@post("/v1/long-term-memory", status_code=200)
async def create_long_term_memory(
    data: JSONBody[CreateBody], writes: NamedDependency[MemoryWrites], tenant: NamedDependency[str]
) -> dict[str, str]:
    await long_term.create(writes, tenant, data)
    return ACK


@get("/v1/long-term-memory/{memory_id:str}")
async def get_long_term_memory(
    memory_id: FromPath[str], catalog: NamedDependency[Catalog], tenant: NamedDependency[str]
) -> dict[str, Any]:
    return memory_out(await long_term.find(catalog, tenant, memory_id))


@patch("/v1/long-term-memory/{memory_id:str}")
async def edit_long_term_memory(
    memory_id: FromPath[str],
    data: JSONBody[dict[str, Any]],
    writes: NamedDependency[MemoryWrites],
    catalog: NamedDependency[Catalog],
    tenant: NamedDependency[str],
) -> dict[str, Any]:
    return memory_out(await long_term.edit(writes, catalog, tenant, memory_id, data))


@delete("/v1/long-term-memory", status_code=200)
async def delete_long_term_memories(
    catalog: NamedDependency[Catalog],
    forgetter: NamedDependency[Forgetter],
    tenant: NamedDependency[str],
    memory_ids: Annotated[list[str], QueryParameter(max_items=1_000)],
) -> dict[str, str]:
    await long_term.delete(catalog, forgetter, tenant, memory_ids)
    return ACK


@post("/v1/long-term-memory/search", status_code=200)
async def search_long_term_memory(
    data: JSONBody[SearchBody],
    retriever: NamedDependency[Retriever],
    catalog: NamedDependency[Catalog],
    tenant: NamedDependency[str],
) -> dict[str, Any]:
    return await long_term.search(retriever, catalog, tenant, data)


@post("/v1/memory/prompt", status_code=200)
async def memory_prompt(
    data: JSONBody[dict[str, Any]],
    retriever: NamedDependency[Retriever],
    working: NamedDependency[WorkingMemory],
    tenant: NamedDependency[str],
) -> dict[str, Any]:
    return await long_term.prompt(retriever, working, tenant, data)


def ams_router() -> Router:
    handlers = [
        health, list_sessions, get_working_memory, put_working_memory, delete_working_memory,
        create_long_term_memory, get_long_term_memory, edit_long_term_memory, delete_long_term_memories,
        search_long_term_memory, memory_prompt,
    ]  # fmt: skip
    return vendor_router(VENDOR, "/ams", handlers, UNSUPPORTED, "Redis Agent Memory Server compatibility")
