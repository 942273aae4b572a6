"""Forget by what memories are about: a query (and filters) previewed first, then the previewed
memories forgotten, exactly those, by a signed preview token that expires.

The token is the preview's own signature: the tenant, the ids shown, the query and when it expires,
signed with the service's key (memtypes/governance/signing.py). The confirming call cannot add an
id the preview did not show, nor use another tenant's preview, an edited one or an expired one;
any replica holding the key checks it, nothing is stored between the two calls.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..errors import FieldProblem, InvalidInput
from ..jsontypes import IsoDatetime, JsonBool, JsonFloat, JsonInt
from ..privacy.detectors import SensitiveKind
from ..records import NonBlankStr, Scope, utcnow
from ..types import MemoryType
from .history import receipt_time
from .signing import SignatureInvalid, Signer, verify

MAX_QUERY_CHARS = 2_000
MAX_PREVIEW_MATCHES = 500
PREVIEW_KIND = "mnemo-forget-preview/1"
# Long enough to read a preview and untick a few rows; short enough that what it shows is still
# what is stored when it is confirmed.
PREVIEW_TTL = timedelta(minutes=15)
# A memory at least this likely to be about the query is a match (the rest, near misses, stay).
DEFAULT_MIN_CONFIDENCE = 0.5


class ForgetQuery(BaseModel):
    """What selects the memories to forget: what they are about (`query`), what they hold
    (`sensitive`), or both; within a scope, types and a time window, always the caller's tenant."""

    model_config = ConfigDict(extra="forbid")

    query: NonBlankStr | None = Field(
        default=None, min_length=1, max_length=MAX_QUERY_CHARS, description="what the memories are about"
    )
    sensitive: list[SensitiveKind] | None = Field(
        default=None,
        min_length=1,
        max_length=len(SensitiveKind),
        description="only memories tagged on write as holding one of these (e.g. `card`)",
    )
    scope: Scope = Field(default_factory=Scope)
    types: list[MemoryType] | None = Field(default=None, min_length=1, max_length=len(MemoryType))
    occurred_after: IsoDatetime | None = None
    occurred_before: IsoDatetime | None = None
    min_confidence: JsonFloat | None = Field(
        default=None,
        ge=0.0,
        le=1.0,
        description=f"with a query: the cut-off, how likely a memory must be to be about it (default "
        f"{DEFAULT_MIN_CONFIDENCE}); those under it are the near misses, which stay",
    )

    @model_validator(mode="after")
    def _selects_something(self) -> ForgetQuery:
        if self.query is None and self.sensitive is None:
            raise ValueError("give a query, sensitive kinds, or both")
        if self.occurred_after and self.occurred_before and self.occurred_after >= self.occurred_before:
            raise ValueError("occurred_after must be before occurred_before")
        return self


class ForgetPreviewRequest(ForgetQuery):
    limit: JsonInt = Field(default=100, ge=1, le=MAX_PREVIEW_MATCHES, description="matches at most")
    near_misses: JsonInt = Field(
        default=5, ge=0, le=50, description="how many of those just under the cut-off"
    )
    mask_sensitive: JsonBool = Field(
        default=False, description="secrets and personal data shown as typed placeholders (`[CARD]`)"
    )


class PreviewedMemory(BaseModel):
    id: str
    type: MemoryType
    content: str
    scope: Scope
    occurred_at: datetime
    confidence: float | None = Field(description="how likely it is about the query; null without a query")
    why: str = Field(description="why it matched (or nearly): the query's words it holds, its kinds")


class ForgetPreview(BaseModel):
    selected_by: ForgetQuery
    matches: list[PreviewedMemory] = Field(description="what a confirmation forgets, most likely first")
    near_misses: list[PreviewedMemory] = Field(description="just under the cut-off: these stay")
    truncated: bool = Field(description="more memories matched than `limit`: narrow the query")
    preview_token: str | None = Field(
        description="confirm with it (`POST /v1/forget/previewed`) before `expires_at`; null: nothing matched"
    )
    expires_at: datetime | None


class ForgetPreviewedRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    preview_token: str = Field(min_length=1, max_length=64_000)
    ids: list[UUID] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_PREVIEW_MATCHES,
        description="forget only these of the preview's matches (default: all of them)",
    )
    wait_for_erasure: JsonBool = Field(default=False, description="as for `POST /v1/forget`")


def preview_token(
    signer: Signer, tenant: str, ids: list[str], selected_by: ForgetQuery
) -> tuple[str, datetime]:
    expires = utcnow() + PREVIEW_TTL
    document: dict[str, Any] = {
        "tenant": tenant,
        "ids": sorted(ids),
        "selected_by": selected_by.model_dump(mode="json", exclude_none=True),
        "expires_at": receipt_time(expires),
    }
    document["signature"] = signer.sign(PREVIEW_KIND, document)
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("="), expires


def previewed(signer: Signer, tenant: str, token: str) -> tuple[list[str], ForgetQuery]:
    """The ids and the query a token of this tenant's names; a 422 naming `preview_token` if it is not
    one this service issued to this tenant, was edited, or has expired."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        document = json.loads(raw)
        verify(PREVIEW_KIND, document, signer.public_key)
        ids, selected_by = (
            [str(i) for i in document["ids"]],
            ForgetQuery.model_validate(document["selected_by"]),
        )
        expires = datetime.fromisoformat(str(document["expires_at"]).replace("Z", "+00:00"))
    except (
        binascii.Error,
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        SignatureInvalid,
        ValidationError,
    ):
        raise _bad_token("not a preview token this service issued, or edited since") from None
    if document.get("tenant") != tenant:
        raise _bad_token("not a preview of this tenant's memories")
    if expires <= utcnow():
        raise _bad_token(f"expired at {document['expires_at']}: preview again")
    return ids, selected_by


def _bad_token(why: str) -> InvalidInput:
    return InvalidInput(f"preview_token: {why}", problems=[FieldProblem("preview_token", why)])
