"""Bounds on the server-sent-event streams of `GET /mcp`.

A `GET /mcp` opens a stream for server-initiated messages that the SDK keeps open for as long as the
client does. Such a stream holds a connection, a task and the SDK's buffers, and it is outside the
`/v1` fair share (api/guards/fairness.py): unbounded, one tenant's 300 streams were all accepted.
So, per tenant:

- at most `MNEMO_MCP_STREAMS_PER_TENANT` streams at once; one more is a 429 problem with
  `Retry-After`, answered before the SDK sees the request (a cheap refusal);
- a stream that has carried no event for `MNEMO_MCP_STREAM_IDLE_S` is closed (the client may open
  another). The SDK's keep-alive comments (`: ping`) are not events.

Streams are counted per tenant, so one tenant's streams never take another's places, and a stream
holds nothing the `/v1` routes or other tenants' tool calls wait for (a stateless server answers
each tool call on its own POST).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from litestar.types import Message, Receive, Scope, Send

from ...memtypes.background import cancel_all
from ..guards.request_gate import send_problem

log = logging.getLogger("mnemo.mcp")
ASGICall = Callable[[Scope, Receive, Send], Coroutine[Any, Any, None]]
_RETRY_AFTER_S = 1  # a place frees as soon as one of the tenant's streams closes


@dataclass
class StreamLimits:
    """Open streams per tenant, and the bounds they are held to."""

    per_tenant: int
    idle_s: float
    open: dict[str, int] = field(default_factory=dict)
    refused_total: int = 0
    closed_idle_total: int = 0

    def try_open(self, tenant: str) -> bool:
        if self.open.get(tenant, 0) >= self.per_tenant:
            self.refused_total += 1
            return False
        self.open[tenant] = self.open.get(tenant, 0) + 1
        return True

    def close(self, tenant: str) -> None:
        left = self.open.get(tenant, 1) - 1
        if left > 0:
            self.open[tenant] = left
        else:
            self.open.pop(tenant, None)


def _is_event(message: Message) -> bool:
    """A body chunk that carries an event (not only keep-alive comment lines)."""
    body = message.get("body", b"")
    if not isinstance(body, bytes):
        return False
    lines = [line for line in body.splitlines() if line.strip()]
    return any(not line.startswith(b":") for line in lines)


async def bounded_stream(
    limits: StreamLimits, tenant: str, app: ASGICall, scope: Scope, receive: Receive, send: Send
) -> None:
    """Serve one `GET /mcp` through `app` within the tenant's bound and the idle time."""
    if not limits.try_open(tenant):
        why = f"at most {limits.per_tenant} open MCP event streams per tenant; close one first"
        headers = [(b"retry-after", str(_RETRY_AFTER_S).encode())]
        await send_problem(send, scope, 429, "Too many requests", why, "too_many_streams", headers=headers)
        return
    last_event = time.monotonic()
    started = finished = False

    async def watched_send(message: Message) -> None:
        nonlocal last_event, started, finished
        if message["type"] == "http.response.start":
            started = True
        elif message["type"] == "http.response.body":
            finished = not message.get("more_body", False)
            if _is_event(message):
                last_event = time.monotonic()
        await send(message)

    serving: asyncio.Task[None] = asyncio.create_task(app(scope, receive, watched_send))
    try:
        while not serving.done():
            left = last_event + limits.idle_s - time.monotonic()
            if left <= 0:
                limits.closed_idle_total += 1
                log.info("closing an MCP event stream idle for %.0f s", limits.idle_s)
                await _close(serving)
                if started and not finished:  # end the response the SDK had begun
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await asyncio.wait({serving}, timeout=max(left, 0.01) if math.isfinite(left) else None)
        serving.result()
    finally:
        if not serving.done():  # this request was cancelled (the server stops): take the stream along
            await _close(serving)
        limits.close(tenant)


async def _close(serving: asyncio.Task[None]) -> None:
    """End the SDK's serving task for certain; a failure it ended with is logged, not raised (the
    stream is being closed anyway)."""
    [ended] = await cancel_all([serving])
    if isinstance(ended, Exception):
        log.warning("an MCP event stream ended with %s while being closed", type(ended).__name__)


def tenant_of_scope(scope: Scope, tenant_for: Callable[[str | None], str]) -> str:
    headers: Any = scope.get("headers", ())
    values = [v.decode("latin-1") for k, v in headers if k == b"authorization"]
    return tenant_for(values[0] if values else None)
