"""Zep's protocol, API v3, under `/zep/api/v2` (the path its v3 SDK calls): `Zep(api_key=KEY,
base_url="http://mnemo:8000/zep/api/v2")` of `zep-cloud` 3.x, the key a mnemo key sent as
`Api-Key KEY`. Users, threads and their messages, the thread's context, graph search and add, and
deletes; what mnemo does not serve is a 501 naming the SDK's method (`UNSUPPORTED`)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Router, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from ...ingest.forget import Forgetter
from ...ingest.writes import MemoryWrites
from ...retrieval.catalog import Catalog
from ...retrieval.pipeline import Retriever
from ...sessions.thread_writes import Threads
from ..edge import NotSupported, vendor_router
from . import operations as ops
from .shapes import (
    VENDOR,
    AddMessagesIn,
    GraphAddIn,
    SearchIn,
    ThreadIn,
    UserIn,
    message_out,
    thread_out,
    user_out,
)

DELETED = {"message": "deleted"}
UNSUPPORTED = {
    "/user-summary-instructions": "user.*_user_summary_instructions",
    "/users/{user_id:str}/node": "user.get_node",
    "/users/{user_id:str}/warm": "user.warm",
    "/threads/{thread_id:str}/summary": "thread.get_summary",
    "/threads/{thread_id:str}/episodes": "thread.get_episodes",
    "/messages/{message_uuid:str}": "thread.message.update",
    "/custom-instructions": "graph.*_custom_instructions",
    "/entity-types": "graph.list_entity_types / graph.set_entity_types",
    "/graph-batch": "graph.add_batch",
    "/graph/add-fact-triple": "graph.add_fact_triple",
    "/graph/clone": "graph.clone",
    "/graph/create": "graph.create",
    "/graph/documents/{document_id:str}/episodes": "graph.get_episodes_for_document",
    "/graph/list-all": "graph.list_all",
    "/graph/nodes": "graph.add_nodes",
    "/graph/patterns": "graph.detect_patterns",
    "/graph/subgraph": "graph.get_subgraph",
    "/graph/{graph_id:str}": "graph.get / graph.update / graph.delete",
    "/graph/{graph_id:str}/warm": "graph.warm",
    "/graph/edge/graph/{graph_id:str}": "graph.edge.get_by_graph_id",
    "/graph/edge/user/{user_id:str}": "graph.edge.get_by_user_id",
    "/graph/edge/{uuid:str}": "graph.edge.get / graph.edge.update / graph.edge.delete",
    "/graph/episodes/graph/{graph_id:str}": "graph.episode.get_by_graph_id / list_by_graph_id",
    "/graph/episodes/user/{user_id:str}": "graph.episode.get_by_user_id / list_by_user_id",
    "/graph/episodes/{uuid:str}": "graph.episode.get / graph.episode.update / graph.episode.delete",
    "/graph/episodes/{uuid:str}/mentions": "graph.episode.get_nodes_and_edges",
    "/graph/node/graph/{graph_id:str}": "graph.node.get_by_graph_id",
    "/graph/node/user/{user_id:str}": "graph.node.get_by_user_id",
    "/graph/node/{uuid:str}": "graph.node.get / graph.node.update / graph.node.delete",
    "/graph/node/{uuid:str}/entity-edges": "graph.node.get_edges",
    "/graph/node/{uuid:str}/episodes": "graph.node.get_episodes",
    "/graph/node/{uuid:str}/neighbors": "graph.node.get_neighbors",
}
Page = Annotated[int, QueryParameter(ge=1, le=100_000)]


@post("/users", status_code=201)
async def add_user(
    data: JSONBody[UserIn],
    writes: NamedDependency[MemoryWrites],
    catalog: NamedDependency[Catalog],
    tenant: NamedDependency[str],
) -> dict[str, Any]:
    return user_out(await ops.put_user(writes, catalog, tenant, data.user_id or "", data))


@get("/users/{user_id:str}")
async def get_user(
    user_id: FromPath[str], catalog: NamedDependency[Catalog], tenant: NamedDependency[str]
) -> dict[str, Any]:
    return user_out(await ops.user_record(catalog, tenant, user_id))


@patch("/users/{user_id:str}")
async def update_user(
    user_id: FromPath[str],
    data: JSONBody[UserIn],
    writes: NamedDependency[MemoryWrites],
    catalog: NamedDependency[Catalog],
    tenant: NamedDependency[str],
) -> dict[str, Any]:
    await ops.user_record(catalog, tenant, user_id)  # an update of no user is a 404, as in Zep
    return user_out(await ops.put_user(writes, catalog, tenant, user_id, data))


@delete("/users/{user_id:str}", status_code=200)
async def delete_user(
    user_id: FromPath[str],
    catalog: NamedDependency[Catalog],
    forgetter: NamedDependency[Forgetter],
    tenant: NamedDependency[str],
) -> dict[str, str]:
    await ops.user_record(catalog, tenant, user_id)
    await ops.delete_scope(forgetter, tenant, user_id=user_id)
    return DELETED


@get("/users-ordered")
async def list_users(
    catalog: NamedDependency[Catalog],
    tenant: NamedDependency[str],
    page_number: Annotated[int, QueryParameter(name="pageNumber", ge=1)] = 1,
    page_size: Annotated[int, QueryParameter(name="pageSize", ge=1, le=1_000)] = 100,
) -> dict[str, Any]:
    return await ops.list_users(catalog, tenant, page_number, page_size)


@get("/users/{user_id:str}/threads")
async def get_user_threads(
    user_id: FromPath[str], threads: NamedDependency[Threads], tenant: NamedDependency[str]
) -> list[dict[str, Any]]:
    return [thread_out(t) for t in await ops.user_threads(threads, tenant, user_id)]


@get("/threads", sync_to_thread=False)
def list_threads() -> None:
    """Every thread of the tenant: mnemo finds threads by their user's scope (`user.get_threads`)."""
    raise NotSupported(VENDOR, "thread.list_all")


@post("/threads", status_code=201)
async def create_thread(
    data: JSONBody[ThreadIn],
    threads: NamedDependency[Threads],
    catalog: NamedDependency[Catalog],
    tenant: NamedDependency[str],
) -> dict[str, Any]:
    await ops.user_record(catalog, tenant, data.user_id)  # Zep's threads belong to a known user
    return thread_out(await ops.create_thread(threads, tenant, data.thread_id, data.user_id))


@delete("/threads/{thread_id:str}", status_code=200)
async def delete_thread(
    thread_id: FromPath[str],
    threads: NamedDependency[Threads],
    forgetter: NamedDependency[Forgetter],
    tenant: NamedDependency[str],
) -> dict[str, str]:
    await ops.delete_thread(threads, forgetter, tenant, thread_id)
    return DELETED


@get("/threads/{thread_id:str}/messages")
async def get_thread(
    thread_id: FromPath[str],
    threads: NamedDependency[Threads],
    tenant: NamedDependency[str],
    lastn: Annotated[int | None, QueryParameter(ge=1, le=10_000)] = None,
    limit: Annotated[int | None, QueryParameter(ge=1, le=10_000)] = None,
    cursor: Annotated[int | None, QueryParameter(ge=0)] = None,
) -> dict[str, Any]:
    """The thread's messages, oldest first: the last `lastn`, or `limit` from `cursor` (an offset)."""
    thread, turns = await ops.thread_of(threads, tenant, thread_id)
    start = cursor or 0
    shown = turns[-lastn:] if lastn else turns[start : start + limit] if limit else turns[start:]
    return {
        "messages": [message_out(t) for t in shown],
        "row_count": len(shown),
        "total_count": len(turns),
        "user_id": thread.scope.user_id,
    }


@post(["/threads/{thread_id:str}/messages", "/threads/{thread_id:str}/messages-batch"], status_code=200)
async def add_messages(
    thread_id: FromPath[str],
    data: JSONBody[AddMessagesIn],
    threads: NamedDependency[Threads],
    retriever: NamedDependency[Retriever],
    catalog: NamedDependency[Catalog],
    tenant: NamedDependency[str],
) -> dict[str, Any]:
    return await ops.add_messages(threads, retriever, catalog, tenant, thread_id, data)


@get("/threads/{thread_id:str}/context")
async def get_user_context(
    thread_id: FromPath[str],
    threads: NamedDependency[Threads],
    retriever: NamedDependency[Retriever],
    catalog: NamedDependency[Catalog],
    tenant: NamedDependency[str],
) -> dict[str, Any]:
    return {"context": await ops.thread_context(threads, retriever, catalog, tenant, thread_id)}


@post("/graph/search", status_code=200)
async def graph_search(
    data: JSONBody[SearchIn],
    retriever: NamedDependency[Retriever],
    threads: NamedDependency[Threads],
    tenant: NamedDependency[str],
) -> dict[str, Any]:
    return await ops.graph_search(retriever, threads, tenant, data)


@post("/graph", status_code=202)
async def graph_add(
    data: JSONBody[GraphAddIn],
    writes: NamedDependency[MemoryWrites],
    catalog: NamedDependency[Catalog],
    tenant: NamedDependency[str],
) -> dict[str, Any]:
    return await ops.graph_add(writes, catalog, tenant, data)


def zep_router() -> Router:
    handlers = [
        add_user, get_user, update_user, delete_user, list_users, get_user_threads, list_threads,
        create_thread, delete_thread, get_thread, add_messages, get_user_context, graph_search, graph_add,
    ]  # fmt: skip
    return vendor_router(VENDOR, "/zep/api/v2", handlers, UNSUPPORTED, "Zep compatibility")
