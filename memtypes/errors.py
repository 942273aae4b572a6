"""Domain errors. Each carries a stable `code`; `api/` maps codes to HTTP problem details in one table."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str


class MnemoError(Exception):
    """Base of every error mnemo raises on purpose."""

    code = "mnemo_error"

    def __init__(self, detail: str, *, problems: list[FieldProblem] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.problems = problems or []


class InvalidInput(MnemoError):
    code = "invalid_input"


class UnknownModel(InvalidInput):
    code = "unknown_model"


class NotFound(MnemoError):
    code = "not_found"


class Unauthorized(MnemoError):
    code = "unauthorized"


class Conflict(MnemoError):
    code = "conflict"


class LockTimeout(Conflict):
    """Another writer holds the lock of this resource and did not release it within the bounded wait."""

    code = "lock_timeout"
    retry_after_s = 1


class UnreadableTask(Conflict):
    """A working-memory task whose stored state cannot be read back (written by hand, or by another
    version): it is kept as it is until a forced clear archives its raw text."""

    code = "unreadable_task"


class InsufficientStorage(MnemoError):
    """Too little free space to store a write safely (below the configured reserve, or the engine
    said so): nothing was written; reads still work; writes succeed again once space is freed."""

    code = "insufficient_storage"
    retry_after_s = 30

    def __init__(self, detail: str, store: str = "data dir", free_bytes: int = 0) -> None:
        super().__init__(detail)
        self.store = store
        self.free_bytes = free_bytes

    def __reduce__(self) -> tuple[object, ...]:  # crosses the engine process's pipe as itself
        return (type(self), (self.detail, self.store, self.free_bytes))

    @classmethod
    def of(cls, store: str, path: str, free_bytes: int, reserve_bytes: int) -> InsufficientStorage:
        mib = 1024 * 1024
        return cls(
            f"the {store} store ({path}) has {free_bytes / mib:.1f} MiB free, under the "
            f"{reserve_bytes / mib:.1f} MiB reserve (MNEMO_STORAGE_RESERVE_MB): the write was not stored; "
            "free space and retry, nothing needs restarting",
            store,
            free_bytes,
        )


class RateLimited(MnemoError):
    """The tenant has used up its request allowance; `retry_after_s` says when the next one fits."""

    code = "rate_limited"

    def __init__(self, detail: str, *, retry_after_s: int) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


@dataclass
class Unavailable(MnemoError):
    """A dependency (Redis, a Qdrant server) cannot serve the request right now."""

    detail: str
    dependency: str = "unknown"
    retry_after_s: int = 5
    problems: list[FieldProblem] = field(default_factory=list)

    code = "unavailable"

    def __post_init__(self) -> None:
        Exception.__init__(self, self.detail)


@dataclass
class TypeUnavailable(Unavailable):
    """One memory type's store cannot serve (an engine error being recovered, damage found at start);
    the other types serve on. `memory_type`: the type's value."""

    memory_type: str = ""

    code = "type_unavailable"


class Forbidden(MnemoError):
    """The caller may not do this (e.g. write through a read-only memory binding)."""

    code = "forbidden"


class ReadOnlyMemory(Forbidden):
    code = "read_only_memory"


class UnknownAgent(InvalidInput):
    """A request names an agent that no `MNEMO_CONFIG` binding defines for its tenant."""

    code = "unknown_agent"


PROBLEM_JSON = "application/problem+json"  # the media type of a problem body


def problem_body(
    status: int, title: str, detail: str, code: str, instance: str, request_id: str | None = None
) -> dict[str, Any]:
    """The RFC 9457 body of an error response, its members in the order every mnemo error carries
    them: the native API's (api/guards/problem_body.py) and the vendor protocols' (compat/edge.py)."""
    body: dict[str, Any] = {
        "type": f"https://mnemo.dev/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
    }
    if request_id is not None:
        body["request_id"] = request_id
    return body
