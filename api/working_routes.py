"""HTTP routes of working memory: the live scratchpad of one task, kept in Redis."""

from __future__ import annotations

from litestar import delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from api.services import Services
from memtypes.working import AppendResult, ClearResult, WorkingItemIn, WorkingView


@post("/v1/working/{task_id:str}/items", status_code=201, summary="Append an item to a task's working memory")
async def append_working_item(
    task_id: FromPath[str],
    data: JSONBody[WorkingItemIn],
    services: NamedDependency[Services],
    tenant: NamedDependency[str],
) -> AppendResult:
    return await services.working.append(tenant, task_id, data)


@get("/v1/working/{task_id:str}", summary="A task's working memory, newest first")
async def read_working(
    task_id: FromPath[str], services: NamedDependency[Services], tenant: NamedDependency[str]
) -> WorkingView:
    return await services.working.read(tenant, task_id)


@delete("/v1/working/{task_id:str}", status_code=200, summary="Clear a task: archive its items, then drop it")
async def clear_working(
    task_id: FromPath[str], services: NamedDependency[Services], tenant: NamedDependency[str]
) -> ClearResult:
    return await services.working.clear(tenant, task_id)
