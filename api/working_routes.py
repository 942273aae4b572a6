"""HTTP routes of working memory (per task) and conversation threads, both kept in Redis."""

from __future__ import annotations

from typing import Annotated

from litestar import delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from api.services import Services
from memtypes.requests import MAX_BUDGET_TOKENS
from memtypes.threads import Thread, ThreadHistory, ThreadIn, Turn, TurnIn
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


@post("/v1/threads", status_code=201, summary="Start a thread, optionally continuing another")
async def create_thread(
    data: JSONBody[ThreadIn], services: NamedDependency[Services], tenant: NamedDependency[str]
) -> Thread:
    return await services.threads.create(tenant, data)


@post("/v1/threads/{thread_id:str}/turns", status_code=201, summary="Append a turn to a thread")
async def append_turn(
    thread_id: FromPath[str],
    data: JSONBody[TurnIn],
    services: NamedDependency[Services],
    tenant: NamedDependency[str],
) -> Turn:
    return await services.threads.append(tenant, thread_id, data)


@get("/v1/threads/{thread_id:str}/history", summary="The thread's chain, newest turns that fit, in order")
async def thread_history(
    thread_id: FromPath[str],
    services: NamedDependency[Services],
    tenant: NamedDependency[str],
    budget_tokens: Annotated[int | None, QueryParameter(ge=1, le=MAX_BUDGET_TOKENS)] = None,
) -> ThreadHistory:
    budget = budget_tokens or services.settings.default_budget_tokens
    return await services.history.history(tenant, thread_id, budget)
