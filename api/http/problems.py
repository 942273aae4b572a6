"""Errors → RFC 9457 problem details, in one table. Never a stack trace, never a bare 500."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.plugins.pydantic import PydanticInitPlugin
from pydantic import BaseModel, Field, ValidationError

from ...memtypes.errors import (
    Conflict,
    FieldProblem,
    Forbidden,
    InsufficientStorage,
    InvalidInput,
    MnemoError,
    NotFound,
    RateLimited,
    Unauthorized,
    Unavailable,
    UnknownModel,
)
from ..guards.problem_body import PROBLEM_JSON, problem_body

log = logging.getLogger("mnemo.api")
# exception type → (HTTP status, title); an error takes the entry of the first type it is an instance of
STATUS_BY_ERROR: dict[type[MnemoError], tuple[int, str]] = {
    UnknownModel: (422, "Unknown model"),
    InvalidInput: (422, "Invalid input"),
    NotFound: (404, "Not found"),
    Unauthorized: (401, "Unauthorized"),
    Forbidden: (403, "Forbidden"),
    Conflict: (409, "Conflict"),
    Unavailable: (503, "Service unavailable"),
    RateLimited: (429, "Too many requests"),
    InsufficientStorage: (507, "Insufficient storage"),
}


class FieldError(BaseModel):
    field: str
    message: str


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, as every error response of mnemo carries them."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    code: str
    errors: list[FieldError] | None = None
    request_id: str | None = Field(
        default=None, description="this request's id (the X-Request-ID header): quote it when reporting"
    )


def _spec(description: str) -> ResponseSpec:
    return ResponseSpec(
        ProblemDetails, description=description, media_type=PROBLEM_JSON, generate_examples=False
    )


# The error responses routes may give, documented in the OpenAPI schema.
COMMON_PROBLEMS: dict[int, ResponseSpec] = {
    400: _spec("Malformed request (the body is not JSON or not UTF-8, two Authorization headers)"),
    401: _spec("Missing or unknown API key"),
    403: _spec("A cross-site `Origin`, or a foreign `Host` on a keyless server (api/guards/request_gate.py)"),
    413: _spec("Request body too large"),
    415: _spec("The body is not `application/json`"),
    422: _spec("Invalid input; `errors` names each field"),
    429: _spec("The tenant's rate limit is used up; retry after `Retry-After` seconds"),
    503: _spec("A dependency is unavailable; retry after `Retry-After` seconds"),
}
NOT_FOUND = {404: _spec("No such memory in this tenant")}
CONFLICT = {409: _spec("The memory's type does not allow this")}
NOT_SUPERSEDED = {409: _spec("The memory is current (not superseded): nothing to restore")}
LOCKED = {
    409: _spec(
        "Another request is changing this task or thread (`lock_timeout`); retry after `Retry-After`. "
        "Or, for a turn with `if_last_seq`, the thread has moved on (`conflict`): read it again"
    )
}
AGENT_PROBLEMS = {**COMMON_PROBLEMS, 403: _spec("The agent binds the memory read-only (`read_only_memory`)")}
NO_THREAD = {404: _spec("No such thread in this tenant (or it expired)")}
THREAD_EXISTS = {409: _spec("A thread of this id exists with another scope or parent")}


def problem(
    status: int,
    title: str,
    detail: str,
    code: str,
    request: Request[Any, Any, Any],
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    body = problem_body(status, title, detail, code, request.url.path)
    if errors:
        body["errors"] = errors
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def mnemo_error_handler(request: Request[Any, Any, Any], exc: MnemoError) -> Response[Any]:
    status, title = next((v for k, v in STATUS_BY_ERROR.items() if isinstance(exc, k)), (500, "Error"))
    errors = [{"field": p.field, "message": p.message} for p in exc.problems]
    retry_after = getattr(exc, "retry_after_s", None)  # Unavailable, LockTimeout, RateLimited
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    if isinstance(exc, Unauthorized):
        headers = {"WWW-Authenticate": 'Bearer realm="mnemo"'}
    return problem(status, title, exc.detail, exc.code, request, errors, headers)


TypeDecoder = tuple[Callable[[Any], bool], Callable[[Any, Any], Any]]  # (which types, how to decode one)


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _validated_body(model: type[BaseModel], value: Any, strict: bool = False) -> BaseModel:
    """A request body, validated into its model; each error names the body's field (`scope.user_id`,
    `memories.0.type`, `body` for the whole), as a 422 problem."""
    try:
        return model.model_validate(value, strict=strict)
    except ValidationError as exc:
        problems = [
            FieldProblem(".".join(str(part) for part in error["loc"]) or "body", error["msg"])
            for error in exc.errors(include_url=False, include_input=False)
        ]
        raise InvalidInput("the request does not match the schema", problems=problems) from None


class RequestBodies(PydanticInitPlugin):
    """Litestar's pydantic support, with request bodies validated by `_validated_body`.

    Litestar's own decoder reports a body error by the field's name alone, and takes an error named
    like a dependency (`tenant`, `settings`, any name providers.py gives) for that dependency's own
    failure: a body key `tenant` was a 500, or left out of a 422 that had other errors. An
    `InvalidInput` raised while decoding is no validation error to Litestar: it reaches
    `mnemo_error_handler` as it is. (Dependencies arrive as instances and are not decoded.)"""

    @classmethod
    def decoders(cls, validate_strict: bool = False) -> list[TypeDecoder]:
        bodies = partial(_validated_body, strict=validate_strict)
        return [(_is_model, bodies), *super().decoders(validate_strict)]


def validation_handler(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    errors = [
        {"field": str(e.get("key") or e.get("source") or "body"), "message": str(e.get("message", ""))}
        for e in extra
        if isinstance(e, dict)
    ]
    if errors == [{"field": "data", "message": "'data'"}]:  # Litestar's way of saying "no body at all"
        return problem(400, "Malformed request", "a JSON body is required", "malformed_json", request)
    if errors:
        return problem(
            422, "Invalid input", "the request does not match the schema", "invalid_input", request, errors
        )
    return problem(
        400, "Malformed request", f"the body is not valid JSON: {exc.detail}", "malformed_json", request
    )


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    codes = {400: "malformed_json", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}
    code = codes.get(exc.status_code, "http_error")
    return problem(exc.status_code, str(exc.detail), str(exc.detail), code, request, headers=exc.headers)


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(
        500, "Internal error", "an unexpected error occurred; it has been logged", "internal", request
    )
