"""Other memory servers' protocols at the edge, and importers of their exports.

mem0's (`/mem0`), Redis Agent Memory Server's (`/ams`) and Zep's (`/zep`) protocols, each translated
into the services the native API uses; importers of their exports (`mnemo import --from`). Nothing in
the core imports this package (import-linter, pyproject.toml); `api/http/app.py` mounts its routers
and its edge."""

from __future__ import annotations

from litestar import Router

from .ams.routes import ams_router
from .edge import VendorEdge
from .mem0.routes import mem0_router
from .zep.routes import zep_router


def compat_routers() -> list[Router]:
    """The vendors' routers, each under its prefix."""
    return [mem0_router(), ams_router(), zep_router()]


__all__ = ["VendorEdge", "compat_routers"]
