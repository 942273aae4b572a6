"""Errors: one `MnemoError` carrying the server's problem details, a subclass per class of problem.

The clients raise only these: every non-2xx answer, every answer they cannot read, every request
they refuse to send, and no answer at all — never a raw httpx or pydantic exception.
"""

from __future__ import annotations

from typing import Any


class MnemoError(Exception):
    """A request mnemo refused or could not serve.

    `status` is the HTTP status (None when no answer arrived), `code` the problem's stable code
    (`invalid_input`, `unknown_model`, `not_found`, …), `errors` the fields it names
    (`[{"field": …, "message": …}]`), `request_id` the id to quote when reporting, and
    `retry_after` the seconds the server asked to wait (429, 503, a lock timeout).
    """

    def __init__(
        self,
        detail: str,
        *,
        status: int | None = None,
        code: str = "error",
        errors: list[dict[str, str]] | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        problem: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {detail}" if status is not None else detail)
        self.detail = detail
        self.status = status
        self.code = code
        self.errors = errors or []
        self.request_id = request_id
        self.retry_after = retry_after
        self.problem = problem or {}

    # The RFC 9457 members beyond detail/status (empty when the problem did not come from mnemo).
    @property
    def type(self) -> str:
        return str(self.problem.get("type") or "about:blank")

    @property
    def title(self) -> str:
        return str(self.problem.get("title") or "")

    @property
    def instance(self) -> str | None:
        value = self.problem.get("instance")
        return None if value is None else str(value)


class MnemoConnectionError(MnemoError):
    """No answer: the server is down, unreachable, or did not answer within the timeout."""


class BadRequest(MnemoError):
    """400: the request could not be read (malformed JSON, no body)."""


class AuthenticationError(MnemoError):
    """401: a missing or unknown API key."""


class PermissionDenied(MnemoError):
    """403: e.g. writing through a read-only memory binding."""


class NotFound(MnemoError):
    """404: no such memory or thread in this tenant."""


class Conflict(MnemoError):
    """409: the memory's type does not allow this, or another request holds the lock."""


class PayloadTooLarge(MnemoError):
    """413: the request body is over the server's limit."""


class UnsupportedMediaType(MnemoError):
    """415: the body is not `application/json`."""


class InvalidInput(MnemoError):
    """422: the request does not validate; `errors` names each field. Also raised before sending
    (`status` None) when the client's own models refuse the arguments."""


class UnknownModel(InvalidInput):
    """422 `unknown_model`: the model is not in the server's registry."""


class RateLimited(MnemoError):
    """429: the tenant's rate limit is used up (retried automatically first)."""


class Unavailable(MnemoError):
    """503: a dependency is unavailable (retried automatically first)."""


class ServerError(MnemoError):
    """Any other 5xx."""


class UnexpectedResponse(MnemoError):
    """A 2xx answer this client cannot read: not JSON, or not the shape it expects (a proxy's page,
    another service on the port, a server of another version). `errors` names the fields that did
    not match; `problem["body"]` holds the start of the body."""


# The names the issue tracker and other clients use, for the three errors callers handle most.
MnemoValidationError = InvalidInput
MnemoNotFound = NotFound
MnemoUnavailable = Unavailable
MnemoUnexpectedResponse = UnexpectedResponse


_BY_STATUS: dict[int, type[MnemoError]] = {
    400: BadRequest,
    401: AuthenticationError,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    422: InvalidInput,
    429: RateLimited,
    503: Unavailable,
}


def error_class(status: int, code: str) -> type[MnemoError]:
    if code == "unknown_model":
        return UnknownModel
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    return ServerError if status >= 500 else MnemoError
