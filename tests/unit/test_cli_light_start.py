"""`mnemo --help`, `--version` and every `mnemo … --help` answer without loading the service: no
engine, model, web framework or HTTP client is imported until a command runs. Checked by what a fresh
interpreter holds after answering every one of them, not by timing (the timings are a benchmark's:
benchmarks/latency/cli_start.py)."""

from __future__ import annotations

import json
import subprocess
import sys

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


def test_no_help_and_no_version_loads_the_service() -> None:
    done = subprocess.run(
        [sys.executable, "-c", ANSWER_EVERY_HELP], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert {"mnemo --version", "mnemo --help", "mnemo serve --help", "mnemo bench quality --help"} <= set(
        result["answered"]
    )
    loaded = [m for m in result["modules"] if any(m == h or m.startswith(f"{h}.") for h in HEAVY)]
    assert not loaded, f"answering --help or --version imported {loaded[:10]}"


def test_the_ingest_help_names_the_write_paths_batch_size() -> None:
    from mnemo.cli.main import build_parser
    from mnemo.ingest.batch import DEFAULT_BATCH_SIZE  # the default the parser may not import

    ingest = build_parser()._subparsers._group_actions[0].choices["ingest"]  # type: ignore[union-attr]
    assert f"(default {DEFAULT_BATCH_SIZE})" in " ".join(ingest.format_help().split())
