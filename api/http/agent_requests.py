"""Requests made as an agent: `agent` + `context` instead of a scope, resolved by its bindings.

A retrieval reads every namespace the agent's resources render to (each type only in the resources
holding it), under the resources' budgets unless the request gives one; a write goes to the one
writable resource holding the memory's type (`memory` names it when several do).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...memtypes.agents.resolution import Bindings, plan_read, without_agent, write_target
from ...memtypes.requests import RetrieveRequest
from ...memtypes.types import SCRATCHPAD_TYPE, MemoryType
from ...sessions.working import WorkingItemIn
from ...sessions.working_memory import WorkingConfig

Namespaces = Mapping[MemoryType, tuple[str, ...]]


def retrieval_as_agent(
    bindings: Bindings, tenant: str, data: RetrieveRequest, default_budget: int
) -> tuple[RetrieveRequest, Namespaces | None]:
    """The request as its agent makes it: the agent's types, budget and allocation filled in, masked
    if the agent masks; and its namespaces. (That it gives no scope, the request itself checks.)"""
    if data.agent is None:
        return data, None
    agent = bindings.agent(tenant, data.agent)
    requested = data.types if "types" in data.model_fields_set else None
    plan = plan_read(agent, data.context or {}, requested, default_budget)
    updates: dict[str, Any] = {
        "types": list(plan.types),
        "mask_sensitive": data.mask_sensitive or agent.mask_sensitive,
    }
    if data.budget_tokens is None and data.model is None:
        updates["budget_tokens"] = plan.budget
    if data.allocation is None:
        updates["allocation"] = {t.value: share for t, share in plan.allocation.items()}
    if data.task_id is not None and data.working_budget_tokens is None and plan.working_budget:
        updates["working_budget_tokens"] = plan.working_budget
    return data.model_copy(update=updates), plan.namespaces


def working_namespace(bindings: Bindings, tenant: str, data: WorkingItemIn) -> str | None:
    """The namespace a working-memory append is kept under, for its privacy policy: that of the
    agent's writable resource holding `working`, else the item's own scope's."""
    if data.agent is None:
        return data.scope.namespace if data.scope else None
    target = write_target(bindings.agent(tenant, data.agent), SCRATCHPAD_TYPE, None, "item")
    return target.namespace(data.context or {})


def working_limits_as_agent(
    bindings: Bindings, tenant: str, data: WorkingItemIn, defaults: WorkingConfig
) -> WorkingConfig | None:
    """An append made as an agent goes through its writable resource holding `working` memories
    (403 when it binds that read-only) and takes that resource's max tokens and TTL.

    The task itself stays `(tenant, task_id)`: a task id already names one piece of work.
    """
    if data.agent is None:
        without_agent(data.context)
        return None
    agent = bindings.agent(tenant, data.agent)
    target = write_target(agent, SCRATCHPAD_TYPE, None, "item")
    target.namespace(data.context or {})  # the agent's context must still fit its key (422 otherwise)
    own = target.resource.working
    if own is None:
        return defaults
    return defaults.model_copy(
        update={"max_tokens": own.max_tokens or defaults.max_tokens, "ttl_s": own.ttl_s or defaults.ttl_s}
    )
