"""`mnemo mcp`: the light client's `mnemo-mcp` (MCP tools over stdio, HTTP to a running mnemo), and
`mnemo hook` (the light client's `mnemo-hook`) for `--help`; both live in mnemo_client."""

from __future__ import annotations

import argparse
import sys

from mnemo_client.mcp.stdio import add_arguments, serve


def _serve_stdio(args: argparse.Namespace) -> int:
    return serve(args.url, args.api_key, args.timeout, args.mask_sensitive)


def _hook_help(_: argparse.Namespace) -> int:  # `mnemo hook …` is dispatched before argparse
    print("usage: mnemo hook {user-prompt-submit|post-tool-use|stop|session-end|install}", file=sys.stderr)
    return 2


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    mcp = sub.add_parser(
        "mcp", help="MCP server over stdio for a running mnemo (tools: remember, recall, …); = mnemo-mcp"
    )
    add_arguments(mcp)
    mcp.set_defaults(func=_serve_stdio)
    hook = sub.add_parser(
        "hook",
        help="coding-agent hooks: user-prompt-submit | post-tool-use | stop | session-end | install"
        "; = mnemo-hook",
    )
    hook.add_argument("event", nargs=argparse.REMAINDER)
    hook.set_defaults(func=_hook_help)
