"""An MCP event stream is closed for certain, idle or when its request ends, even when the SDK's
serving task loses its first cancellation (tests/e2e/test_mcp_streams_http.py: the bounds over real
HTTP)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from litestar.types import Message, Receive, Scope, Send

from mnemo.api.mcp.streams import StreamLimits, bounded_stream
from tests.unit.test_background import swallowing_first_cancel

SCOPE: Scope = {"type": "http", "method": "GET", "path": "/mcp", "headers": []}  # type: ignore[typeddict-item]


def stream(idle_s: float) -> tuple[asyncio.Task[None], StreamLimits, asyncio.Event, list[Message]]:
    """A stream served through `bounded_stream` by an SDK whose task swallows its first cancel."""
    swallowed = asyncio.Event()
    sent: list[Message] = []

    async def sdk(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b": ping\n\n", "more_body": True})
        await swallowing_first_cancel(swallowed)

    async def receive() -> Any:
        await asyncio.sleep(3600)

    async def send(message: Message) -> None:
        sent.append(message)

    limits = StreamLimits(per_tenant=1, idle_s=idle_s)
    serving = asyncio.create_task(bounded_stream(limits, "t", sdk, SCOPE, receive, send))
    return serving, limits, swallowed, sent


async def test_an_idle_stream_whose_task_swallows_a_cancellation_is_still_closed() -> None:
    serving, limits, swallowed, sent = stream(idle_s=0.05)
    # Not wait_for: its own cancel at the timeout would be the loop's second, and end it.
    done, _ = await asyncio.wait({serving}, timeout=10)
    assert serving in done, "the idle stream was never closed"
    assert swallowed.is_set()
    assert limits.closed_idle_total == 1
    assert limits.open == {}  # its place is free again
    assert sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}


async def test_a_stream_whose_request_is_cancelled_ends_with_it() -> None:
    serving, limits, swallowed, _ = stream(idle_s=3600)
    await asyncio.sleep(0.05)  # streaming
    serving.cancel()  # the server stops
    done, _ = await asyncio.wait({serving}, timeout=10)
    assert serving in done, "the stream outlived its request"
    assert serving.cancelled()
    assert swallowed.is_set()
    assert limits.open == {}


async def test_a_stream_that_fails_as_it_is_closed_says_so(caplog: pytest.LogCaptureFixture) -> None:
    async def sdk(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            raise RuntimeError("the SDK broke on its way out") from None

    async def receive() -> Any:
        await asyncio.sleep(3600)

    async def send(message: Message) -> None:
        pass

    limits = StreamLimits(per_tenant=1, idle_s=0.05)
    with caplog.at_level(logging.WARNING, logger="mnemo.mcp"):
        await asyncio.wait_for(bounded_stream(limits, "t", sdk, SCOPE, receive, send), 10)
    assert "an MCP event stream ended with RuntimeError while being closed" in caplog.text
    assert limits.open == {}
