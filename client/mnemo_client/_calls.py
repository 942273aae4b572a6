"""Every API operation as a `Call`: method, path, query, JSON body and how to read the answer.

The sync and the async client only differ in how they send a call, so both build their calls here
and the request shapes live in one place.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from mnemo_client.errors import InvalidInput, MnemoError, UnexpectedResponse, error_class
from mnemo_client.models import (
    Invalidated,
    MemoryIn,
    MemoryPage,
    MemoryRecord,
    RankRequest,
    RankResults,
    RetrieveRequest,
    RetrieveResult,
    SearchResults,
    ThreadIn,
    TurnIn,
    WorkingItemIn,
    WriteRequest,
    WriteResponse,
)
from mnemo_client.state_models import (
    AppendResult,
    ClearResult,
    DueList,
    ErasureStatus,
    ForgetPreview,
    ForgetPreviewedRequest,
    ForgetPreviewRequest,
    ForgetReceipt,
    ForgetRequest,
    MemoryHistory,
    SigningKeys,
    Thread,
    ThreadHistory,
    Turn,
    WorkingView,
)

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
DEFAULT_URL = "http://127.0.0.1:8080"
USER_AGENT = "mnemo-client/0.1.0"
# The filters of `GET /v1/memories`; `limit` is the page size, `list()` iterates every page anyway.
LIST_FILTERS = frozenset(
    {
        "type",
        "user_id",
        "agent_id",
        "thread_id",
        "namespace",
        "include_superseded",
        "as_of",
        "as_of_view",
        "limit",
        "mask_sensitive",
    }
)
SCOPE_FIELDS = ("user_id", "agent_id", "thread_id", "namespace")
SEARCH_FILTERS = frozenset(
    {"type", *SCOPE_FIELDS, "include_superseded", "as_of", "as_of_view", "limit", "mask_sensitive"}
)
DUE_FILTERS = frozenset(
    {"now", "within_minutes", "user_id", "agent_id", "thread_id", "as_of", "as_of_view", "limit"}
)
STALE_FILTERS = frozenset({"type", *SCOPE_FIELDS, "limit", "mask_sensitive"})
# What httpx raises when a request got no answer (InvalidURL is no HTTPError): MnemoConnectionError.
NO_ANSWER = (httpx.HTTPError, httpx.InvalidURL)


@dataclass(frozen=True)
class Call(Generic[T]):
    method: str
    path: str
    parse: Callable[[Any], T]
    params: Mapping[str, str] | None = None
    body: dict[str, Any] | None = None
    timeout: float | None = None  # seconds, for this call instead of the client's


def _model(cls: type[M]) -> Callable[[Any], M]:
    return cls.model_validate


def _nothing(_: Any) -> None:
    return None


def _field_errors(exc: ValidationError) -> list[dict[str, str]]:
    # The server's naming of a field: its path joined by dots (`memories.0.content`).
    return [
        {"field": ".".join(str(part) for part in error["loc"]) or "body", "message": error["msg"]}
        for error in exc.errors()
    ]


def _request(cls: type[M], data: Any, what: str) -> M:
    """The request model of `data`, or `InvalidInput` (status None: nothing was sent)."""
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        errors = _field_errors(exc)
        named = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        raise InvalidInput(f"{what}: {named}", code="invalid_input", errors=errors) from exc


def _segment(value: str) -> str:
    return quote(str(value), safe="")


def _body(model: BaseModel) -> dict[str, Any]:
    # Only fields that were given: the server rejects unknown ones and defaults the rest itself.
    return model.model_dump(mode="json", exclude_none=True)


def _query(filters: Mapping[str, Any], allowed: frozenset[str], what: str) -> dict[str, str]:
    unknown = sorted(set(filters) - allowed)
    if unknown:
        raise TypeError(
            f"{what}: unknown filter(s) {', '.join(unknown)}; known: {', '.join(sorted(allowed))}"
        )
    out: dict[str, str] = {}
    for key, value in filters.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, datetime):
            out[key] = value.isoformat()
        else:
            out[key] = str(value)
    return out


def write(
    memories: MemoryIn | Mapping[str, Any] | Sequence[MemoryIn | Mapping[str, Any]], options: dict[str, Any]
) -> Call[WriteResponse]:
    items = [memories] if isinstance(memories, MemoryIn | Mapping) else list(memories)
    request = _request(WriteRequest, {"memories": items, **options}, "write")
    return Call("POST", "/v1/memories", _model(WriteResponse), body=_body(request))


def retrieve(query: str, fields: dict[str, Any]) -> Call[RetrieveResult]:
    given = {k: v for k, v in fields.items() if v is not None}
    request = _request(RetrieveRequest, {"query": query, **given}, "retrieve")
    return Call("POST", "/v1/retrieve", _model(RetrieveResult), body=_body(request))


def get(memory_id: str, mask_sensitive: bool) -> Call[MemoryRecord]:
    params = {"mask_sensitive": "true"} if mask_sensitive else None
    return Call("GET", f"/v1/memories/{_segment(memory_id)}", _model(MemoryRecord), params=params)


def delete(memory_id: str) -> Call[None]:
    return Call("DELETE", f"/v1/memories/{_segment(memory_id)}", _nothing)


def list_page(filters: Mapping[str, Any], cursor: str | None, stale: bool = False) -> Call[MemoryPage]:
    """A page of `GET /v1/memories`, or with `stale` of its review feed (`/v1/memories/stale`)."""
    params = _query(filters, STALE_FILTERS if stale else LIST_FILTERS, "stale" if stale else "list")
    if cursor is not None:
        params["cursor"] = cursor
    return Call("GET", "/v1/memories/stale" if stale else "/v1/memories", _model(MemoryPage), params=params)


def search(query: str, filters: Mapping[str, Any]) -> Call[SearchResults]:
    params = {"q": query, **_query(filters, SEARCH_FILTERS, "search")}
    return Call("GET", "/v1/memories/search", _model(SearchResults), params=params)


def history(memory_id: str) -> Call[MemoryHistory]:
    return Call("GET", f"/v1/memories/{_segment(memory_id)}/history", _model(MemoryHistory))


# A forget that waits for its erasure answers after a rebuild of each affected type (~1 min at 100k).
WAIT_FOR_ERASURE_TIMEOUT_S = 600.0


def forget(fields: dict[str, Any]) -> Call[ForgetReceipt]:
    """`scope`, or the scope's fields given one by one (`user_id=`, …): sent as `scope` either way."""
    given = {k: v for k, v in fields.items() if v is not None}
    one_by_one = {k: given.pop(k) for k in SCOPE_FIELDS if k in given}
    if one_by_one:
        if "scope" in given:
            raise TypeError(f"forget: give scope or {', '.join(one_by_one)}, not both")
        given["scope"] = one_by_one
    request = _request(ForgetRequest, given, "forget")
    timeout = WAIT_FOR_ERASURE_TIMEOUT_S if request.wait_for_erasure else None
    return Call("POST", "/v1/forget", _model(ForgetReceipt), body=_body(request), timeout=timeout)


def forget_preview(fields: dict[str, Any]) -> Call[ForgetPreview]:
    request = _request(
        ForgetPreviewRequest, {k: v for k, v in fields.items() if v is not None}, "forget preview"
    )
    return Call("POST", "/v1/forget/preview", _model(ForgetPreview), body=_body(request))


def forget_previewed(fields: dict[str, Any]) -> Call[ForgetReceipt]:
    request = _request(ForgetPreviewedRequest, {k: v for k, v in fields.items() if v is not None}, "forget")
    timeout = WAIT_FOR_ERASURE_TIMEOUT_S if request.wait_for_erasure else None
    return Call("POST", "/v1/forget/previewed", _model(ForgetReceipt), body=_body(request), timeout=timeout)


def erasure(digest: str) -> Call[ErasureStatus]:
    return Call("GET", f"/v1/forget/{_segment(digest)}", _model(ErasureStatus))


def signing_keys() -> Call[SigningKeys]:
    return Call("GET", "/v1/forget/keys", _model(SigningKeys))


def lifecycle(memory_id: str, action: str) -> Call[MemoryRecord]:
    """`complete` / `cancel` a prospective memory, count a `used` procedure."""
    return Call("POST", f"/v1/memories/{_segment(memory_id)}/{action}", _model(MemoryRecord))


def invalidate(memory_id: str, reason: str, valid_until: datetime | str | None) -> Call[Invalidated]:
    until = valid_until.isoformat() if isinstance(valid_until, datetime) else valid_until
    body = {"reason": reason} if until is None else {"reason": reason, "valid_until": until}
    path = f"/v1/memories/{_segment(memory_id)}/invalidate"
    return Call("POST", path, _model(Invalidated), body=body)


def due(filters: Mapping[str, Any]) -> Call[DueList]:
    return Call("GET", "/v1/prospective/due", _model(DueList), params=_query(filters, DUE_FILTERS, "due"))


def working_append(task_id: str, fields: dict[str, Any]) -> Call[AppendResult]:
    item = _request(WorkingItemIn, {k: v for k, v in fields.items() if v is not None}, "working append")
    path = f"/v1/working/{_segment(task_id)}/items"
    return Call("POST", path, _model(AppendResult), body=_body(item))


def working_read(task_id: str, mask_sensitive: bool) -> Call[WorkingView]:
    params = {"mask_sensitive": "true"} if mask_sensitive else None
    return Call("GET", f"/v1/working/{_segment(task_id)}", _model(WorkingView), params=params)


def working_clear(task_id: str, force: bool) -> Call[ClearResult]:
    params = {"force": "true"} if force else None
    return Call("DELETE", f"/v1/working/{_segment(task_id)}", _model(ClearResult), params=params)


def thread_create(fields: dict[str, Any]) -> Call[Thread]:
    request = _request(ThreadIn, {k: v for k, v in fields.items() if v is not None}, "thread create")
    return Call("POST", "/v1/threads", _model(Thread), body=_body(request))


def rank(query: str, fields: dict[str, Any]) -> Call[RankResults]:
    request = _request(RankRequest, {"query": query, **fields}, "rank")
    return Call("POST", "/v1/memories/rank", _model(RankResults), body=_body(request))


def thread_append(thread_id: str, fields: dict[str, Any]) -> Call[Turn]:
    turn = _request(TurnIn, {k: v for k, v in fields.items() if v is not None}, "thread append")
    return Call("POST", f"/v1/threads/{_segment(thread_id)}/turns", _model(Turn), body=_body(turn))


def thread_history(thread_id: str, budget_tokens: int | None, mask_sensitive: bool) -> Call[ThreadHistory]:
    params = {} if budget_tokens is None else {"budget_tokens": str(budget_tokens)}
    if mask_sensitive:
        params["mask_sensitive"] = "true"
    path = f"/v1/threads/{_segment(thread_id)}/history"
    return Call("GET", path, _model(ThreadHistory), params=params)


# --- sending, shared by both clients ----------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """Retries of 429 and 503 answers: wait `Retry-After` when the server says (up to `max_wait_s`,
    beyond which the error is raised at once), else `backoff_s * 2**attempt` with jitter. With a
    `deadline_s`, as many retries as fit in that many seconds from the first try, instead of
    `max_retries`: what a framework's burst of parallel calls needs to get through a busy tenant."""

    max_retries: int = 2
    backoff_s: float = 0.5
    max_wait_s: float = 30.0
    deadline_s: float | None = None

    def delay(self, attempt: int, error: MnemoError, elapsed_s: float = 0.0) -> float | None:
        """Seconds to wait before retry number `attempt + 1` (`elapsed_s` after the first try), or
        None: do not retry."""
        if error.status not in (429, 503):
            return None
        if self.deadline_s is None and attempt >= self.max_retries:
            return None
        if error.retry_after is not None:
            wait = error.retry_after if error.retry_after <= self.max_wait_s else None
        else:
            backoff = min(self.max_wait_s, self.backoff_s * 2.0**attempt)
            wait = backoff * (0.5 + random.random() / 2)  # noqa: S311
        if wait is not None and self.deadline_s is not None and elapsed_s + wait > self.deadline_s:
            return None
        return wait


def headers(api_key: str | None, extra: Mapping[str, str] | None) -> dict[str, str]:
    out = {"User-Agent": USER_AGENT, "Accept": "application/json"}
    if api_key:
        out["Authorization"] = f"Bearer {api_key}"
    out.update(extra or {})
    return out


def request_args(call: Call[Any]) -> dict[str, Any]:
    args: dict[str, Any] = {"params": call.params}
    if call.body is not None:
        args["json"] = call.body  # httpx sends it as `Content-Type: application/json`
    if call.timeout is not None:
        args["timeout"] = call.timeout
    return args


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("retry-after")
    try:
        return None if raw is None else max(0.0, float(raw))
    except ValueError:
        return None  # an HTTP date: rare from mnemo, and the backoff covers it


def error_of(response: httpx.Response) -> MnemoError:
    try:
        problem = response.json()
    except ValueError:
        problem = None
    if not isinstance(problem, dict):
        problem = {"detail": response.text[:500] or response.reason_phrase, "code": "http_error"}
    code = str(problem.get("code") or "http_error")
    errors = problem.get("errors") if isinstance(problem.get("errors"), list) else None
    return error_class(response.status_code, code)(
        str(problem.get("detail") or problem.get("title") or response.reason_phrase),
        status=response.status_code,
        code=code,
        errors=errors,
        request_id=problem.get("request_id") or response.headers.get("x-request-id"),
        retry_after=_retry_after(response),
        problem=problem,
    )


def _unexpected(
    response: httpx.Response, detail: str, errors: list[dict[str, str]] | None = None
) -> UnexpectedResponse:
    body = response.text[:500]
    return UnexpectedResponse(
        detail,
        status=response.status_code,
        code="unexpected_response",
        errors=errors,
        request_id=response.headers.get("x-request-id"),
        problem={"detail": detail, "status": response.status_code, "body": body},
    )


def result_of(call: Call[T], response: httpx.Response) -> T:
    # Every non-2xx is an error: a 3xx too (the client follows no redirects; mnemo sends none).
    if not 200 <= response.status_code < 300:
        raise error_of(response)
    try:
        data = response.json() if response.content else None
    except ValueError as exc:
        kind = response.headers.get("content-type", "no content type")
        raise _unexpected(response, f"{call.method} {call.path}: the answer is not JSON ({kind})") from exc
    try:
        return call.parse(data)
    except ValidationError as exc:
        errors = _field_errors(exc)
        detail = f"{call.method} {call.path}: the answer is not the expected shape ({len(errors)} field(s))"
        raise _unexpected(response, detail, errors) from exc
