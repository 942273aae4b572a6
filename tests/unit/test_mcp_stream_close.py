"""An MCP event stream is closed for certain, idle or when its request ends, even when the SDK's
serving task loses its first cancellation (tests/e2e/surfaces/test_mcp_streams_http.py: the bounds over real
HTTP)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from litestar.types import Message, Receive, Scope, Send

from mnemo.api.mcp.streams import StreamLimits, bounded_stream
from tests.unit.test_background import swallowing_first_cancel

SCOPE: Scope = {"type": "http", "method": "GET", "path": "/mcp", "headers": []}  # type: ignore[typeddict-item]


def stream(
    idle_s: float, then: Callable[[], Awaitable[None]]
) -> tuple[asyncio.Task[None], StreamLimits, list[Message]]:
    """A stream served through `bounded_stream` by an SDK that sends a keep-alive, then awaits `then()`."""
    sent: list[Message] = []

    async def sdk(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b": ping\n\n", "more_body": True})
        await then()

    async def receive() -> Any:
        await asyncio.sleep(3600)

    async def send(message: Message) -> None:
        sent.append(message)

    limits = StreamLimits(per_tenant=1, idle_s=idle_s)
    serving = asyncio.create_task(bounded_stream(limits, "t", sdk, SCOPE, receive, send))
    return serving, limits, sent


async def test_an_idle_stream_whose_task_swallows_a_cancellation_is_still_closed() -> None:
    swallowed = asyncio.Event()
    serving, limits, sent = stream(0.05, lambda: swallowing_first_cancel(swallowed))
    # Not wait_for: its own cancel at the timeout would be the loop's second, and end it.
    done, _ = await asyncio.wait({serving}, timeout=10)
    assert serving in done, "the idle stream was never closed"
    assert swallowed.is_set()
    assert limits.closed_idle_total == 1
    assert limits.open == {}  # its place is free again
    assert sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}


async def test_a_stream_whose_request_is_cancelled_ends_with_it() -> None:
    swallowed = asyncio.Event()
    serving, limits, _ = stream(3600, lambda: swallowing_first_cancel(swallowed))
    await asyncio.sleep(0.05)  # streaming
    serving.cancel()  # the server stops
    done, _ = await asyncio.wait({serving}, timeout=10)
    assert serving in done, "the stream outlived its request"
    assert serving.cancelled()
    assert swallowed.is_set()
    assert limits.open == {}


async def test_a_stream_that_fails_as_it_is_closed_says_so(caplog: pytest.LogCaptureFixture) -> None:
    async def breaks_on_its_way_out() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            raise RuntimeError("the SDK broke on its way out") from None

    with caplog.at_level(logging.WARNING, logger="mnemo.mcp"):
        serving, limits, _ = stream(0.05, breaks_on_its_way_out)
        await asyncio.wait_for(serving, 10)
    assert "an MCP event stream ended with RuntimeError while being closed" in caplog.text
    assert limits.open == {}
