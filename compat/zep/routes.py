"""Zep's protocol under `/zep`."""

from __future__ import annotations

from litestar import Router

from ..edge import NotSupported, not_supported_handler, unsupported_routes

VENDOR = "zep"


def zep_router() -> Router:
    return Router(
        "/zep",
        route_handlers=unsupported_routes(VENDOR, {}),
        exception_handlers={NotSupported: not_supported_handler},
    )
