"""Per-component dependency providers: a handler names the components it uses
(`catalog: NamedDependency[Catalog]`) instead of reaching into one bag of services."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import Provide

# The components a handler may ask for, by parameter name (attributes of `mnemo.api.http.services.Services`).
COMPONENTS = (
    "settings",
    "writer",
    "retriever",
    "catalog",
    "lifecycle",
    "access_log",
    "working",
    "threads",
    "history",
    "changes",
    "forgetter",
)


def _provider(name: str) -> Provide:
    def provide(request: Request[Any, Any, Any]) -> Any:
        return getattr(request.app.state.services, name)

    return Provide(provide, sync_to_thread=False)


def component_providers() -> dict[str, Provide]:
    return {name: _provider(name) for name in COMPONENTS}
