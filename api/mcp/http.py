"""`/mcp`: the MCP tools over streamable HTTP, mounted in the service itself.

Authenticated by the same bearer keys as the REST API: the app's guard (`require_tenant` of
api/http/providers.py) answers a missing or unknown key with a 401 problem before any MCP message is
read. Each tool call is then an in-process request to this same app
(`AsyncMnemo(app=…)`: no socket) carrying the caller's `Authorization` header, so it is scoped to
the key's tenant, validated and rate-limited exactly like the REST call it stands for.

Stateless and JSON-answering: no MCP session lives in one process, so `mnemo serve --workers N`
behind a load balancer serves `/mcp` like any other route. The SDK's session manager has a task
group that must run for the app's whole life: `lifespan` runs it inside the app's lifespan.
A `GET /mcp` event stream is bounded per tenant in number and idle time (streams.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.handlers import ASGIRouteHandler, asgi
from litestar.types import Guard, Receive, Scope, Send
from mcp.server.mcpserver import Context
from mcp.server.transport_security import TransportSecuritySettings

from mnemo_client import AsyncMnemo
from mnemo_client.mcp.tools import build_mcp_server

from .streams import StreamLimits, bounded_stream, tenant_of_scope

MCP_PATH = "/mcp"
# The in-process base URL of the tools' client: a loopback Host, which every Host policy admits.
_SELF_URL = "http://127.0.0.1"
_LOOPBACK_HOSTS = TransportSecuritySettings(
    enable_dns_rebinding_protection=True,
    allowed_hosts=["127.0.0.1", "127.0.0.1:*", "localhost", "localhost:*", "[::1]", "[::1]:*"],
    allowed_origins=["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"],
)


class McpEndpoint:
    """The MCP server of one app: its tools, its session manager, its mount and its lifespan."""

    def __init__(
        self, single_tenant: bool, authenticate: Guard, streams: StreamLimits, mask_sensitive: bool = False
    ) -> None:
        self._app: Litestar | None = None
        self.streams = streams
        self.server = build_mcp_server(self._client_for, mask_sensitive)
        # A keyless server answers loopback only; the SDK's DNS-rebinding check keeps a web page
        # from reaching it through a hostile name. With keys, the bearer key is the protection.
        security = (
            _LOOPBACK_HOSTS
            if single_tenant
            else TransportSecuritySettings(enable_dns_rebinding_protection=False)
        )
        self.server.streamable_http_app(stateless_http=True, json_response=True, transport_security=security)
        self.manager = self.server.session_manager
        self.route: ASGIRouteHandler = asgi(MCP_PATH, is_mount=True, copy_scope=True, guards=[authenticate])(
            self._handle
        )

    @asynccontextmanager
    async def lifespan(self, app: Litestar) -> AsyncIterator[None]:
        self._app = app
        async with self.manager.run():
            yield

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("method") == "GET" and self._app is not None:  # an event stream: bounded
            tenant = tenant_of_scope(scope, self._app.state.services.keys.tenant_for)  # the guard checked it
            await bounded_stream(self.streams, tenant, self._sdk, scope, receive, send)
        else:
            await self._sdk(scope, receive, send)

    async def _sdk(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.manager.handle_request(scope, receive, send)  # type: ignore[arg-type]

    @asynccontextmanager
    async def _client_for(self, ctx: Context) -> AsyncIterator[AsyncMnemo]:
        if self._app is None:
            raise RuntimeError("the MCP endpoint serves only inside the app's lifespan")
        authorization = (ctx.headers or {}).get("authorization")
        headers = {"Authorization": authorization} if authorization else None
        async with AsyncMnemo(_SELF_URL, headers=headers, app=self._app, max_retries=0) as client:
            yield client
