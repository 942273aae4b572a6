"""The guard of the admin routes (`/v1/admin/…`): the admin key, or single-tenant mode."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from ...memtypes.errors import Forbidden
from .auth import is_admin


async def require_admin(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    services = connection.app.state.services
    admin_key = services.settings.admin_key
    secret = admin_key.get_secret_value() if admin_key else None
    if not is_admin(services.keys, secret, connection.headers.get("authorization")):
        raise Forbidden("admin calls need the admin key (MNEMO_ADMIN_KEY) as the bearer token")
