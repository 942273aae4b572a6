"""mem0's protocol under `/mem0`: its platform API as `MemoryClient` and `AsyncMemoryClient` of the
Python package `mem0ai` call it (`host="http://mnemo:8000/mem0"`, the API key a mnemo key, sent as
`Token KEY`), and its open-source server's REST shape (`POST /mem0/memories`, `POST /mem0/search`, …).
Paths are matched with or without mem0's trailing slash. What mnemo does not serve is a 501 naming
the client's method (`UNSUPPORTED`)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Router, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from ...ingest.forget import Forgetter
from ...ingest.history import ChangeHistory
from ...ingest.writes import MemoryWrites
from ...retrieval.catalog import Catalog
from ...retrieval.pipeline import Retriever
from ..edge import NotSupported, vendor_router
from . import operations as ops
from .shapes import VENDOR, AddBody, BatchBody, ListBody, SearchBody, UpdateBody, filter_scope, memory_out

IdParam = Annotated[str | None, QueryParameter(max_length=256)]
# Paths of mem0's platform API that mnemo does not serve, and the client method that calls each.
UNSUPPORTED = {
    "/v1/exports": "create_memory_export",
    "/v1/exports/get": "get_memory_export",
    "/v1/summary": "get_summary",
    "/v1/feedback": "feedback",
    "/v2/entities/{entity_type:str}/{name:str}/profile": "get_profile",
    "/v2/profiles/jobs": "generate_profile / sample_profiles",
    "/v2/profiles/jobs/{job:str}": "get_profile_job",
    "/v2/profiles/settings": "get_profile_settings / update_profile_settings",
    "/api/{rest:path}": "get_project / update_project / project.* / *_webhook(s)",
    "/configure": "configure",
    "/reset": "reset",  # the open-source server's: everything of every user, with no filter
}


@get("/v1/ping", sync_to_thread=False)
def ping(tenant: NamedDependency[str]) -> dict[str, Any]:
    """What the clients call on construction: a key mnemo does not know is a 401 there. The clients
    need an organisation and a project: the key's tenant, and mnemo."""
    return {"status": "ok", "org_id": tenant, "project_id": "mnemo", "user_email": None}


@post(["/v3/memories/add", "/v1/memories", "/memories"], status_code=200)
async def add(
    data: JSONBody[AddBody], writes: NamedDependency[MemoryWrites], tenant: NamedDependency[str]
) -> dict[str, Any]:
    return await ops.add(writes, tenant, data)


@get(["/v1/memories/{memory_id:str}", "/memories/{memory_id:str}"])
async def get_memory(
    memory_id: FromPath[str], catalog: NamedDependency[Catalog], tenant: NamedDependency[str]
) -> dict[str, Any]:
    return memory_out(await ops.find(catalog, tenant, memory_id))


@post("/v3/memories", status_code=200)
async def get_all(
    request: Request[Any, Any, Any],
    data: JSONBody[ListBody],
    catalog: NamedDependency[Catalog],
    tenant: NamedDependency[str],
    page: Annotated[int | None, QueryParameter(ge=1)] = None,
    page_size: Annotated[int | None, QueryParameter(ge=1, le=1_000)] = None,
) -> dict[str, Any]:
    """mem0's pages by number (`page`, `page_size`, from the query or the body), with the total."""
    scope, created = filter_scope(data.filters)
    number, size = page or data.page or 1, page_size or data.page_size or 100
    records = await ops.listed(catalog, tenant, scope, created)
    start = (number - 1) * size
    base = f"{request.url.path}?page_size={size}&page="
    return {
        "count": len(records),
        "next": base + str(number + 1) if start + size < len(records) else None,
        "previous": base + str(number - 1) if number > 1 else None,
        "results": [memory_out(r) for r in records[start : start + size]],
    }


@get("/memories")
async def list_memories(
    catalog: NamedDependency[Catalog],
    tenant: NamedDependency[str],
    user_id: IdParam = None,
    agent_id: IdParam = None,
    run_id: IdParam = None,
) -> dict[str, Any]:
    """The open-source server's listing: every memory of the scope."""
    scope, created = filter_scope(None, {"user_id": user_id, "agent_id": agent_id, "run_id": run_id})
    return {"results": [memory_out(r) for r in await ops.listed(catalog, tenant, scope, created)]}


@post(["/v3/memories/search", "/v2/memories/search", "/search"], status_code=200)
async def search(
    data: JSONBody[SearchBody], retriever: NamedDependency[Retriever], tenant: NamedDependency[str]
) -> dict[str, Any]:
    return {"results": await ops.search(retriever, tenant, data)}


@put(["/v1/memories/{memory_id:str}", "/memories/{memory_id:str}"])
async def update(
    memory_id: FromPath[str],
    data: JSONBody[UpdateBody],
    writes: NamedDependency[MemoryWrites],
    catalog: NamedDependency[Catalog],
    tenant: NamedDependency[str],
) -> dict[str, Any]:
    if data.expiration_date is not None:
        raise NotSupported(VENDOR, "update(expiration_date)")
    text = data.text or data.data
    record = await ops.update(writes, catalog, tenant, memory_id, text, data.metadata, data.timestamp)
    return {**memory_out(record), "message": "Memory updated successfully!"}


@delete(["/v1/memories/{memory_id:str}", "/memories/{memory_id:str}"], status_code=200)
async def delete_memory(
    memory_id: FromPath[str],
    catalog: NamedDependency[Catalog],
    changes: NamedDependency[ChangeHistory],
    tenant: NamedDependency[str],
) -> dict[str, str]:
    await ops.delete(catalog, changes, tenant, memory_id)
    return {"message": "Memory deleted successfully!"}


@delete(["/v1/memories", "/memories"], status_code=200)
async def delete_all(
    catalog: NamedDependency[Catalog],
    forgetter: NamedDependency[Forgetter],
    tenant: NamedDependency[str],
    user_id: IdParam = None,
    agent_id: IdParam = None,
    run_id: IdParam = None,
    app_id: IdParam = None,
) -> dict[str, Any]:
    ids = {"user_id": user_id, "agent_id": agent_id, "run_id": run_id, "app_id": app_id}
    deleted = await ops.delete_in_scope(catalog, forgetter, tenant, ids)
    return {"message": "Memories deleted successfully!", "deleted": deleted}


@get(["/v1/memories/{memory_id:str}/history", "/memories/{memory_id:str}/history"])
async def history(
    memory_id: FromPath[str], changes: NamedDependency[ChangeHistory], tenant: NamedDependency[str]
) -> list[dict[str, Any]]:
    return await ops.history(changes, tenant, memory_id)


@get("/v1/entities")
async def entities(catalog: NamedDependency[Catalog], tenant: NamedDependency[str]) -> dict[str, Any]:
    found = await ops.entities(catalog, tenant)
    return {"count": len(found), "results": found}


@delete(
    ["/v2/entities/{entity_type:str}/{name:str}", "/v1/entities/{entity_type:str}/{name:str}"],
    status_code=200,
)
async def delete_entity(
    entity_type: FromPath[str],
    name: FromPath[str],
    forgetter: NamedDependency[Forgetter],
    tenant: NamedDependency[str],
) -> dict[str, str]:
    await ops.delete_entity(forgetter, tenant, entity_type, name)
    return {"message": "Entity deleted successfully."}


@put("/v1/batch")
async def batch_update(
    data: JSONBody[BatchBody],
    writes: NamedDependency[MemoryWrites],
    catalog: NamedDependency[Catalog],
    tenant: NamedDependency[str],
) -> dict[str, str]:
    done = await ops.batch_update(writes, catalog, tenant, data.memories)
    return {"message": f"Successfully updated {done} memories"}


@delete("/v1/batch", status_code=200)
async def batch_delete(
    data: JSONBody[BatchBody],
    catalog: NamedDependency[Catalog],
    changes: NamedDependency[ChangeHistory],
    tenant: NamedDependency[str],
) -> dict[str, str]:
    for item in data.memories:
        await ops.delete(catalog, changes, tenant, item.memory_id)
    return {"message": f"Successfully deleted {len(data.memories)} memories"}


def mem0_router() -> Router:
    handlers = [
        ping, add, get_memory, get_all, list_memories, search, update, delete_memory, delete_all,
        history, entities, delete_entity, batch_update, batch_delete,
    ]  # fmt: skip
    return vendor_router(VENDOR, "/mem0", handlers, UNSUPPORTED, "mem0 compatibility")
