"""`mnemo mcp`: the MCP tools over stdio, talking to a running mnemo through the Python client.

The MCP process never opens the data directory (Qdrant Edge is single-process): the service stays
the one owner of the data and the one place requests are checked. Logs go to stderr; stdout is the
protocol's.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

DEFAULT_URL = "http://127.0.0.1:8080"


def _serve_stdio(args: argparse.Namespace) -> int:
    import logging

    from mcp.server.mcpserver import Context

    from mnemo_client import AsyncMnemo

    from ..api.mcp.tools import build_mcp_server

    async def run() -> None:
        async with AsyncMnemo(args.url, args.api_key, timeout=args.timeout) as client:

            @asynccontextmanager
            async def client_for(_: Context) -> AsyncIterator[AsyncMnemo]:
                yield client

            await build_mcp_server(client_for).run_stdio_async()

    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per tool call on stderr
    asyncio.run(run())
    return 0


def _hook_help(_: argparse.Namespace) -> int:  # `mnemo hook …` is dispatched before argparse
    print("usage: mnemo hook {user-prompt-submit|post-tool-use|stop|session-end|install}", file=sys.stderr)
    return 2


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    mcp = sub.add_parser("mcp", help="MCP server over stdio for a running mnemo (tools: remember, recall, …)")
    mcp.add_argument(
        "--url", default=os.environ.get("MNEMO_URL") or DEFAULT_URL, help="mnemo's URL (MNEMO_URL)"
    )
    mcp.add_argument("--api-key", default=os.environ.get("MNEMO_API_KEY"), help="bearer key (MNEMO_API_KEY)")
    mcp.add_argument("--timeout", type=float, default=30.0, help="seconds per request (default 30)")
    mcp.set_defaults(func=_serve_stdio)
    hook = sub.add_parser(
        "hook",
        help="coding-agent hooks: user-prompt-submit | post-tool-use | stop | session-end | install",
    )
    hook.add_argument("event", nargs=argparse.REMAINDER)
    hook.set_defaults(func=_hook_help)
