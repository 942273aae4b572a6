"""`create_app(settings)`: the Litestar application. Nothing is opened at import time."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from litestar import Litestar
from litestar.config.cors import CORSConfig
from litestar.datastructures import MutableScopeHeaders, State
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.types import ControllerRouterHandler, Message, Scope

from ...compat import VendorEdge, compat_routers
from ...memtypes.agents.resolution import Bindings
from ...memtypes.errors import MnemoError
from ...memtypes.ports import Embedder
from ..config.bindings_config import load_bindings
from ..config.garbage_collection import FreezeAfterFullCollections
from ..config.logs import configure_logging
from ..config.settings import Settings
from ..guards import connections
from ..guards.fairness import Fairness, FairShare, open_fairness
from ..guards.rate_limit import open_rate_limit, rate_limit_guard
from ..guards.request_context import RequestContextMiddleware
from ..guards.request_gate import LastResort, Liveness, RequestGate
from ..guards.resilience import InflightWrites, TrackWrites
from ..guards.unread_body import refuse_unread_body
from ..mcp.http import McpEndpoint
from ..mcp.streams import StreamLimits
from ..ui import routes as ui_routes
from . import admin_routes, governance_routes, routes, thread_routes, working_routes
from .metrics import (
    MetricsController,
    MnemoMetrics,
    counting_engine_errors,
    prometheus_config,
    record_response,
)
from .problems import (
    RequestBodies,
    http_error_handler,
    internal_error_handler,
    mnemo_error_handler,
    validation_handler,
)
from .providers import providers, require_tenant
from .services import open_services

log = logging.getLogger("mnemo")
# The schema as JSON (/schema/openapi.json) and YAML, nothing else: litestar's default viewers
# (Swagger UI, ReDoc, …) load their scripts from a public CDN, which a service run offline or behind
# a strict firewall cannot reach. The explorer (/ui) is the service's own page; any OpenAPI viewer
# reads the JSON.
OPENAPI = OpenAPIConfig(
    title="mnemo", version="0.1.0", path="/schema", render_plugins=[JsonRenderPlugin(), YamlRenderPlugin()]
)


def _complete_allow_header(app: Litestar) -> Callable[[Message, Scope], Awaitable[None]]:
    """Litestar's automatic OPTIONS answer lists the methods of one handler only; a path served by
    several handlers (GET and DELETE on /v1/memories/{id}) must list them all."""
    methods_by_path: dict[str, str] = {}

    async def before_send(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start" or scope.get("method") != "OPTIONS":
            return
        handler = scope.get("route_handler")
        paths: set[str] = getattr(handler, "paths", set())
        if not methods_by_path:
            for route in app.routes:
                methods_by_path[route.path] = ", ".join(sorted(getattr(route, "methods", ())))
        allowed = next((methods_by_path[p] for p in paths if p in methods_by_path), None)
        if allowed:
            MutableScopeHeaders.from_message(message)["allow"] = allowed

    return before_send


def route_handlers(mcp: McpEndpoint) -> list[ControllerRouterHandler]:
    """Every route the app serves, the MCP mount's included."""
    return [
        routes.write_memories,
        routes.get_memory,
        routes.delete_memory,
        routes.list_memories,
        routes.retrieve,
        routes.complete_memory,
        routes.cancel_memory,
        routes.mark_used,
        routes.restore_memory,
        routes.due_memories,
        governance_routes.invalidate_memory,
        routes.confirm_memory,
        governance_routes.stale_memories,
        routes.health,
        routes.ready,
        working_routes.append_working_item,
        working_routes.read_working,
        working_routes.clear_working,
        thread_routes.create_thread,
        thread_routes.append_turn,
        thread_routes.thread_history,
        MetricsController,
        mcp.route,
        governance_routes.forget,  # forget, change history
        governance_routes.forget_erasure,  # a forget's erasure, by receipt digest
        governance_routes.forget_preview,  # forget by query: what would go, then exactly that
        governance_routes.forget_previewed,
        governance_routes.forget_keys,
        governance_routes.memory_history,
        governance_routes.scope_holdings,
        governance_routes.search,  # the explorer's search box
        routes.rank_memories,  # a framework store's search
        ui_routes.explorer_page,  # the explorer at /ui
        ui_routes.explorer_asset,
        admin_routes.create_backup,  # online backup (`mnemo backup`)
        admin_routes.backup_file,
        admin_routes.drop_backup,
        admin_routes.admin_keys,  # the keys `mnemo backup` checks a manifest against
        *compat_routers(),  # mem0's, Redis AMS's and Zep's protocols (compat/)
    ]


def _lifespan(
    settings: Settings,
    bindings: Bindings,
    fairness: Fairness,
    metrics: MnemoMetrics,
    embedder: Embedder | None,
) -> Callable[[Litestar], AbstractAsyncContextManager[None]]:
    """The services opened from the settings (services.py, the composition root) for the app's life."""

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        # `mnemo serve`'s connection bounds, and failed accepts logged once a minute, not each one.
        connections.configure(settings.header_timeout_s, settings.body_timeout_s, settings.max_connections)
        loop = asyncio.get_running_loop()
        previous_handler = loop.get_exception_handler()
        connections.install_accept_error_log(loop)
        services = await open_services(settings, bindings, fairness, metrics, embedder)
        app.state.services = services
        app.state.rate_limit = open_rate_limit(settings, services.redis)
        services.start()
        if services.keys.single_tenant:
            log.warning("no MNEMO_API_KEYS set: single-tenant mode, every request is tenant 'default'")
        # What startup built (the model's and the libraries' modules, vocabularies: hundreds of
        # thousands of objects) is exempt from the cyclic collector, and so is what each full
        # collection finds alive (garbage_collection.py): a full collection walked it all, a long
        # pause every few hundred retrievals. No collection first: it found next to nothing to free
        # and cost a pause of its own (seconds in tests).
        collector = FreezeAfterFullCollections()
        collector.install()
        try:
            yield
        finally:
            collector.remove()
            # In-flight writes finish (bounded) before the engines close; Edge flushes on close.
            await app.state.inflight.drain(settings.shutdown_grace_s)
            app.state.services = None
            await services.close()
            loop.set_exception_handler(previous_handler)

    return lifespan


def create_app(settings: Settings | None = None, embedder: Embedder | None = None) -> Litestar:
    """`embedder`: one to serve with instead of the one the settings name (the benchmarks' cache)."""
    settings = settings or Settings()
    bindings = load_bindings(settings.config)  # a bad file fails here, before anything is opened
    metrics = MnemoMetrics()  # observability: this app's own Prometheus registry
    fairness = open_fairness(settings)  # the tenants' bounds: the middleware's and the write use case's
    # /mcp: the MCP tools over streamable HTTP; its event streams bounded per tenant
    streams = StreamLimits(settings.mcp_streams_per_tenant, settings.mcp_stream_idle_s)
    mcp = McpEndpoint(settings.single_tenant, require_tenant, streams, settings.mcp_mask_sensitive)
    app = Litestar(
        route_handlers=route_handlers(mcp),
        dependencies=providers(),  # a handler asks for what it uses: `tenant`, `catalog`, …
        plugins=[RequestBodies()],  # request bodies validated apart from the dependencies
        exception_handlers={
            MnemoError: counting_engine_errors(mnemo_error_handler),
            ValidationException: validation_handler,
            HTTPException: http_error_handler,
            Exception: counting_engine_errors(internal_error_handler),
        },
        lifespan=[_lifespan(settings, bindings, fairness, metrics, embedder), mcp.lifespan],
        middleware=[prometheus_config(metrics).middleware, TrackWrites(), FairShare()],
        cors_config=CORSConfig(allow_origins=settings.cors_origin_list)
        if settings.cors_origin_list
        else None,
        after_request=record_response,
        guards=[rate_limit_guard, refuse_unread_body],
        request_max_body_size=settings.max_request_bytes,
        openapi_config=OPENAPI,
        logging_config=None,
        state=State(
            {"bindings": bindings, "metrics": metrics, "fairness": fairness, "inflight": InflightWrites()}
        ),
    )
    app.before_send.append(_complete_allow_header(app))
    # Outermost, around routing and error handling: every response (a 404 of an unknown path too)
    # carries X-Request-ID, and every log line of the request its id.
    # Inside it: liveness (answered before anything else), then the browser and body rules
    # (api/guards/request_gate.py).
    gate = RequestGate(
        LastResort(app.asgi_handler),
        settings.allowed_host_names,
        frozenset(settings.cors_origin_list),
        settings.max_request_bytes,
    )
    # Under a vendor's prefix, its key scheme is read as mnemo's bearer key (compat/edge.py).
    app.asgi_handler = RequestContextMiddleware(Liveness(VendorEdge(gate)))
    return app


def create_app_from_env() -> Litestar:
    """The factory `mnemo serve --workers N` gives uvicorn: each worker process builds its own app
    from the MNEMO_* environment (which `mnemo serve` sets from its flags before forking)."""
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)  # a fresh process: set up its logging
    return create_app(settings)
