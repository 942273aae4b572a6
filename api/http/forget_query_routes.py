"""HTTP routes of forget by query: a preview of what a query (or a kind of sensitive data) selects,
then the previewed memories forgotten by the preview's token, with a signed receipt that records the
query."""

from __future__ import annotations

from litestar import post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from ...ingest.forget import Forgetter
from ...memtypes.errors import FieldProblem, InvalidInput, Unavailable
from ...memtypes.governance.forget import ForgetReceipt, ForgetRequest
from ...memtypes.governance.forget_query import (
    ForgetPreview,
    ForgetPreviewedRequest,
    ForgetPreviewRequest,
    ForgetQuery,
    preview_token,
    previewed,
)
from ...memtypes.governance.signing import Signer
from ...memtypes.privacy.masking import masked_previews
from ...retrieval.forget_search import find_to_forget
from ...retrieval.pipeline import Retriever
from .problems import COMMON_PROBLEMS, LOCKED


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
        matches, near = masked_previews(matches), masked_previews(near)
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
    request = ForgetRequest(ids=chosen, wait_for_erasure=data.wait_for_erasure)
    return await forgetter.forget(tenant, request, selected_by)
