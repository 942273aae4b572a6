"""Everything a handler uses, provided by name: the one place that reads the app's state and the
request's `Authorization` header for handlers. A handler declares what it uses
(`catalog: NamedDependency[Catalog]`, `tenant: NamedDependency[str]`) and reads nothing itself.

A request body can never be taken for one of these: its fields are validated apart from the
dependencies (`RequestBodies` in problems.py), so a body key named `tenant` is a 422 naming it."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.handlers import BaseRouteHandler

from ...memtypes.agents.resolution import Bindings
from ..config.logs import bind_tenant
from ..guards.fairness import Fairness
from .metrics import MnemoMetrics
from .services import Services

# The components a handler may ask for, by parameter name (attributes of `Services`).
COMPONENTS = (
    "settings",
    "writer",
    "writes",
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


def tenant_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The caller's tenant: its bearer key through the key ring (`Unauthorized`, a 401, otherwise)."""
    services: Services = connection.app.state.services
    return services.keys.tenant_for(connection.headers.get("authorization"))


async def require_tenant(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """A guard, for a route that takes no dependencies (the `/mcp` mount): a known key, or a 401."""
    tenant_of(connection)


def _tenant(request: Request[Any, Any, Any]) -> str:
    tenant = tenant_of(request)
    bind_tenant(tenant)  # the request's log lines (its access line included) name the tenant
    return tenant


def _component(name: str) -> Provide:
    def provide(request: Request[Any, Any, Any]) -> Any:
        return getattr(request.app.state.services, name)

    return Provide(provide, sync_to_thread=False)


def _services(request: Request[Any, Any, Any]) -> Services | None:
    """The whole set, for `/ready` only (None before start-up and after shutdown); handlers ask for
    the components they use."""
    services: Services | None = getattr(request.app.state, "services", None)
    return services


def _bindings(request: Request[Any, Any, Any]) -> Bindings:
    bindings: Bindings = request.app.state.bindings
    return bindings


def _fairness(request: Request[Any, Any, Any]) -> Fairness:
    fairness: Fairness = request.app.state.fairness
    return fairness


def _metrics(request: Request[Any, Any, Any]) -> MnemoMetrics:
    metrics: MnemoMetrics = request.app.state.metrics
    return metrics


def providers() -> dict[str, Provide]:
    """The app's dependencies, by the parameter name a handler gives them."""
    return {
        **{name: _component(name) for name in COMPONENTS},
        "tenant": Provide(_tenant, sync_to_thread=False),
        "services": Provide(_services, sync_to_thread=False),
        "bindings": Provide(_bindings, sync_to_thread=False),
        "fairness": Provide(_fairness, sync_to_thread=False),
        "metrics": Provide(_metrics, sync_to_thread=False),
    }
