"""The outermost layer of every HTTP request: its id, and one access log line when it ends.

It wraps the whole Litestar handler (routing and exception handling included), so 404s of unknown
paths and every problem-details body carry the id too.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from ..config.logs import RequestContext, enter_request, leave_request

REQUEST_ID_HEADER = "x-request-id"
# A client's id is accepted when it cannot forge log lines or headers: no spaces, quotes or control
# characters, at most 128 characters. Anything else is replaced by a fresh one.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,127}")  # fullmatch: no trailing \n
# Probes and scrapes come every few seconds: logged at DEBUG so they do not drown the requests.
QUIET_ROUTES = frozenset({"/health", "/ready", "/metrics"})

access_log = logging.getLogger("mnemo.access")


def request_id_from(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            candidate = value.decode("latin-1")
            if SAFE_REQUEST_ID.fullmatch(candidate):
                return candidate
            break
    return uuid.uuid4().hex


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        context = RequestContext(request_id=request_id_from(scope))
        token = enter_request(context)
        started = time.perf_counter()
        status = 500  # what the client gets if the app dies before it starts a response

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"x-request-id"]
                headers.append((b"x-request-id", context.request_id.encode("latin-1")))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            # Routes as templates (the ids in a path are in `path`): the same shape as the metrics.
            route = scope.get("path_template") or "unmatched"
            duration_ms = round((time.perf_counter() - started) * 1000, 2)
            access_log.log(
                logging.DEBUG if route in QUIET_ROUTES else logging.INFO,
                "%s %s %d %s ms",
                scope.get("method", ""),
                route,
                status,
                duration_ms,
                extra={
                    "method": scope.get("method", ""),
                    "route": route,
                    "path": scope.get("path", ""),
                    "status": status,
                    "duration_ms": duration_ms,
                },
            )
            leave_request(token)
