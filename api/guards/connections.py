"""Idle and slow clients bounded at the connection, below HTTP routing: `mnemo serve`'s protocol.

uvicorn (h11) holds a connection that never sends a request for as long as the client likes, and
accepts as many as the listening socket offers. Each one holds a file descriptor: past the
process's limit every accept fails (asyncio then logs each failure with its traceback) and nothing
else can open a file or a socket either, `/health` included. So, per connection:

- Headers must arrive within `MNEMO_HEADER_TIMEOUT_S` of connecting (or of the previous response),
  the whole body within `MNEMO_BODY_TIMEOUT_S` of the headers; else the connection is closed (a
  body cut off that way reaches the app as an abandoned body: a 400, request_gate.py).
- At most `cap` connections are open: the descriptor limit less those the engines hold and some
  headroom, or `MNEMO_MAX_CONNECTIONS` if lower. One more evicts the connection idle the longest
  (one waiting for a request: an idle client loses nothing it asked for) and, when none is idle,
  is refused at once with a prepared 503: no parsing, no routing, no task.

And for the process: accept errors (out of descriptors all the same, e.g. below the cap's
headroom) are logged once per interval with a count, not once per attempt (`AcceptErrorLog`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import resource
import time
from dataclasses import dataclass, field
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("mnemo.connections")
# Descriptors kept free beyond those open at the first connection: the engines open more over time
# (segments, Redis connections, a rebuild's pipes), and one accept batch is taken before any of its
# connections is looked at (asyncio accepts up to `backlog` sockets per wake-up).
FD_HEADROOM = 128
ACCEPT_BACKLOG = 128
MIN_CAP = 8
ACCEPT_ERROR_LOG_INTERVAL_S = 60.0
_REFUSAL_BODY = json.dumps(
    {
        "type": "https://mnemo.dev/problems/too_many_connections",
        "title": "Service unavailable",
        "status": 503,
        "detail": "too many open connections; retry shortly",
        "code": "too_many_connections",
    }
).encode()
REFUSAL = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/problem+json\r\n"
    b"retry-after: 1\r\nconnection: close\r\ncontent-length: %d\r\n\r\n%s"
    % (len(_REFUSAL_BODY), _REFUSAL_BODY)
)


def open_descriptors() -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:  # no /proc: assume a modest engine
        return 64


def connection_cap(configured: int, soft_limit: int, open_now: int) -> int:
    """The most connections open at once: what the descriptor limit leaves (or `configured`, lower)."""
    room = max(soft_limit - open_now - FD_HEADROOM - ACCEPT_BACKLOG, MIN_CAP)
    if soft_limit == resource.RLIM_INFINITY or soft_limit <= 0:
        room = configured or 65_536
    return min(configured, room) if configured else room


@dataclass
class ConnectionLimits:
    header_timeout_s: float = 10.0
    body_timeout_s: float = 60.0
    max_connections: int = 0  # 0: from the descriptor limit
    cap: int | None = None  # worked out at the first connection, once the engines are open
    idle: dict[Any, None] = field(default_factory=dict)  # waiting for a request, longest first
    open: int = 0
    evicted: int = 0
    refused: int = 0
    timed_out: int = 0

    def current_cap(self) -> int:
        if self.cap is None:
            soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
            self.cap = connection_cap(self.max_connections, soft, open_descriptors())
            log.info("at most %d open connections (descriptor limit %d)", self.cap, soft)
        return self.cap

    def evict_longest_idle(self) -> bool:
        while self.idle:
            connection = next(iter(self.idle))
            del self.idle[connection]
            if not connection.transport.is_closing():
                connection.transport.close()
                self.evicted += 1
                return True
        return False


LIMITS = ConnectionLimits()


def configure(header_timeout_s: float, body_timeout_s: float, max_connections: int) -> None:
    """Set from the settings when the app starts (in each worker process)."""
    LIMITS.header_timeout_s, LIMITS.body_timeout_s = header_timeout_s, body_timeout_s
    LIMITS.max_connections, LIMITS.cap = max_connections, None


class BoundedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with the bounds of this module (`mnemo serve` passes it as `http`)."""

    _deadline: asyncio.TimerHandle | None = None
    _body_timed: bool = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        LIMITS.open += 1
        if len(self.connections) > LIMITS.current_cap() and not LIMITS.evict_longest_idle():
            LIMITS.refused += 1
            transport.write(REFUSAL)
            transport.close()
            return
        self._await_request()

    def connection_lost(self, exc: Exception | None) -> None:
        LIMITS.open -= 1
        LIMITS.idle.pop(self, None)
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._follow_request()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._await_request()  # keep-alive: the next request's headers are on the clock again
        else:
            self._follow_request()  # pipelined: its events were handled just now

    def _await_request(self) -> None:
        LIMITS.idle.pop(self, None)
        LIMITS.idle[self] = None  # to the end: idle the shortest
        self._body_timed = False
        self._arm(LIMITS.header_timeout_s)

    def _follow_request(self) -> None:
        state = self.conn.their_state
        if state is h11.IDLE:
            return  # headers not complete yet: their clock runs on
        LIMITS.idle.pop(self, None)
        if state is h11.SEND_BODY:
            if not self._body_timed:
                self._body_timed = True
                self._arm(LIMITS.body_timeout_s)
        else:  # the whole request is in (or the connection is ending)
            self._disarm()

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            LIMITS.timed_out += 1
            self.transport.close()


class AcceptErrorLog:
    """An event loop exception handler: failed accepts are counted and logged once per interval (a
    client flood at the descriptor limit fails thousands of them a second); anything else goes to
    the handler it replaces."""

    MESSAGE = "socket.accept() out of system resource"

    def __init__(self, previous: Any, interval_s: float = ACCEPT_ERROR_LOG_INTERVAL_S) -> None:
        self.previous = previous
        self.interval_s = interval_s
        self.failed = 0  # since the last line
        self._logged_at = -interval_s

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if not str(context.get("message", "")).startswith(self.MESSAGE):
            if self.previous is not None:
                self.previous(loop, context)
            else:
                loop.default_exception_handler(context)
            return
        self.failed += 1
        now = time.monotonic()
        if now - self._logged_at >= self.interval_s:
            error = context.get("exception")
            log.error(
                "%d connection(s) could not be accepted in the last %.0fs (%s); open connections are "
                "capped at %s",
                self.failed,
                min(now - self._logged_at, self.interval_s),
                error,
                LIMITS.cap,
            )
            self._logged_at, self.failed = now, 0


def install_accept_error_log(loop: asyncio.AbstractEventLoop) -> AcceptErrorLog:
    handler = AcceptErrorLog(loop.get_exception_handler())
    loop.set_exception_handler(handler)
    return handler
