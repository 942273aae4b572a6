"""HTTP routes that govern memory: per-subject forget with a receipt, forget by query (a preview, then
exactly what it showed, by its token), per-memory change history, which working-memory tasks and
threads a scope has, a search over the tenant's memories (what the explorer and forget look at),
and what is still true: a memory's validity ended (`invalidate`), the review feed of stale
memories and their confirmation."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Response, get, post
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, PathParameter, QueryParameter
from pydantic import BaseModel, ConfigDict, Field

from ...ingest.forget import Forgetter
from ...ingest.history import ChangeHistory
from ...ingest.lifecycle import Lifecycle
from ...memtypes.errors import FieldProblem, InvalidInput, NotFound, Unavailable
from ...memtypes.governance.forget import ErasureStatus, ForgetReceipt, ForgetRequest
from ...memtypes.governance.forget_query import (
    ForgetPreview,
    ForgetPreviewedRequest,
    ForgetPreviewRequest,
    ForgetQuery,
    preview_token,
    previewed,
)
from ...memtypes.governance.history import MemoryHistory
from ...memtypes.governance.signing import Signer, published
from ...memtypes.jsontypes import IsoDatetime
from ...memtypes.privacy.policy import masked
from ...memtypes.queries import MemoryFilter, View
from ...memtypes.records import MemoryRecord, NonBlankStr, Scope
from ...memtypes.requests import MAX_QUERY_CHARS
from ...memtypes.types import MemoryType
from ...retrieval.catalog import Catalog
from ...retrieval.forget_search import find_to_forget
from ...retrieval.memory_search import MAX_SEARCH_HITS, search_memories
from ...retrieval.pipeline import Retriever
from ...sessions.thread_writes import Threads
from ...sessions.working_memory import WorkingMemory
from .problems import COMMON_PROBLEMS, LOCKED, NOT_FOUND
from .routes import (
    WITH_ID,
    AsOfParam,
    AsOfViewParam,
    CursorParam,
    MaskParam,
    MemoryPage,
    PageLimit,
    TypeParam,
    as_of_of,
    as_shown,
    current_filter,
    outdated_counts,
    read_at,
)


class ScopeHoldings(BaseModel):
    task_ids: list[str] = Field(description="working-memory tasks recorded with this scope, sorted")
    thread_ids: list[str] = Field(description="threads started with this scope, sorted")


class SigningKey(BaseModel):
    algorithm: str = Field(description="`ed25519`")
    key_id: str = Field(description="the first 16 hex digits of the sha256 of the raw public key")
    public_key: str = Field(description="the 32 raw bytes of the public key, base64")


class SigningKeys(BaseModel):
    keys: list[SigningKey] = Field(description="the keys this service signs with now")


class SearchHit(BaseModel):
    memory: MemoryRecord
    score: float = Field(description="relevance to the query (hybrid search, no recency or importance)")


class SearchResults(BaseModel):
    query: str
    hits: list[SearchHit] = Field(description="best first")
    left_out: dict[str, int] | None = Field(
        default=None,
        description="a current search: how many memories of its types and scope are left out, by reason "
        "(`superseded`, `expired`, `not_yet_valid`)",
    )


# RFC 9745: when the top-level scope fields (`{"user_id": "bob"}`) were deprecated for `scope`
# (`{"scope": {"user_id": "bob"}}`), 2026-11-25 00:00 UTC, as a structured-field date.
TOP_LEVEL_SCOPE_DEPRECATED = "@1795564800"


@post(
    "/v1/forget",
    status_code=200,
    summary="Remove every memory, working-memory task and thread of a scope (or listed memory ids)",
    description="Tenant-bound; `dry_run` reports without removing. The receipt's digest is sha256 over "
    "the tenant, the time and the sorted removed ids, so the caller can prove later what was removed. "
    "The removed text leaves the data dir's files by the receipt's `erase_by` (in the background, with "
    "other forgets'), or before the answer with `wait_for_erasure`.",
    responses={**COMMON_PROBLEMS, **LOCKED},
    response_headers=[
        ResponseHeader(
            name="Deprecation",
            value=TOP_LEVEL_SCOPE_DEPRECATED,
            description="RFC 9745, only when the request gave the scope's fields at the top of the "
            "body, a shape deprecated since this date (2026-11-25): give `scope` instead",
            documentation_only=True,
        )
    ],
)
async def forget(
    data: JSONBody[ForgetRequest], forgetter: NamedDependency[Forgetter], tenant: NamedDependency[str]
) -> Response[ForgetReceipt]:
    receipt = await forgetter.forget(tenant, data)
    headers = {"Deprecation": TOP_LEVEL_SCOPE_DEPRECATED} if data.top_level_scope else None
    return Response(receipt, headers=headers)


@get(
    "/v1/forget/{digest:str}",
    summary="Where a forget's erasure from the data dir's files stands, by its receipt's digest",
    description="`scheduled` (with `erase_by` and failed runs so far) or `erased` (when, and per store). "
    "404 for a digest this service did not schedule (or another tenant's, or forgotten: the last 2,000 "
    "erasures are kept).",
    responses={**COMMON_PROBLEMS, **NOT_FOUND},
)
async def forget_erasure(
    digest: Annotated[str, PathParameter(pattern=r"^[0-9a-f]{64}$", max_length=64)],
    forgetter: NamedDependency[Forgetter],
    tenant: NamedDependency[str],
) -> ErasureStatus:
    status = None if forgetter.eraser is None else forgetter.eraser.status(tenant, digest)
    if status is None:
        raise NotFound(f"no erasure of receipt {digest}")
    return ErasureStatus.model_validate(status)


@get(
    "/v1/forget/keys",
    summary="The public keys that forget receipts and backup manifests are signed with",
    description="Keep one: `mnemo forget --verify RECEIPT --public-key KEY` checks a receipt's signature "
    "against it, offline.",
    responses=COMMON_PROBLEMS,
)
async def forget_keys(forgetter: NamedDependency[Forgetter]) -> SigningKeys:
    signer = forgetter.signer
    keys = [] if signer is None else [SigningKey.model_validate(published(signer.public_key))]
    return SigningKeys(keys=keys)


def _signer(forgetter: Forgetter) -> Signer:
    if forgetter.signer is None:
        raise Unavailable("forget by query needs the service's signing key, which is not open")
    return forgetter.signer


@post(
    "/v1/forget/preview",
    status_code=200,
    summary="What a forget by query would remove: the matches, why, and the near misses that stay",
    description="Removes nothing. A query selects the memories about it (by the calibrated confidence, "
    "`min_confidence` the cut-off), `sensitive` those tagged on write as holding a kind of secret or "
    "personal data; both narrow each other, as do `scope`, `types` and the time window. Confirm with "
    "`POST /v1/forget/previewed` and the `preview_token` before it expires: exactly the memories shown "
    "go, or the ones named among them.",
    responses=COMMON_PROBLEMS,
)
async def forget_preview(
    data: JSONBody[ForgetPreviewRequest],
    retriever: NamedDependency[Retriever],
    forgetter: NamedDependency[Forgetter],
    tenant: NamedDependency[str],
) -> ForgetPreview:
    signer = _signer(forgetter)
    matches, near, truncated = await find_to_forget(retriever, tenant, data)
    if data.mask_sensitive:
        matches, near = [masked(m, "content") for m in matches], [masked(m, "content") for m in near]
    selected_by = ForgetQuery.model_validate(data.model_dump(include=set(ForgetQuery.model_fields)))
    token, expires = (None, None)
    if matches:
        token, expires = preview_token(signer, tenant, [m.id for m in matches], selected_by)
    return ForgetPreview(
        selected_by=selected_by,
        matches=matches,
        near_misses=near,
        truncated=truncated,
        preview_token=token,
        expires_at=expires,
    )


@post(
    "/v1/forget/previewed",
    status_code=200,
    summary="Forget the memories a preview showed (all, or those named), by its token",
    description="The receipt is that of `POST /v1/forget` with ids, and records the query in "
    "`selected_by`. 422 naming `preview_token` for a token that expired, was edited or is another "
    "tenant's; naming `ids` for an id the preview did not show.",
    responses={**COMMON_PROBLEMS, **LOCKED},
)
async def forget_previewed(
    data: JSONBody[ForgetPreviewedRequest],
    forgetter: NamedDependency[Forgetter],
    tenant: NamedDependency[str],
) -> ForgetReceipt:
    shown, selected_by = previewed(_signer(forgetter), tenant, data.preview_token)
    chosen = shown if data.ids is None else [str(i) for i in data.ids]
    unseen = sorted(set(chosen) - set(shown))
    if unseen:
        raise InvalidInput(
            "ids: not among the preview's matches",
            problems=[
                FieldProblem("ids", f"{memory_id} was not in the preview") for memory_id in unseen[:20]
            ],
        )
    request = ForgetRequest(ids=[UUID(i) for i in chosen], wait_for_erasure=data.wait_for_erasure)
    return await forgetter.forget(tenant, request, selected_by)


@get(
    "/v1/memories/{memory_id:uuid}/history",
    summary="A memory's change history, oldest first (never its content)",
    responses={**COMMON_PROBLEMS, **NOT_FOUND},
)
async def memory_history(
    memory_id: FromPath[UUID], changes: NamedDependency[ChangeHistory], tenant: NamedDependency[str]
) -> MemoryHistory:
    return await changes.read(tenant, str(memory_id))


@get(
    "/v1/scopes/live",
    summary="The working-memory tasks and threads of a scope (those started with a `scope`)",
    responses=COMMON_PROBLEMS,
)
async def scope_holdings(
    working: NamedDependency[WorkingMemory],
    threads: NamedDependency[Threads],
    tenant: NamedDependency[str],
    query_scope: NamedDependency[Scope],
) -> ScopeHoldings:
    if not query_scope.items():
        raise InvalidInput("name a scope", problems=[FieldProblem("user_id", "give a scope field")])
    tasks = await working.store.in_scope(tenant, query_scope)
    thread_ids = await threads.store.in_scope(tenant, query_scope)
    return ScopeHoldings(task_ids=sorted(tasks), thread_ids=sorted(thread_ids))


@get(
    "/v1/memories/search",
    summary="The tenant's memories that match a query, best first (the explorer's search box)",
    description="Relevance alone: no recency or importance, no copies dropped, nothing packed for a model, "
    "and nothing counted as an access.",
    responses=COMMON_PROBLEMS,
)
async def search(
    *,  # keyword-only: the scope stands among defaulted parameters, in the order the schema lists
    retriever: NamedDependency[Retriever],
    catalog: NamedDependency[Catalog],
    tenant: NamedDependency[str],
    q: Annotated[str, QueryParameter(min_length=1, max_length=MAX_QUERY_CHARS)],
    memory_type: TypeParam = None,
    query_scope: NamedDependency[Scope],
    include_superseded: FromQuery[bool] = False,
    as_of: AsOfParam = None,
    as_of_view: AsOfViewParam = View.TRUE,
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_SEARCH_HITS)] = 20,
    mask_sensitive: MaskParam = False,
) -> SearchResults:
    query = q.strip()
    if not query:
        raise InvalidInput("the query is blank", problems=[FieldProblem("q", "give words to search for")])
    when = as_of_of(as_of, as_of_view)
    found = await search_memories(
        retriever, tenant, query, query_scope, memory_type, include_superseded, limit, when
    )
    records = await catalog.with_access(tenant, [r for r, _ in found])
    records = as_shown(records, mask_sensitive)
    hits = [SearchHit(memory=r, score=s) for r, (_, s) in zip(records, found, strict=True)]
    flt = MemoryFilter(tenant, query_scope, include_superseded=include_superseded)
    flt = current_filter(read_at(flt, when))
    left_out = await outdated_counts(catalog.index, flt, [memory_type] if memory_type else list(MemoryType))
    return SearchResults(query=query, hits=hits, left_out=left_out)


class InvalidateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: NonBlankStr = Field(min_length=1, max_length=500, description="why it no longer holds; kept")
    valid_until: IsoDatetime | None = Field(
        default=None, description="when it stopped (or stops) holding; default now"
    )


class Invalidated(BaseModel):
    memory: MemoryRecord
    stale: list[str] = Field(description="ids of the memories marked stale because they depend on it")


@post(
    "/v1/memories/{memory_id:uuid}/invalidate",
    status_code=200,
    summary="End a memory's validity without deleting it",
    responses=WITH_ID,
)
async def invalidate_memory(
    memory_id: FromPath[UUID],
    data: JSONBody[InvalidateRequest],
    lifecycle: NamedDependency[Lifecycle],
    catalog: NamedDependency[Catalog],
    tenant: NamedDependency[str],
) -> Invalidated:
    record = await catalog.find(tenant, str(memory_id))
    ended, stale = await lifecycle.invalidate(record, data.reason, data.valid_until)
    return Invalidated(memory=ended, stale=stale)


@get(
    "/v1/memories/stale",
    summary="The review feed: current memories marked stale, with the cause",
    description="Work through it with `POST /v1/memories/{id}/confirm` (still true) or "
    "`POST /v1/memories/{id}/invalidate` (no longer true); either takes a memory off the feed.",
    responses=COMMON_PROBLEMS,
)
async def stale_memories(
    *,  # keyword-only: the scope stands among defaulted parameters, in the order the schema lists
    catalog: NamedDependency[Catalog],
    tenant: NamedDependency[str],
    memory_type: TypeParam = None,
    query_scope: NamedDependency[Scope],
    limit: PageLimit = 50,
    cursor: CursorParam = None,
    mask_sensitive: MaskParam = False,
) -> MemoryPage:
    flt = MemoryFilter(tenant=tenant, scope=query_scope, stale=True)
    page = await catalog.page(current_filter(flt), memory_type, limit, cursor)
    records = as_shown(page.records, mask_sensitive)
    return MemoryPage(memories=records, next_cursor=page.next_cursor)
