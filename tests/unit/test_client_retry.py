"""mnemo-client retries 429 and 503 with backoff, honouring `Retry-After`, and nothing else."""

from __future__ import annotations

import time

import httpx
import pytest

from mnemo_client import AsyncMnemo, InvalidInput, Mnemo, RateLimited, Unavailable
from mnemo_client._calls import RetryPolicy
from mnemo_client.errors import MnemoError

RESULT = {
    "context": "",
    "memories": [],
    "metadata": {
        "total_tokens": 0,
        "budget": 10,
        "utilization": 0.0,
        "encoding": "cl100k_base",
        "per_type": {},
        "trimmed_count": 0,
    },
}


def answers(*statuses: int, retry_after: str | None = "0"):
    """A transport answering the given statuses in turn (a problem for errors), then 200."""
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if len(seen) <= len(statuses):
            status = statuses[len(seen) - 1]
            headers = {"Retry-After": retry_after} if retry_after is not None else {}
            problem = {
                "type": "t",
                "title": "x",
                "status": status,
                "detail": "busy",
                "instance": "/v1/retrieve",
                "code": "rate_limited"
                if status == 429
                else "unavailable"
                if status == 503
                else "invalid_input",
                "request_id": "r-1",
            }
            return httpx.Response(status, json=problem, headers=headers)
        return httpx.Response(200, json=RESULT)

    return handle, seen


def test_retries_429_and_503_then_succeeds() -> None:
    handle, seen = answers(429, 503)
    with Mnemo("http://mnemo.test", transport=httpx.MockTransport(handle)) as mnemo:
        assert mnemo.retrieve("q", budget_tokens=10).metadata.budget == 10
    assert len(seen) == 3
    assert seen[0].headers["content-type"] == "application/json"
    assert (
        seen[0].read()
        == b'{"query":"q","scope":{},"budget_tokens":10,"explain":false,"include_superseded":false,'
        b'"mask_sensitive":false}'
    )


def test_gives_up_after_max_retries_with_the_typed_error() -> None:
    handle, seen = answers(503, 503, 503, 503, retry_after="0")
    transport = httpx.MockTransport(handle)
    with (
        Mnemo("http://mnemo.test", transport=transport, max_retries=2) as mnemo,
        pytest.raises(Unavailable) as refused,
    ):
        mnemo.retrieve("q")
    assert len(seen) == 3 and refused.value.retry_after == 0 and refused.value.request_id == "r-1"


def test_a_422_is_never_retried() -> None:
    handle, seen = answers(422)
    with (
        Mnemo("http://mnemo.test", transport=httpx.MockTransport(handle)) as mnemo,
        pytest.raises(InvalidInput),
    ):
        mnemo.retrieve("q")
    assert len(seen) == 1


async def test_async_client_waits_retry_after() -> None:
    handle, seen = answers(429, retry_after="1")
    async with AsyncMnemo("http://mnemo.test", transport=httpx.MockTransport(handle)) as mnemo:
        started = time.monotonic()
        await mnemo.retrieve("q")
    assert len(seen) == 2 and time.monotonic() - started >= 0.95


def test_retry_policy_honours_retry_after_and_backs_off() -> None:
    policy = RetryPolicy(max_retries=3, backoff_s=0.5, max_wait_s=30)
    limited = RateLimited("busy", status=429, code="rate_limited", retry_after=7)
    assert policy.delay(0, limited) == 7
    assert policy.delay(3, limited) is None  # retries used up
    too_long = RateLimited("busy", status=429, code="rate_limited", retry_after=3600)
    assert policy.delay(0, too_long) is None  # raise now rather than hang for an hour
    no_hint = Unavailable("down", status=503, code="unavailable")
    assert 0.25 <= policy.delay(0, no_hint) <= 0.5 and 0.5 <= policy.delay(1, no_hint) <= 1.0
    assert policy.delay(0, MnemoError("x", status=500, code="internal")) is None
