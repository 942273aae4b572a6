"""The first checks of every request, before routing, as a pure ASGI layer: browsers and bodies.

Browsers (a page the user visits must not write into, or read from, a local mnemo):
- A body must be `application/json` (or `application/problem+json`), else 415: a cross-site page can
  only send `text/plain`, form or multipart bodies without a CORS preflight ("simple requests").
- A request whose `Origin` is another site is refused (403) unless `MNEMO_CORS_ORIGINS` lists it:
  that also covers body-less POSTs (`/complete`, `/cancel`) a page can send without a preflight.
- On a keyless server, `Host` must be a loopback name or one of `MNEMO_ALLOWED_HOSTS` (DNS
  rebinding makes a hostile name resolve to 127.0.0.1; its `Host` header still names it).
- Two `Authorization` headers are refused (400): a proxy may check one and we would use another.

Bodies (decoded here once more, strictly, so that the decoder behind us only sees sane JSON):
- valid UTF-8 (400 naming `body`), nesting at most MAX_BODY_DEPTH (422 naming the path: a JSON
  10,000 levels deep overflows the recursion of any decoder), no duplicate keys (422 naming the key:
  "last wins" lets two readers of one body see two different requests), no NaN or Infinity.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from .problem_body import PROBLEM_JSON, problem_body

log = logging.getLogger("mnemo.api")
JSON_MEDIA_TYPES = frozenset({"application/json", PROBLEM_JSON})
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
# What in-process test clients must use as their base URL: their default Host is not loopback.
LOOPBACK_BASE_URL = "http://127.0.0.1"
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Deeper than any request model plus the 32 levels metadata may nest (memtypes/limits.py), so that
# metadata too deep for the engine is refused by its own validator, which names the field exactly.
MAX_BODY_DEPTH = 64
_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKETS = re.compile(r"[\[\]{}]")
# Bodies larger than this are checked in a worker thread: the event loop keeps serving meanwhile.
_CHECK_IN_THREAD_BYTES = 256 * 1024
_TOKENS = re.compile(
    r'(?P<key>"[^"\\]*(?:\\.[^"\\]*)*")\s*:|"[^"\\]*(?:\\.[^"\\]*)*"|(?P<open>[\[{])|(?P<close>[\]}])|(?P<comma>,)'
)


class BodyProblem(Exception):
    def __init__(self, status: int, code: str, field: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.field, self.message = status, code, field, message


async def send_problem(
    send: Send,
    scope: Scope,
    status: int,
    title: str,
    detail: str,
    code: str,
    field: str | None = None,
    headers: Iterable[tuple[bytes, bytes]] = (),
) -> None:
    body = problem_body(status, title, detail, code, scope.get("path", ""))
    if field is not None:
        body["errors"] = [{"field": field, "message": detail}]
    raw = json.dumps(body).encode()
    response_headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(raw)).encode()),
        *headers,
    ]
    start: Any = {"type": "http.response.start", "status": status, "headers": response_headers}
    body_message: Any = {"type": "http.response.body", "body": raw}
    await send(start)
    await send(body_message)


def host_name(host_header: str) -> str:
    """`Host` without its port: `[::1]:8080` → `::1`, `localhost:80` → `localhost`."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _path_name(path: list[str]) -> str:
    shown = ".".join(path[:8])
    return f"{shown}…" if len(path) > 8 else shown or "body"


def _deeper_than(text: str, max_depth: int) -> bool:
    """The fast test (C-speed passes, a few thousand brackets of a 7.5 MB batch looked at)."""
    depth = 0
    for bracket in _BRACKETS.finditer(_STRINGS.sub("", text)):
        if bracket.group() in "[{":
            depth += 1
            if depth > max_depth:
                return True
        else:
            depth -= 1
    return False


def check_depth(text: str, max_depth: int = MAX_BODY_DEPTH) -> None:
    """Refuse JSON nested deeper than `max_depth`, naming where: a scan, not a (recursive) parse."""
    path: list[str] = []  # the name of each open container but the outermost
    frames: list[list[Any]] = []  # per open container: [is an array, element index, current key]
    for token in _TOKENS.finditer(text):
        if token.group("key") is not None:
            if frames and not frames[-1][0]:
                frames[-1][2] = token.group("key")[1:-1]
        elif token.group("open") is not None:
            if frames:
                is_array, index, key = frames[-1]
                path.append(str(index) if is_array else key)
            frames.append([token.group("open") == "[", 0, ""])
            if len(frames) > max_depth:
                raise BodyProblem(422, "too_deep", _path_name(path), f"nested deeper than {max_depth} levels")
        elif token.group("close") is not None:
            if frames:
                frames.pop()
            if len(path) > max(len(frames) - 1, 0):
                path.pop()
        elif token.group("comma") is not None and frames and frames[-1][0]:
            frames[-1][1] += 1


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for name, value in pairs:
        if name in seen:
            raise BodyProblem(422, "duplicate_key", name, f"the key {name!r} appears twice in one object")
        seen[name] = value
    return seen


def _no_constants(name: str) -> Any:
    raise BodyProblem(422, "invalid_number", "body", f"{name} is not a JSON number")


def check_json_body(raw: bytes) -> None:
    """Raise BodyProblem for a body that is not strict JSON; syntax errors are left to the decoder."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BodyProblem(400, "invalid_encoding", "body", f"not UTF-8 (byte {exc.start})") from None
    if _deeper_than(text, MAX_BODY_DEPTH):
        check_depth(text)  # the slower scan that names where
    try:
        json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
    except (ValueError, RecursionError):
        return  # malformed JSON: the route's decoder answers it (400 malformed_json) as before


def _header_values(scope: Scope, name: bytes) -> list[str]:
    return [v.decode("latin-1") for k, v in scope.get("headers", ()) if k.lower() == name]


@dataclass
class RequestGate:
    """The browser and body rules of this module, in front of the app. `allowed_hosts` is None on a
    server with API keys (any Host), else the names besides loopback that a keyless server answers."""

    app: ASGIApp
    allowed_hosts: frozenset[str] | None
    cors_origins: frozenset[str]
    max_body_bytes: int

    def _refusal(self, scope: Scope) -> tuple[int, str, str, str] | None:
        """(status, code, field, why) of a request the browser rules refuse, or None."""
        hosts = _header_values(scope, b"host")
        if self.allowed_hosts is not None:
            name = host_name(hosts[0]) if len(hosts) == 1 else ""
            if name not in LOOPBACK_HOSTS and name not in self.allowed_hosts:
                why = "a keyless server answers loopback names only (or MNEMO_ALLOWED_HOSTS)"
                return 403, "host_not_allowed", "Host", why
        if len(_header_values(scope, b"authorization")) > 1:
            return 400, "duplicate_header", "Authorization", "more than one Authorization header"
        origins = _header_values(scope, b"origin")
        if origins and scope.get("method") in BODY_METHODS and not self._same_site(origins[0], hosts):
            return 403, "origin_not_allowed", "Origin", "cross-site requests are refused (MNEMO_CORS_ORIGINS)"
        return None

    def _same_site(self, origin: str, hosts: list[str]) -> bool:
        if origin in self.cors_origins or "*" in self.cors_origins:
            return True
        netloc = urlsplit(origin).netloc.lower()
        return bool(hosts) and netloc == hosts[0].strip().lower()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        if (refused := self._refusal(scope)) is not None:
            status, code, field, why = refused
            await send_problem(send, scope, status, "Request refused", why, code, field)
            return
        if scope.get("method") not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        messages, raw = await self._read_body(receive)
        if messages and messages[-1]["type"] == "http.disconnect":
            # The client went away (or was cut off by the body timeout) before its body was whole: its
            # error, answered as one (the answer reaches nobody, the access log and its status do).
            why = "the connection closed before the request body was complete"
            await send_problem(send, scope, 400, "Incomplete request", why, "incomplete_body", "body")
            metrics = getattr(getattr(scope.get("litestar_app"), "state", None), "metrics", None)
            if metrics is not None:
                metrics.incomplete_bodies.inc()
            return
        if raw is None:
            why = f"the body is larger than {self.max_body_bytes} bytes"
            await send_problem(send, scope, 413, "Request body too large", why, "too_large")
            return
        if raw:
            media_type = ";".join(_header_values(scope, b"content-type")).split(";", 1)[0].strip().lower()
            if media_type not in JSON_MEDIA_TYPES:
                why = "request bodies must be application/json"
                await send_problem(send, scope, 415, "Unsupported media type", why, "unsupported_media_type")
                return
            try:
                if len(raw) > _CHECK_IN_THREAD_BYTES:
                    await asyncio.to_thread(check_json_body, raw)
                else:
                    check_json_body(raw)
            except BodyProblem as problem:
                title = "Malformed request" if problem.status == 400 else "Invalid input"
                await send_problem(
                    send, scope, problem.status, title, problem.message, problem.code, problem.field
                )
                return
        await self.app(scope, _replay(messages, receive), send)

    async def _read_body(self, receive: Receive) -> tuple[list[Any], bytes | None]:
        """The body's messages (to replay) and its bytes; None past the size limit (nothing more
        is read: a 10 GB body is never buffered)."""
        messages: list[Any] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":  # the client went away
                return messages, b""
            size += len(message.get("body", b""))
            if size > self.max_body_bytes:
                return messages, None
            if not message.get("more_body", False):
                return messages, b"".join(m.get("body", b"") for m in messages)


def _replay(messages: list[Any], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Any:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


class Liveness:
    """`GET /health` answered before anything else runs (only the request id and its DEBUG access
    line come first; no routing, middleware or locks): a liveness probe measures whether the process
    serves, never how busy it is. The event loop is the only thing it waits for, and per-tenant
    bounds (api/guards/fairness.py) keep that free."""

    BODY = b'{"status":"ok"}'

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method")
        if scope["type"] == ScopeType.HTTP and scope["path"] == "/health" and method in ("GET", "HEAD"):
            headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(self.BODY))]
            start: Any = {"type": "http.response.start", "status": 200, "headers": headers}
            body: Any = {"type": "http.response.body", "body": self.BODY if method == "GET" else b""}
            await send(start)
            await send(body)
            return
        await self.app(scope, receive, send)


class LastResort:
    """An error that escapes the app before its response started (one raised outside the routes'
    exception handlers) still gets a problem+json 500, never a plain-text one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            if started or scope["type"] != ScopeType.HTTP:
                raise
            log.exception("unhandled error outside the routes on %s", scope.get("path", ""))
            why = "an unexpected error occurred; it has been logged"
            await send_problem(send, scope, 500, "Internal error", why, "internal")
