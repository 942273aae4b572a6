"""The pure parts of api/guards/request_gate.py: Host names, depth scan, the last-resort 500 and liveness."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mnemo.api.guards.request_gate import (
    BodyProblem,
    LastResort,
    Liveness,
    check_depth,
    check_json_body,
    host_name,
)
from tests.unit.verdicts import answer_test

test_host_name = answer_test(
    host_name,
    [
        ("localhost:8080", "localhost"),
        ("127.0.0.1", "127.0.0.1"),
        ("[::1]:9", "::1"),
        ("[::1]", "::1"),
        ("LocalHost", "localhost"),
        ("evil.example:80", "evil.example"),
        ("127.0.0.1.evil.example", "127.0.0.1.evil.example"),
    ],
)


def test_depth_names_the_path_and_ignores_brackets_in_strings() -> None:
    check_depth('{"a": "[[[[[[[[[[{{{{{{{{{{", "b": [1, {"c": "\\"]]]]"}]}', max_depth=3)
    with pytest.raises(BodyProblem) as raised:
        check_depth('{"m": [1, {"k": [[{"deep": []}]]}]}', max_depth=4)
    assert raised.value.field == "m.1.k.0" and raised.value.status == 422


def test_a_body_of_ten_thousand_levels_is_refused_without_recursion() -> None:
    with pytest.raises(BodyProblem, match="nested deeper"):
        check_json_body(b"[" * 10_000 + b"]" * 10_000)


async def _call(app: Any, path: str = "/v1/x", method: str = "GET") -> tuple[int, dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app({"type": "http", "path": path, "method": method, "headers": []}, receive, send)
    return sent[0]["status"], json.loads(sent[1]["body"]) if sent[1]["body"] else {}


async def test_an_error_outside_the_routes_is_still_a_problem() -> None:
    async def broken(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("payload storage is corrupted")

    status, body = await _call(LastResort(broken))
    assert status == 500 and body["code"] == "internal" and "corrupted" not in json.dumps(body)


async def test_liveness_never_reaches_the_app() -> None:
    async def never(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the app was called")

    assert await _call(Liveness(never), "/health") == (200, {"status": "ok"})
    assert (await _call(Liveness(never), "/health", "HEAD"))[0] == 200


def test_brackets_inside_strings_are_not_nesting() -> None:
    check_json_body(json.dumps({"a": "[{" * 1_000, "b": ['\\"]' * 10, {"c": "\\\\[" * 500}]}).encode())
