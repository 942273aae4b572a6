"""A body sent to a route that takes none is refused (422 naming `body`), never ignored: a caller who
sends one means something by it (a filter on a DELETE, options on a POST) and would otherwise take
it as applied. Runs after routing (a guard on the app): only the route knows whether it reads a body."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler

from ...compat.edge import vendor_of
from ...memtypes.errors import FieldProblem, InvalidInput


async def refuse_unread_body(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    if not isinstance(handler, HTTPRouteHandler) or "data" in handler.parsed_fn_signature.parameters:
        return  # a mount (its own protocol), or a route that reads its body
    if vendor_of(connection.url.path) is not None:
        return  # another server's protocol: its clients' bodies are the vendor's, read or answered 501
    length = connection.headers.get("content-length", "").strip()
    chunked = "chunked" in connection.headers.get("transfer-encoding", "").lower()
    if chunked or length not in ("", "0"):
        raise InvalidInput(
            f"{connection.url.path} takes no request body",
            problems=[FieldProblem("body", "this endpoint takes no body: send none")],
        )
