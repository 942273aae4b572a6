"""The tracked files as a clean clone has them (`copy_tracked`), and the wheels built from them
(mnemo-server, mnemo-client, mnemo-bench), each built once per test run and shared by the tests that
read or install them (tests/unit/test_repository_layout.py, tests/integrations/test_as_installed.py):
the `clean_wheels` fixture (tests/conftest.py).

Shared across pytest-xdist's workers too: each worker's temporary directory is a child of the
run's, where a file lock lets the first worker that asks build a wheel and the others wait for it.
The wheels are built in a copy of their own: a build leaves build/ and *.egg-info in its source,
which no test's clone may have.
"""

from __future__ import annotations

import fcntl
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Where each wheel comes from (a folder of the clone) and how its file is named.
PROJECTS = {
    "mnemo_server-*.whl": ".",
    "mnemo_client-*.whl": "client",
    "mnemo_bench-*.whl": "benchmarks",
}


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without anything that points Python at the source tree or the test venv."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "MNEMO_"))}
    return {**env, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1", **extra}


def copy_tracked(target: Path) -> Path:
    """The tracked files into `target`, as a fresh clone has them (benchmark results aside: many MB,
    no code)."""
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        if (ROOT / name).is_file() and not name.startswith("benchmarks/results/"):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    return target


class CleanWheels:
    """The wheels under `home` (the run's temporary directory), built from `home`/source."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.source = home / "source"
        self.wheels = home / "wheels"

    @contextmanager
    def _alone(self) -> Iterator[None]:
        """One worker at a time in here (the lock goes when the file closes)."""
        self.home.mkdir(parents=True, exist_ok=True)
        with (self.home / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def wheel(self, pattern: str) -> Path:
        """The one wheel named by `pattern` (a key of PROJECTS), built from the tracked files as
        `pip install` would build it, the first time it is asked for."""
        with self._alone():
            if not (self.home / ".copied").exists():
                shutil.rmtree(self.source, ignore_errors=True)  # what a worker that died left half-way
                copy_tracked(self.source)
                (self.home / ".copied").touch()
            if not list(self.wheels.glob(pattern)):
                project = self.source / PROJECTS[pattern]
                command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                           "--no-build-isolation", str(project), "-w", str(self.wheels)]  # fmt: skip
                done = subprocess.run(command, env=clean_env(), capture_output=True, text=True, timeout=600)
                assert done.returncode == 0, f"{shlex.join(command)}:\n{done.stderr[-4000:]}"
            (wheel,) = self.wheels.glob(pattern)
        return wheel
