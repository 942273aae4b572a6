"""Everything a handler uses, provided by name: the one place that reads the app's state and the
request's `Authorization` header for handlers. A handler declares what it uses
(`catalog: NamedDependency[Catalog]`, `tenant: NamedDependency[str]`) and reads nothing itself.

A request body can never be taken for one of these: its fields are validated apart from the
dependencies (`RequestBodies` in problems.py), so a body key named `tenant` is a 422 naming it.

The read routes that take a scope in the query string (`?user_id=…&namespace=…`) ask for it whole,
`query_scope`: its query parameters are declared once, here, and documented on each such route."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.handlers import BaseRouteHandler
from litestar.params import QueryParameter

from ...memtypes.agents.resolution import Bindings
from ...memtypes.records import SCOPE_ID_PATTERN, Scope
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


ScopeIdParam = Annotated[str | None, QueryParameter(pattern=SCOPE_ID_PATTERN, max_length=256)]


def _query_scope_without_namespace(
    tenant: NamedDependency[str],
    user_id: ScopeIdParam = None,
    agent_id: ScopeIdParam = None,
    thread_id: ScopeIdParam = None,
) -> Scope:
    """The scope a read's query string names, for a route that takes no namespace. It waits for
    `tenant` so that an unknown key is a 401 before a bad scope field is a 422 (a bad field is a 422
    naming it, as any query parameter's)."""
    return Scope(user_id=user_id, agent_id=agent_id, thread_id=thread_id)


def _query_scope(
    query_scope_without_namespace: NamedDependency[Scope], namespace: ScopeIdParam = None
) -> Scope:
    # The namespace was checked against the scope pattern as a query parameter: the copy needs no validation.
    return query_scope_without_namespace.model_copy(update={"namespace": namespace})


def providers() -> dict[str, Provide]:
    """The app's dependencies, by the parameter name a handler gives them."""
    return {
        **{name: _component(name) for name in COMPONENTS},
        "tenant": Provide(_tenant, sync_to_thread=False),
        "services": Provide(_services, sync_to_thread=False),
        "bindings": Provide(_bindings, sync_to_thread=False),
        "fairness": Provide(_fairness, sync_to_thread=False),
        "metrics": Provide(_metrics, sync_to_thread=False),
        "query_scope": Provide(_query_scope, sync_to_thread=False),
        "query_scope_without_namespace": Provide(_query_scope_without_namespace, sync_to_thread=False),
    }
