"""HTTP routes of conversation threads: chains of turns kept in Redis, history under a budget."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from ...memtypes.privacy.policy import masked
from ...memtypes.requests import MAX_BUDGET_TOKENS
from ...sessions.thread_history import ThreadHistoryReader
from ...sessions.thread_writes import Threads
from ...sessions.threads import Thread, ThreadHistory, ThreadIn, Turn, TurnIn
from ..config.settings import Settings
from .problems import COMMON_PROBLEMS, LOCKED, NO_THREAD, THREAD_EXISTS
from .routes import MaskParam

WITH_THREAD = {**COMMON_PROBLEMS, **NO_THREAD}


@post(
    "/v1/threads",
    status_code=201,
    summary="Start a thread, optionally continuing another (or with an id of the caller's: once)",
    responses={**WITH_THREAD, **THREAD_EXISTS},
)
async def create_thread(
    data: JSONBody[ThreadIn], threads: NamedDependency[Threads], tenant: NamedDependency[str]
) -> Thread:
    return await threads.create(tenant, data)


@post(
    "/v1/threads/{thread_id:uuid}/turns",
    status_code=201,
    summary="Append a turn to a thread",
    responses={**WITH_THREAD, **LOCKED},
)
async def append_turn(
    thread_id: FromPath[UUID],
    data: JSONBody[TurnIn],
    threads: NamedDependency[Threads],
    tenant: NamedDependency[str],
) -> Turn:
    return await threads.append(tenant, str(thread_id), data)


@get(
    "/v1/threads/{thread_id:uuid}/history",
    summary="The thread's chain, newest turns that fit, in order",
    responses=WITH_THREAD,
)
async def thread_history(
    thread_id: FromPath[UUID],
    settings: NamedDependency[Settings],
    history: NamedDependency[ThreadHistoryReader],
    tenant: NamedDependency[str],
    budget_tokens: Annotated[int | None, QueryParameter(ge=1, le=MAX_BUDGET_TOKENS)] = None,
    mask_sensitive: MaskParam = False,
) -> ThreadHistory:
    budget = budget_tokens or settings.retrieval.default_budget_tokens
    found = await history.history(tenant, str(thread_id), budget)
    if not mask_sensitive:
        return found
    return masked(found, "context").model_copy(update={"turns": [masked(t, "content") for t in found.turns]})
