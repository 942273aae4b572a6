"""HTTP routes of conversation threads: chains of turns kept in Redis, history under a budget."""

from __future__ import annotations

from typing import Annotated

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from api.services import Services
from memtypes.requests import MAX_BUDGET_TOKENS
from memtypes.threads import Thread, ThreadHistory, ThreadIn, Turn, TurnIn


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
