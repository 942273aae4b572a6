"""The clients' plumbing below the typed methods: how their httpx client is built, and `request()`,
the low-level escape hatch, with its `Reply`.

`request()` is for what the typed methods do not cover: endpoints without a method (`/ready`,
`/metrics`), bodies sent exactly as given, and measurements of HTTP itself (the load and latency
benchmarks). It validates nothing, retries nothing and raises for no status; only a request that got
no answer raises (`MnemoConnectionError`).
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import Awaitable, Callable, Mapping
from functools import cached_property
from typing import Any

import httpx

from mnemo_client import _calls as calls
from mnemo_client.errors import MnemoConnectionError

# httpx's connection-pool limits, under the client's name so that callers need not import httpx:
# `Limits(max_connections=…, max_keepalive_connections=…, keepalive_expiry=…)`.
Limits = httpx.Limits


class Reply:
    """One answer as the server gave it: `status`, `headers`, `content`; `body` is the JSON body,
    parsed on first access (None when empty), so that a caller timing requests pays for no parsing
    it does not ask for. `raise_for_status()` raises the typed `MnemoError` of a 4xx/5xx."""

    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self.status: int = response.status_code
        self.headers: Mapping[str, str] = response.headers  # case-insensitive
        self.content: bytes = response.content

    @cached_property
    def body(self) -> Any:
        """The JSON body (ValueError when it is not JSON)."""
        return jsonlib.loads(self.content) if self.content else None

    @property
    def text(self) -> str:
        return self._response.text

    @property
    def ok(self) -> bool:
        return self.status < 400

    def raise_for_status(self) -> Reply:
        """This reply, or the typed error (`InvalidInput`, `NotFound`, …) the typed methods raise."""
        if self.status >= 400:
            raise calls.error_of(self._response)
        return self

    def __repr__(self) -> str:
        return f"<Reply {self.status}, {len(self.content)} bytes>"


def client_options(
    base_url: str,
    api_key: str | None,
    headers: Mapping[str, str] | None,
    timeout: float,
    transport: Any,
    limits: Limits | None,
) -> dict[str, Any]:
    """The keyword arguments of the client's own `httpx.Client` / `httpx.AsyncClient`."""
    try:
        httpx.URL(base_url)
    except httpx.InvalidURL as exc:
        raise MnemoConnectionError(f"not a URL mnemo can be reached at: {base_url!r} ({exc})") from exc
    options: dict[str, Any] = {
        "base_url": base_url.rstrip("/"),
        "headers": calls.headers(api_key, headers),
        "timeout": timeout,
        "transport": transport,
    }
    if limits is not None:
        if transport is not None:  # httpx applies limits to its own transport only
            raise TypeError("limits are for the client's own connection pool, not for a given transport")
        options["limits"] = limits
    return options


def asgi_transport(app: Callable[..., Awaitable[None]], transport: Any) -> httpx.ASGITransport:
    """httpx's in-process transport to an ASGI app (no socket; the app's lifespan runs elsewhere)."""
    if transport is not None:
        raise TypeError("give an ASGI app or a transport, not both")
    return httpx.ASGITransport(app=app)


def borrowed_headers(api_key: str | None, headers: Mapping[str, str] | None, **own: Any) -> dict[str, str]:
    """The headers to send with each request through a caller's httpx client (which keeps its own
    base URL, timeout, transport and limits, so none of those may be given as well)."""
    given = sorted(name for name, value in own.items() if value is not None)
    if given:
        raise TypeError(f"http_client is configured already: do not pass {', '.join(given)} as well")
    return calls.headers(api_key, headers)


def request_options(
    json: Any,
    params: Mapping[str, Any] | None,
    headers: Mapping[str, str] | None,
    default_headers: Mapping[str, str] | None,
    timeout: float | None,
) -> dict[str, Any]:
    """httpx's keyword arguments for `request()`: only what was given (httpx reads `timeout=None` as
    "no timeout", not as the client's)."""
    options: dict[str, Any] = {}
    if json is not None:
        options["json"] = json
    if params is not None:
        options["params"] = params
    if default_headers or headers:
        options["headers"] = {**(default_headers or {}), **(headers or {})}
    if timeout is not None:
        options["timeout"] = timeout
    return options
