"""Redis Agent Memory Server's protocol under `/ams`."""

from __future__ import annotations

from litestar import Router

from ..edge import NotSupported, not_supported_handler, unsupported_routes

VENDOR = "ams"


def ams_router() -> Router:
    return Router(
        "/ams",
        route_handlers=unsupported_routes(VENDOR, {}),
        exception_handlers={NotSupported: not_supported_handler},
    )
