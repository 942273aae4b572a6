"""HTTP routes that govern memory: per-subject forget with a receipt, per-memory change history."""

from __future__ import annotations

from uuid import UUID

from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from api.problems import COMMON_PROBLEMS, LOCKED, NOT_FOUND
from api.services import Services
from memtypes.forget import ForgetReceipt, ForgetRequest
from memtypes.history import MemoryHistory


@post(
    "/v1/forget",
    status_code=200,
    summary="Remove every memory, working-memory task and thread of a scope (or listed memory ids)",
    description="Tenant-bound; `dry_run` reports without removing. The receipt's digest is sha256 over "
    "the tenant, the time and the sorted removed ids, so the caller can prove later what was removed.",
    responses={**COMMON_PROBLEMS, **LOCKED},
)
async def forget(
    data: JSONBody[ForgetRequest], services: NamedDependency[Services], tenant: NamedDependency[str]
) -> ForgetReceipt:
    return await services.forgetter.forget(tenant, data)


@get(
    "/v1/memories/{memory_id:uuid}/history",
    summary="A memory's change history, oldest first (never its content)",
    responses={**COMMON_PROBLEMS, **NOT_FOUND},
)
async def memory_history(
    memory_id: FromPath[UUID], services: NamedDependency[Services], tenant: NamedDependency[str]
) -> MemoryHistory:
    return await services.changes.read(tenant, str(memory_id))
