"""`GET /mcp` event streams are bounded: per tenant in number (one more is a 429 with
`Retry-After`), closed when idle, and one tenant's streams never block another tenant. A real
server on a socket, real HTTP clients holding real streams."""

from __future__ import annotations

import asyncio
import time
from contextlib import AsyncExitStack
from typing import Any

import httpx

from tests.e2e.conftest import TWO_TENANTS, A, B
from tests.e2e.live_server import LiveApp, live_app  # noqa: F401 (a fixture)
from tests.e2e.surfaces.test_mcp_http import ACCEPT, INITIALIZE

STREAM = {"Accept": "text/event-stream", "MCP-Protocol-Version": "2025-06-18"}
IDLE_S = 2.0


async def open_stream(
    http: httpx.AsyncClient, stack: AsyncExitStack, headers: dict[str, str]
) -> httpx.Response:
    return await stack.enter_async_context(http.stream("GET", "/mcp", headers={**STREAM, **headers}))


async def read_to_end(response: httpx.Response) -> float:
    """Seconds until the server ends the stream."""
    started = time.monotonic()
    async for _ in response.aiter_raw():
        pass
    return time.monotonic() - started


async def test_streams_are_bounded_per_tenant_and_closed_when_idle(live_app: LiveApp) -> None:  # noqa: F811
    settings: dict[str, Any] = {
        "api_keys": TWO_TENANTS,
        "mcp_streams_per_tenant": 2,
        "mcp_stream_idle_s": IDLE_S,
    }
    async with live_app(**settings) as (url, _), httpx.AsyncClient(base_url=url, timeout=30) as http:
        async with AsyncExitStack() as stack:
            mine = [await open_stream(http, stack, A) for _ in range(2)]
            assert [r.status_code for r in mine] == [200, 200]
            assert all(r.headers["content-type"].startswith("text/event-stream") for r in mine)

            one_more = await http.get("/mcp", headers={**STREAM, **A})
            assert one_more.status_code == 429, one_more.text
            assert one_more.headers["retry-after"] == "1"
            assert one_more.headers["content-type"] == "application/problem+json"
            assert one_more.json()["code"] == "too_many_streams"

            # The other tenant: its own places, its tool calls and its /v1 requests answer at once.
            theirs = await open_stream(http, stack, B)
            assert theirs.status_code == 200
            started = time.monotonic()
            handshake = await http.post("/mcp", json=INITIALIZE, headers={**ACCEPT, **B})
            assert handshake.status_code == 200, handshake.text
            assert (await http.get("/v1/memories", headers=B)).status_code == 200
            assert time.monotonic() - started < IDLE_S  # not held until a stream closes
            assert (await http.get("/mcp", headers={**STREAM})).status_code == 401  # keys still checked

            # Idle streams end (the server closes them) after about IDLE_S, not never.
            lasted = await asyncio.wait_for(asyncio.gather(*(read_to_end(r) for r in mine)), IDLE_S * 10)
            assert all(s < IDLE_S * 5 for s in lasted), lasted
            await asyncio.wait_for(read_to_end(theirs), IDLE_S * 10)

        # Their places are free again.
        async with AsyncExitStack() as stack:
            again = await open_stream(http, stack, A)
            assert again.status_code == 200
