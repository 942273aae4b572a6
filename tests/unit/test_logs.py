"""Log formats and request-id rules, without a server."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from mnemo.api.config.logs import (
    RequestContext,
    configure_logging,
    enter_request,
    leave_request,
    resolve_format,
)
from mnemo.api.guards.request_context import SAFE_REQUEST_ID


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_auto_is_text_at_a_terminal_and_json_elsewhere() -> None:
    assert resolve_format("auto", Terminal()) == "text"
    assert resolve_format("auto", io.StringIO()) == "json"
    assert resolve_format("json", Terminal()) == "json"
    assert resolve_format("text", io.StringIO()) == "text"


def test_json_lines_carry_the_request_context_and_extras(restore_root: None) -> None:
    stream = io.StringIO()
    configure_logging("INFO", "json", stream)
    log = logging.getLogger("mnemo.test")
    log.info("outside")
    token = enter_request(RequestContext("req-1", tenant="acme"))
    try:
        log.info("inside %d", 7, extra={"route": "/v1/retrieve"})
        log.debug("not at INFO")
    finally:
        leave_request(token)
    outside, inside = (json.loads(line) for line in stream.getvalue().splitlines())
    assert "request_id" not in outside and outside["message"] == "outside"
    assert inside["message"] == "inside 7" and inside["request_id"] == "req-1"
    assert inside["tenant"] == "acme" and inside["route"] == "/v1/retrieve" and inside["level"] == "INFO"


def test_text_lines_are_readable(restore_root: None) -> None:
    stream = Terminal()
    configure_logging("INFO", "auto", stream)
    token = enter_request(RequestContext("req-2", tenant="acme"))
    try:
        logging.getLogger("mnemo.test").warning("careful", extra={"status": 503})
        logging.getLogger("mnemo.access").info("GET /x 200", extra={"route": "/x", "status": 200})
    finally:
        leave_request(token)
    careful, access = stream.getvalue().splitlines()
    assert " WARNING mnemo.test [req-2]: careful" in careful and careful.endswith("status=503 tenant=acme")
    assert access.endswith("[req-2]: GET /x 200 tenant=acme")  # what the message shows is not repeated


def test_configuring_twice_does_not_double_lines(restore_root: None) -> None:
    stream = io.StringIO()
    configure_logging("INFO", "json", io.StringIO())
    configure_logging("INFO", "json", stream)
    logging.getLogger("mnemo.test").info("once")
    assert len(stream.getvalue().splitlines()) == 1


@pytest.mark.parametrize("candidate", ["abc", "0f8e-11.22:33@host/x+y=z", "a" * 128])
def test_safe_request_ids(candidate: str) -> None:
    assert SAFE_REQUEST_ID.fullmatch(candidate)


@pytest.mark.parametrize(
    "candidate", ["", "a" * 129, "has space", "new\nline", "trailing\n", 'quo"te', "-x", "é"]
)
def test_unsafe_request_ids(candidate: str) -> None:
    assert not SAFE_REQUEST_ID.fullmatch(candidate)
