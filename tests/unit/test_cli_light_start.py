"""`mnemo --help`, `--version` and every `mnemo … --help` answer without loading the service: no
engine, model, web framework or HTTP client is imported until a command runs. Checked by what a fresh
interpreter holds after answering every one of them, not by timing (the timings are a benchmark's:
benchmarks/latency/cli_start.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

# What the service and its commands load when they run, never to print a help.
HEAVY = (
    "torch", "sentence_transformers", "onnxruntime", "numpy", "qdrant_client", "qdrant_edge", "redis",
    "litestar", "uvicorn", "pydantic", "pydantic_settings", "httpx", "tqdm", "mnemo_client",
    "mnemo.api", "mnemo.backends", "mnemo.ingest", "mnemo.retrieval",
)  # fmt: skip

ANSWER_EVERY_HELP = """
import argparse, contextlib, io, json, sys
from mnemo.cli.main import build_parser, main

def paths(parser, path):
    yield path
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from paths(sub, [*path, name])

answered = []
for argv in [["--version"], *([*path, "--help"] for path in paths(build_parser(), []))]:
    if argv[:1] in (["mcp"], ["hook"]):
        continue  # the light client's commands: their own process, their own imports
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            main(argv)
        except SystemExit as exit_:
            assert exit_.code in (0, None), (argv, exit_.code)
    answered.append(" ".join(["mnemo", *argv]))
print(json.dumps({"answered": answered, "modules": sorted(sys.modules)}))
"""


def printed_by_a_fresh_interpreter(script: str) -> Any:
    """What `script`, run in a new Python process, prints as JSON."""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def among(modules: list[str], packages: tuple[str, ...]) -> list[str]:
    """The `modules` that are one of `packages` or inside one."""
    return [m for m in modules if any(m == p or m.startswith(f"{p}.") for p in packages)]


def test_no_help_and_no_version_loads_the_service() -> None:
    result = printed_by_a_fresh_interpreter(ANSWER_EVERY_HELP)
    assert {"mnemo --version", "mnemo --help", "mnemo serve --help", "mnemo bench quality --help"} <= set(
        result["answered"]
    )
    loaded = among(result["modules"], HEAVY)
    assert not loaded, f"answering --help or --version imported {loaded[:10]}"


# `mnemo-mcp --help` and `mnemo mcp --help` (the same parser): the light client's package and the
# command's own module only, not the client it serves the tools through nor the MCP SDK.
ANSWER_THE_MCP_HELPS = """
import contextlib, io, json, sys
from mnemo_client.mcp.stdio import main as mnemo_mcp
from mnemo.cli.main import main as mnemo

for command, argv in ((mnemo_mcp, ["--help"]), (mnemo, ["mcp", "--help"]), (mnemo_mcp, ["--version"])):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            command(argv)
        except SystemExit as exit_:
            assert exit_.code in (0, None), (argv, exit_.code)
    assert "mnemo-mcp" in out.getvalue(), out.getvalue()
print(json.dumps(sorted(sys.modules)))
"""
MCP_HEAVY = (
    *(h for h in HEAVY if h != "mnemo_client"),
    *("mcp", "anyio", "starlette", "mnemo_client.async_client", "mnemo_client.sync_client"),
    *("mnemo_client.models", "mnemo_client.mcp.tools"),
)


def test_the_mcp_commands_help_loads_neither_the_client_nor_the_mcp_sdk() -> None:
    loaded = among(printed_by_a_fresh_interpreter(ANSWER_THE_MCP_HELPS), MCP_HEAVY)
    assert not loaded, f"mnemo-mcp --help imported {loaded[:10]}"


def test_the_client_package_still_gives_every_name_it_lists() -> None:
    import mnemo_client

    for name in mnemo_client.__all__:
        assert getattr(mnemo_client, name) is not None, name
    from mnemo_client import Mnemo, NotFound

    assert Mnemo.__module__ == "mnemo_client.sync_client" and issubclass(NotFound, Exception)


def test_the_ingest_help_names_the_write_paths_batch_size() -> None:
    from mnemo.cli.main import build_parser
    from mnemo.ingest.batch import DEFAULT_BATCH_SIZE  # the default the parser may not import

    ingest = build_parser()._subparsers._group_actions[0].choices["ingest"]  # type: ignore[union-attr]
    assert f"(default {DEFAULT_BATCH_SIZE})" in " ".join(ingest.format_help().split())
