"""The RFC 9457 body of every error: the request gate answers with it before routing, and
`api/http/problems.py` after it, so both speak the same shape."""

from __future__ import annotations

from typing import Any

from ...memtypes.errors import PROBLEM_JSON
from ...memtypes.errors import problem_body as bare_problem_body
from ..config.logs import current_request

__all__ = ["PROBLEM_JSON", "problem_body"]


def problem_body(status: int, title: str, detail: str, code: str, instance: str) -> dict[str, Any]:
    """The problem body, with the current request's id to quote when reporting."""
    context = current_request()
    request_id = context.request_id if context is not None else None
    return bare_problem_body(status, title, detail, code, instance, request_id)
