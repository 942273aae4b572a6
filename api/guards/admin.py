"""The guard of the admin routes (`/v1/admin/…`): the admin key, or single-tenant mode."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from ...memtypes.errors import Forbidden
from .auth import is_admin

# The admin routes' paths. The per-tenant guards (rate limits, fair share) leave them alone: an admin
# call is nobody's tenant, so it is neither resolved as one (the admin key is no tenant's key) nor
# counted against one; the admin key itself is checked by `require_admin` on each route.
ADMIN_PREFIX = "/v1/admin/"


def is_admin_path(path: str) -> bool:
    return path.startswith(ADMIN_PREFIX)


async def require_admin(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    services = connection.app.state.services
    admin_key = services.settings.admin_key
    secret = admin_key.get_secret_value() if admin_key else None
    if not is_admin(services.keys, secret, connection.headers.get("authorization")):
        raise Forbidden("admin calls need the admin key (MNEMO_ADMIN_KEY) as the bearer token")
