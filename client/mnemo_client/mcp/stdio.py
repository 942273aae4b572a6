"""`mnemo-mcp`: the MCP tools over stdio, talking HTTP to a running mnemo through the Python client.

A console script of the light client (`pip install 'mnemo-client[mcp]'`: no torch, no engines); the
server's `mnemo mcp` runs the same. The MCP process never opens the data directory (Qdrant Edge is
single-process): the service stays the one owner of the data and the one place requests are checked.
Logs go to stderr; stdout is the protocol's.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from .._version import client_version

DEFAULT_URL = "http://127.0.0.1:8080"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--url",
        default=os.environ.get("MNEMO_URL") or DEFAULT_URL,
        help=f"mnemo's URL (MNEMO_URL, else {DEFAULT_URL})",
    )
    parser.add_argument(
        "--api-key", default=os.environ.get("MNEMO_API_KEY"), help="bearer key (MNEMO_API_KEY)"
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request (default 30)")
    parser.add_argument(
        "--mask-sensitive",
        action="store_true",
        default=os.environ.get("MNEMO_MCP_MASK_SENSITIVE", "").lower() in ("1", "true", "yes"),
        help="return secrets and personal data as typed placeholders ([CARD]) (MNEMO_MCP_MASK_SENSITIVE)",
    )


def serve(url: str, api_key: str | None, timeout: float, mask_sensitive: bool = False) -> int:
    """Serve the tools on stdin/stdout until the host closes them."""
    from mcp.server.mcpserver import Context

    from ..async_client import AsyncMnemo
    from .tools import build_mcp_server

    async def run() -> None:
        async with AsyncMnemo(url, api_key, timeout=timeout) as client:

            @asynccontextmanager
            async def client_for(_: Context) -> AsyncIterator[AsyncMnemo]:
                yield client

            server = build_mcp_server(client_for, mask_sensitive, users_zone=_local_utc_offset)
            await server.run_stdio_async()

    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per tool call on stderr
    asyncio.run(run())
    return 0


def _local_utc_offset() -> str:
    """This machine's UTC offset now (`+05:30`): the host runs on the user's machine."""
    return datetime.now().astimezone().isoformat(timespec="minutes")[-6:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="mnemo-mcp", description="MCP server over stdio for a running mnemo (tools: remember, recall, …)"
    )
    add_arguments(parser)
    parser.add_argument("--version", action="version", version=f"mnemo-mcp (mnemo-client {client_version()})")
    args = parser.parse_args(argv)
    try:
        import mcp  # noqa: F401 - only to say what is missing
    except ImportError:
        print("mnemo-mcp: needs the mcp extra: pip install 'mnemo-client[mcp]'", file=sys.stderr)
        return 2
    return serve(args.url, args.api_key, args.timeout, args.mask_sensitive)


def run() -> None:
    """The `mnemo-mcp` console script."""
    sys.exit(main())
