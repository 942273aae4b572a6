"""`create_app(settings)`: the Litestar application. Nothing is opened at import time."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.di import Provide
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import OpenAPIConfig

from api import routes
from api.problems import http_error_handler, internal_error_handler, mnemo_error_handler, validation_handler
from api.services import open_services
from api.settings import Settings
from memtypes.errors import MnemoError

log = logging.getLogger("mnemo")


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        app.state.services = await open_services(settings)
        app.state.services.start()
        if app.state.services.keys.single_tenant:
            log.warning("no MNEMO_API_KEYS set: single-tenant mode, every request is tenant 'default'")
        try:
            yield
        finally:
            services, app.state.services = app.state.services, None
            await services.close()

    return Litestar(
        route_handlers=[
            routes.write_memories,
            routes.get_memory,
            routes.delete_memory,
            routes.list_memories,
            routes.retrieve,
            routes.complete_memory,
            routes.cancel_memory,
            routes.mark_used,
            routes.due_memories,
            routes.health,
            routes.ready,
        ],
        dependencies={
            "services": Provide(routes.provide_services),
            "tenant": Provide(routes.provide_tenant),
        },
        exception_handlers={
            MnemoError: mnemo_error_handler,
            ValidationException: validation_handler,
            HTTPException: http_error_handler,
            Exception: internal_error_handler,
        },
        lifespan=[lifespan],
        request_max_body_size=settings.max_request_bytes,
        openapi_config=OpenAPIConfig(title="mnemo", version="0.1.0", path="/schema"),
        logging_config=None,
    )
