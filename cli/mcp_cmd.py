"""`mnemo mcp` and `mnemo hook`: the light client's `mnemo-mcp` (MCP tools over stdio, HTTP to a running
mnemo) and `mnemo-hook`, both in mnemo_client. `mnemo.cli.main` hands either command line to the
client's own parser before argparse sees it; here they are only named, for `mnemo --help`."""

from __future__ import annotations

import argparse
import sys


def _usage(command: str) -> int:  # reached only when main's hand-over is bypassed
    print(f"usage: mnemo {command} … (see mnemo {command} --help)", file=sys.stderr)
    return 2


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for command, help_text in (
        ("mcp", "MCP server over stdio for a running mnemo (tools: remember, recall, …); = mnemo-mcp"),
        ("hook", "coding-agent hooks: user-prompt-submit | post-tool-use | stop | session-end | install"
         "; = mnemo-hook"),
    ):  # fmt: skip
        parser = sub.add_parser(command, help=help_text)
        parser.add_argument("rest", nargs=argparse.REMAINDER)
        parser.set_defaults(func=lambda _, command=command: _usage(command))
