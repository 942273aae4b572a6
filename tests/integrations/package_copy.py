"""A copy of the package for the recipe tests: each does to a copy what an ARCHITECTURE.md recipe says
and runs it in a child process with the copy first on PYTHONPATH, so that the copy is what imports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import served_redis_env

ROOT = Path(__file__).resolve().parents[2]
# What a run needs of a room: no caches, and none of the harness's results and datasets.
_LEFT_OUT = shutil.ignore_patterns("__pycache__", "results", "datasets", "*.jsonl", "*.json.gz")


def copy_package(root: Path) -> Path:
    """The package `mnemo` copied under `root` (every room: a top-level folder with an __init__.py,
    the test suite aside; and the modules at its top); answers the copy's folder."""
    package = root / "mnemo"
    package.mkdir(parents=True)
    for module in ROOT.glob("*.py"):
        shutil.copy(module, package / module.name)
    for room in sorted(p.parent for p in ROOT.glob("*/__init__.py") if p.parent.name != "tests"):
        shutil.copytree(room, package / room.name, ignore=_LEFT_OUT)
    return package


def insert(path: Path, anchor: str, text: str) -> None:
    """Replace the one `anchor` in the file with `text` (the recipe's step); fails if the anchor moved."""
    source = path.read_text()
    assert source.count(anchor) == 1, f"{path}: the recipe's anchor {anchor!r} moved"
    path.write_text(source.replace(anchor, text))


def environment_of_copy(root: Path, redis_url: str, redis_prefix: str, **settings: str) -> dict[str, str]:
    """The environment a child process runs the copy under `root` in: the copy first on the path
    (before the editable install's finder), the test Redis under the test's key prefix, no model hub,
    and these MNEMO_* `settings`."""
    env = {
        **os.environ,
        "PYTHONPATH": str(root),
        **served_redis_env(redis_url),
        "MNEMO_REDIS__KEY_PREFIX": redis_prefix,
        "HF_HUB_OFFLINE": "1",
        **settings,
    }
    env.pop("PYTEST_XDIST_WORKER", None)  # a pytest the child runs is not one of this run's workers
    return env


def drive(script: Path, args: list[str], env: dict[str, str], cwd: Path) -> dict[str, Any]:
    """Run `script`, a program that drives the copy and prints what it saw as JSON on its last line,
    in a child process under `env` (`environment_of_copy`); answers that JSON, and fails with the
    child's errors where it exits non-zero."""
    done = subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=900
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))
