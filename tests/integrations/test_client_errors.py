"""Typed client errors: both clients raise only their own errors (carrying the RFC 9457 problem
details) for every non-2xx answer, every answer they cannot read, every request their models refuse
and no answer at all — never a raw pydantic or httpx exception.

Against a real `mnemo serve`, and against a real HTTP server on loopback that is not mnemo (what a
misconfigured proxy or another service on the port answers: HTML, a redirect, JSON of another shape).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pydantic
import pytest

from mnemo_client import (
    AsyncMnemo,
    AuthenticationError,
    InvalidInput,
    Mnemo,
    MnemoConnectionError,
    MnemoError,
    MnemoNotFound,
    MnemoUnavailable,
    MnemoUnexpectedResponse,
    MnemoValidationError,
    NotFound,
    ServerError,
    Unavailable,
    UnexpectedResponse,
)
from tests.integrations.conftest import MnemoServer

RAW = (pydantic.ValidationError, httpx.HTTPError, httpx.InvalidURL)


def never_raw(error: BaseException) -> None:
    assert isinstance(error, MnemoError) and not isinstance(error, RAW)


# --- a real server that is not mnemo -------------------------------------------------------------

ANSWERS: dict[str, tuple[int, dict[str, str], bytes]] = {
    "html": (200, {"Content-Type": "text/html"}, b"<html><body>Welcome to nginx!</body></html>"),
    "shape": (200, {"Content-Type": "application/json"}, b'{"id": 3, "tenant": null}'),
    "empty": (200, {}, b""),
    "redirect": (302, {"Location": "https://login.example/"}, b""),
    "gateway": (502, {"Content-Type": "text/html"}, b"<html>502 Bad Gateway</html>"),
    "busy": (
        503,
        {"Content-Type": "application/problem+json", "Retry-After": "0"},
        json.dumps(
            {
                "type": "about:blank",
                "title": "Service unavailable",
                "status": 503,
                "detail": "redis is unavailable",
                "instance": "/v1/memories/busy",
                "code": "unavailable",
            }
        ).encode(),
    ),
}


class _NotMnemo(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        status, headers, body = ANSWERS.get(self.path.rstrip("/").rsplit("/", 1)[-1], ANSWERS["shape"])
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_DELETE = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def not_mnemo() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotMnemo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


# --- against mnemo -------------------------------------------------------------------------------


def test_mnemo_refusals_are_typed_and_carry_the_problem_details(mnemo_server: MnemoServer) -> None:
    with Mnemo(mnemo_server.url, api_key=mnemo_server.keys["a"]) as mnemo:
        with pytest.raises(MnemoNotFound) as missing:
            mnemo.get(f"no-such-{uuid.uuid4().hex}")
        error = missing.value
        never_raw(error)
        assert isinstance(error, NotFound) and error.status == 404 and error.code == "not_found"
        assert (
            error.title.lower() == "not found"
            and error.instance
            and error.instance.startswith("/v1/memories/")
        )
        assert error.type and error.problem["status"] == 404 and error.request_id

        with pytest.raises(MnemoValidationError) as invalid:  # the server's 422
            mnemo.retrieve("q", budget_tokens=-5)
        never_raw(invalid.value)
        assert invalid.value.status == 422 and [e["field"] for e in invalid.value.errors] == ["budget_tokens"]

        with pytest.raises(InvalidInput) as refused:  # the client's own models: nothing is sent
            mnemo.write({"type": "no-such-type", "content": "x"})
        never_raw(refused.value)
        assert refused.value.status is None and refused.value.code == "invalid_input"
        assert refused.value.errors[0]["field"].startswith("memories.0.type")
        assert isinstance(refused.value.__cause__, pydantic.ValidationError)  # the cause stays readable

    with (
        Mnemo(mnemo_server.url, api_key="no-such-key") as stranger,
        pytest.raises(AuthenticationError) as auth,
    ):
        stranger.retrieve("anything")
    assert auth.value.status == 401 and auth.value.problem["code"] == auth.value.code


async def test_async_client_raises_the_same_typed_errors(mnemo_server: MnemoServer) -> None:
    async with AsyncMnemo(mnemo_server.url, api_key=mnemo_server.keys["a"]) as mnemo:
        with pytest.raises(MnemoNotFound) as missing:
            await mnemo.delete(f"no-such-{uuid.uuid4().hex}")
        assert missing.value.status == 404 and missing.value.title.lower() == "not found"
        with pytest.raises(MnemoValidationError) as invalid:
            await mnemo.threads.append("t-1", "nobody", "hello")  # a role the client does not know
        never_raw(invalid.value)
        assert invalid.value.status is None and invalid.value.errors[0]["field"] == "role"
        with pytest.raises(MnemoValidationError):
            await mnemo.forget(user_id="someone", ids=["m-1"])  # the server refuses both at once


# --- against a server that is not mnemo ----------------------------------------------------------


def test_answers_the_client_cannot_read_are_unexpected_responses(not_mnemo: str) -> None:
    with Mnemo(not_mnemo, max_retries=0) as mnemo:
        with pytest.raises(MnemoUnexpectedResponse) as html:
            mnemo.get("html")
        never_raw(html.value)
        assert (
            html.value.status == 200 and "not JSON" in html.value.detail and "text/html" in html.value.detail
        )
        assert "nginx" in html.value.problem["body"]

        with pytest.raises(UnexpectedResponse) as shape:
            mnemo.get("shape")
        never_raw(shape.value)
        fields = {e["field"] for e in shape.value.errors}
        assert "id" in fields and "content" in fields  # the fields that did not match are named

        with pytest.raises(UnexpectedResponse):
            mnemo.get("empty")
        mnemo.delete("empty")  # an empty 2xx is what a delete answers: no error


def test_every_non_2xx_answer_is_a_typed_error(not_mnemo: str) -> None:
    with Mnemo(not_mnemo, max_retries=0) as mnemo:
        with pytest.raises(MnemoError) as redirect:
            mnemo.get("redirect")
        never_raw(redirect.value)
        assert redirect.value.status == 302

        with pytest.raises(ServerError) as gateway:
            mnemo.get("gateway")
        assert gateway.value.status == 502 and "Bad Gateway" in gateway.value.detail

        with pytest.raises(MnemoUnavailable) as busy:
            mnemo.get("busy")
        assert isinstance(busy.value, Unavailable) and busy.value.retry_after == 0
        assert busy.value.detail == "redis is unavailable" and busy.value.instance == "/v1/memories/busy"


async def test_async_client_reads_the_same_answers_the_same_way(not_mnemo: str) -> None:
    async with AsyncMnemo(not_mnemo, max_retries=0) as mnemo:
        with pytest.raises(UnexpectedResponse):
            await mnemo.get("html")
        with pytest.raises(UnexpectedResponse):
            await mnemo.retrieve("shape")
        with pytest.raises(MnemoUnavailable):
            await mnemo.get("busy")


def test_no_answer_and_a_bad_url_are_connection_errors() -> None:
    with pytest.raises(MnemoConnectionError) as bad:
        Mnemo("::")  # httpx refuses it when the client is built
    never_raw(bad.value)
    with Mnemo("not a url") as mnemo, pytest.raises(MnemoConnectionError) as schemeless:
        mnemo.get("x")  # httpx refuses it when the request is sent
    never_raw(schemeless.value)
