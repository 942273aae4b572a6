"""The RFC 9457 body of every error: the request gate answers with it before routing, and
`api/http/problems.py` after it, so both speak the same shape."""

from __future__ import annotations

from typing import Any

from ..config.logs import current_request

PROBLEM_JSON = "application/problem+json"


def problem_body(status: int, title: str, detail: str, code: str, instance: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"https://mnemo.dev/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        "code": code,
    }
    if (context := current_request()) is not None:
        body["request_id"] = context.request_id
    return body
