"""mnemo-client below its typed methods: `request()` sends exactly what it is given and answers the
status and body without raising or retrying; the clients take connection-pool `limits`, an ASGI
`app` and a borrowed `http_client`. At the HTTP level, so httpx's MockTransport stands in for the
server (tests/integrations/test_client_raw.py runs the same against a real `mnemo serve`)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from mnemo_client import (
    AsyncMnemo,
    InvalidInput,
    Limits,
    Mnemo,
    MnemoConnectionError,
    Reply,
)

PROBLEM = {
    "title": "Invalid input",
    "status": 422,
    "detail": "query: must not be blank",
    "code": "invalid_input",
    "errors": [{"field": "query", "message": "must not be blank"}],
    "request_id": "r-7",
}


def recording(status: int = 200, body: Any = None, headers: dict[str, str] | None = None):
    """A transport answering `status` with `body` (JSON) to every request, keeping what it was sent."""
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if body is None:
            return httpx.Response(status, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return httpx.MockTransport(handle), seen


def test_request_answers_a_4xx_without_raising_or_retrying() -> None:
    transport, seen = recording(429, {"code": "rate_limited", "detail": "slow down"}, {"Retry-After": "0"})
    with Mnemo("http://mnemo.test", transport=transport, max_retries=3) as mnemo:
        reply = mnemo.request("POST", "/v1/retrieve", json={"query": "q"})
    assert isinstance(reply, Reply)
    assert (reply.status, reply.ok, reply.body["code"]) == (429, False, "rate_limited")
    assert reply.headers["retry-after"] == "0"  # case-insensitive, as sent
    assert len(seen) == 1  # the typed methods would have retried 429 three times


def test_request_sends_the_body_params_and_headers_as_given() -> None:
    transport, seen = recording(200, {"ok": True})
    with Mnemo("http://mnemo.test/", api_key="key-a", transport=transport) as mnemo:
        body = {"memories": [{"type": "semantic", "content": "x", "unknown_field": 1}]}
        mnemo.request("POST", "/v1/memories", json=body)
        mnemo.request("GET", "/v1/memories", params={"limit": 5, "include_superseded": True})
        mnemo.request("GET", "/ready", headers={"Authorization": "Bearer key-b"})
    posted, listed, ready = seen
    # Not validated against the client's models: an unknown field goes to the server as it is.
    assert json.loads(posted.read()) == body and posted.headers["content-type"] == "application/json"
    assert posted.headers["authorization"] == "Bearer key-a"
    assert posted.headers["user-agent"].startswith("mnemo-client/")
    assert str(listed.url) == "http://mnemo.test/v1/memories?limit=5&include_superseded=true"
    assert ready.headers["authorization"] == "Bearer key-b"  # a request's header wins over the client's


def test_request_timeout_overrides_the_clients_only_when_given() -> None:
    transport, seen = recording(200, {})
    with Mnemo("http://mnemo.test", transport=transport, timeout=7) as mnemo:
        mnemo.request("GET", "/ready")
        mnemo.request("POST", "/v1/memories", json={"memories": []}, timeout=600)
    default, long = (r.extensions["timeout"] for r in seen)
    assert default["read"] == 7 and long["read"] == 600  # never None: that would mean no timeout at all


def test_the_body_is_parsed_on_first_access_only() -> None:
    transport, _ = recording(200, {"metadata": {"total_tokens": 3}})
    with Mnemo("http://mnemo.test", transport=transport) as mnemo:
        reply = mnemo.request("POST", "/v1/retrieve", json={"query": "q"})
    assert "body" not in vars(reply)  # a caller timing requests pays for no parsing it did not ask for
    assert reply.body["metadata"]["total_tokens"] == 3
    assert vars(reply)["body"] is reply.body  # parsed once


def test_an_empty_body_is_none_and_raise_for_status_passes_a_success_through() -> None:
    transport, _ = recording(204)
    with Mnemo("http://mnemo.test", transport=transport) as mnemo:
        reply = mnemo.request("DELETE", "/v1/memories/m-1")
    assert reply.body is None and reply.raise_for_status() is reply


def test_raise_for_status_raises_the_typed_error_of_the_problem() -> None:
    transport, _ = recording(422, PROBLEM)
    with Mnemo("http://mnemo.test", transport=transport) as mnemo:
        reply = mnemo.request("POST", "/v1/retrieve", json={"query": " "})
    with pytest.raises(InvalidInput) as refused:
        reply.raise_for_status()
    assert refused.value.errors == PROBLEM["errors"] and refused.value.request_id == "r-7"


def test_no_answer_is_a_connection_error_carrying_the_transport_error() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with (
        Mnemo("http://mnemo.test", transport=httpx.MockTransport(refuse)) as mnemo,
        pytest.raises(MnemoConnectionError) as failed,
    ):
        mnemo.request("GET", "/ready")
    assert isinstance(failed.value.__cause__, httpx.ConnectError)


async def test_async_request_matches_the_sync_one() -> None:
    transport, seen = recording(201, {"results": []})
    async with AsyncMnemo("http://mnemo.test", api_key="k", transport=transport) as mnemo:
        reply = await mnemo.request("POST", "/v1/memories", json={"memories": []}, headers={"X-Trace": "1"})
    assert reply.status == 201 and reply.body == {"results": []}
    assert seen[0].headers["x-trace"] == "1" and seen[0].headers["authorization"] == "Bearer k"


async def test_an_asgi_app_is_called_in_process() -> None:
    calls: list[dict[str, Any]] = []

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        calls.append(scope)
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b'{"status": "ready"}'})

    async with AsyncMnemo("http://127.0.0.1", api_key="k", app=app) as mnemo:
        assert (await mnemo.request("GET", "/ready")).body == {"status": "ready"}
    assert calls[0]["path"] == "/ready"
    assert (b"authorization", b"Bearer k") in calls[0]["headers"]


async def test_a_borrowed_http_client_sends_with_the_clients_headers_and_stays_open() -> None:
    transport, seen = recording(200, {})
    async with httpx.AsyncClient(base_url="http://in-process.test", transport=transport) as borrowed:
        async with AsyncMnemo(api_key="key-a", http_client=borrowed) as mnemo:
            await mnemo.request("GET", "/ready")
            await mnemo.request("GET", "/ready", headers={"Authorization": "Bearer key-b"})
        assert not borrowed.is_closed  # closing it is the lender's part
        assert str(seen[0].url) == "http://in-process.test/ready"
        assert seen[0].headers["authorization"] == "Bearer key-a"
        assert seen[0].headers["user-agent"].startswith("mnemo-client/")
        assert seen[1].headers["authorization"] == "Bearer key-b"
    with httpx.Client(transport=recording(200, {})[0]) as borrowed_sync, Mnemo(http_client=borrowed_sync):
        pass
    assert borrowed_sync.is_closed  # by its own `with`, not by Mnemo's


def test_limits_configure_the_clients_own_connection_pool() -> None:
    with Mnemo("http://mnemo.test", limits=Limits(max_connections=3, max_keepalive_connections=2)) as mnemo:
        pool = mnemo._http._transport._pool  # type: ignore[attr-defined]  # httpx's own pool, not public
        assert (pool._max_connections, pool._max_keepalive_connections) == (3, 2)


def test_conflicting_options_are_refused() -> None:
    transport, _ = recording()
    with pytest.raises(TypeError, match="limits"):
        Mnemo("http://mnemo.test", transport=transport, limits=Limits(max_connections=1))
    with pytest.raises(TypeError, match="transport"), httpx.Client() as borrowed:
        Mnemo(http_client=borrowed, transport=transport)
    with pytest.raises(TypeError, match="not both"):
        AsyncMnemo(app=lambda *_: None, transport=httpx.MockTransport(lambda r: httpx.Response(200)))
