"""One client of the API: the CLI, the MCP tools and the benchmarks talk to a running mnemo
only through `mnemo_client`. Checked on the tree itself: no module of the `mnemo` package imports an
HTTP client library (httpx, requests, urllib.request, …), builds an httpx client or sends through
Litestar's test client, but for the few named here with the reason they may."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOT_PACKAGE = {"tests", "client", "deploy", "docs", "examples", "build"}
HTTP_LIBRARIES = {"httpx", "requests", "aiohttp", "urllib3", "urllib.request", "http.client"}
HTTPX_CLIENTS = {"Client", "AsyncClient"}
# Rooms that speak HTTP by themselves, on purpose. (The coding-agent hooks, whose stdlib-only client
# on a plain socket is their latency, live in the client distribution: client/mnemo_hook.)
OWN_HTTP_ROOMS: set[str] = {
    # The tests of the other servers' protocols (not a part of the package): they drive mnemo with
    # the vendors' own clients, and call a vendor route by hand where no client method reaches it.
    "compat/tests",
}
# Modules that may import httpx, none of them to talk to mnemo.
MAY_IMPORT_HTTPX = {
    "backends/llm_reviewer.py": "its client talks to an LLM's OpenAI-style API",
    "backends/qdrant_server/index.py": "catches the httpx errors qdrant-client lets through",
}
MAY_BUILD_HTTPX_CLIENT = {"backends/llm_reviewer.py"}


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        top = relative.parts[0]
        if len(relative.parts) > 1 and (top in NOT_PACKAGE or top.startswith(".")):
            continue
        name = relative.as_posix()
        if any(name.startswith(f"{room}/") for room in OWN_HTTP_ROOMS):
            continue
        yield name, ast.parse(path.read_text(), filename=name)


def _imported(tree: ast.Module) -> set[str]:
    """Absolute imports, each with its parents (`urllib.request` also as `urllib`)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        for name in found:
            parts = name.split(".")
            names.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    return names


def _builds_httpx_client(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in HTTPX_CLIENTS
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "httpx"
        for node in ast.walk(tree)
    )


def test_no_module_imports_an_http_client_library_but_the_named_ones() -> None:
    offenders = {}
    for name, tree in _modules():
        found = _imported(tree) & HTTP_LIBRARIES
        if found and not (found == {"httpx"} and name in MAY_IMPORT_HTTPX):
            offenders[name] = sorted(found)
    assert offenders == {}, "talk to mnemo through mnemo_client: AsyncMnemo / Mnemo, `request()` for raw HTTP"


def test_only_the_llm_reviewer_builds_an_httpx_client() -> None:
    assert {name for name, tree in _modules() if _builds_httpx_client(tree)} == MAY_BUILD_HTTPX_CLIENT


def test_litestars_test_client_serves_only_behind_mnemo_client() -> None:
    """In process, the benchmarks run the app in Litestar's test client and send through
    `AsyncMnemo(http_client=…)` (benchmarks/target.py `in_process_client`), not through the test
    client's own `.post`/`.get`."""
    users = {name for name, tree in _modules() if "litestar.testing" in _imported(tree)}
    assert users == {"benchmarks/target.py"}


def test_the_exceptions_are_still_needed() -> None:
    """An exception that no longer imports httpx is taken off the list (so it cannot hide a new use)."""
    modules = dict(_modules())
    assert {name for name in MAY_IMPORT_HTTPX if "httpx" in _imported(modules[name])} == set(MAY_IMPORT_HTTPX)
    assert all((ROOT / room).is_dir() for room in OWN_HTTP_ROOMS)


def test_the_check_sees_what_it_looks_for() -> None:
    """The checks themselves, on code that would break the rule."""
    tree = ast.parse("import urllib.request\nfrom httpx import AsyncClient\nc = httpx.Client(base_url='x')\n")
    assert _imported(tree) & HTTP_LIBRARIES == {"httpx", "urllib.request"}
    assert _builds_httpx_client(tree)
    assert not _imported(ast.parse("from . import http\nfrom mnemo_client import Mnemo\n")) & HTTP_LIBRARIES
