"""HTTP routes of working memory: the live scratchpad of one task, kept in Redis."""

from __future__ import annotations

from typing import Annotated

from litestar import delete, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter

from ...ingest.prefilter import screen_working
from ...memtypes.agents.resolution import Bindings
from ...memtypes.privacy.policy import masked
from ...memtypes.records import TASK_ID_PATTERN
from ...sessions.working import AppendResult, ClearResult, WorkingItemIn, WorkingView
from ...sessions.working_memory import WorkingMemory
from .agent_requests import working_limits_as_agent, working_namespace
from .problems import AGENT_PROBLEMS, COMMON_PROBLEMS, LOCKED
from .routes import MaskParam

TaskId = Annotated[str, PathParameter(pattern=TASK_ID_PATTERN, max_length=128)]
WRITE_PROBLEMS = {**COMMON_PROBLEMS, **LOCKED}
APPEND_PROBLEMS = {**WRITE_PROBLEMS, **AGENT_PROBLEMS}


@post(
    "/v1/working/{task_id:str}/items",
    status_code=201,
    summary="Append an item to a task's working memory",
    responses=APPEND_PROBLEMS,
)
async def append_working_item(
    task_id: TaskId,
    data: JSONBody[WorkingItemIn],
    working: NamedDependency[WorkingMemory],
    tenant: NamedDependency[str],
    bindings: NamedDependency[Bindings],
) -> AppendResult:
    limits = working_limits_as_agent(bindings, tenant, data, working.config)
    policy = bindings.privacy_policy(tenant, working_namespace(bindings, tenant, data))
    content, metadata = screen_working(policy, data.content, data.metadata)
    data = data.model_copy(update={"content": content, "metadata": metadata})
    return await working.append(tenant, task_id, data, limits)


@get("/v1/working/{task_id:str}", summary="A task's working memory, newest first", responses=COMMON_PROBLEMS)
async def read_working(
    task_id: TaskId,
    working: NamedDependency[WorkingMemory],
    tenant: NamedDependency[str],
    mask_sensitive: MaskParam = False,
) -> WorkingView:
    view = await working.read(tenant, task_id)
    if not mask_sensitive:
        return view
    return view.model_copy(update={"items": [masked(i, "content", "metadata") for i in view.items]})


@delete(
    "/v1/working/{task_id:str}",
    status_code=200,
    summary="Clear a task: archive its items, then drop it",
    responses=WRITE_PROBLEMS,
)
async def clear_working(
    task_id: TaskId,
    working: NamedDependency[WorkingMemory],
    tenant: NamedDependency[str],
    force: Annotated[
        bool,
        QueryParameter(
            description="also clear a task whose stored state cannot be read: its raw text is archived",
        ),
    ] = False,
) -> ClearResult:
    return await working.clear(tenant, task_id, force)
