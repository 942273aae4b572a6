"""A real `mnemo serve` process for tests: a free loopback port, an environment without the caller's
MNEMO_* variables, the start waited for until `/ready` answers 200, and the process stopped after.

The one place every suite starts a served mnemo from: tests/ imports it as `tests.served`; the
framework adapters' tests (client/tests/) and the vendors' clients' tests (compat/tests/) run in
venvs of their own and load it by its path. So it needs nothing but the standard library and httpx.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

READY_TIMEOUT_S = 240.0
SERVE = (sys.executable, "-m", "mnemo.cli.main", "serve")  # the mnemo installed beside this interpreter


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_env(**extra: str) -> dict[str, str]:
    """This process's environment without its MNEMO_* variables, offline, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MNEMO_")}
    return {**env, "HF_HUB_OFFLINE": "1", **extra}


def launch(
    command: Sequence[str], env: Mapping[str, str], log: Path, **popen: Any
) -> subprocess.Popen[bytes]:
    """`command` started with `env`, its output appended to `log`; not waited for (`wait_ready`)."""
    with log.open("a") as out:
        return subprocess.Popen(list(command), env=dict(env), stdout=out, stderr=out, **popen)


def wait_ready(
    process: subprocess.Popen[bytes], url: str, log: Path, timeout_s: float = READY_TIMEOUT_S
) -> float:
    """Seconds until `url`'s /ready answered 200; AssertionError with the log's tail if it exits or
    takes longer than `timeout_s`."""
    started = time.monotonic()
    while True:
        if process.poll() is not None or time.monotonic() - started > timeout_s:
            tail = log.read_text(errors="replace")[-4000:]
            raise AssertionError(f"mnemo serve did not get ready (exit {process.poll()}):\n{tail}")
        try:
            if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.2)


@contextmanager
def served(
    command: Sequence[str],
    env: Mapping[str, str],
    port: int,
    log: Path,
    *,
    cwd: Path | None = None,
    timeout_s: float = READY_TIMEOUT_S,
) -> Iterator[str]:
    """`command` (a `mnemo serve`) started with `env`, listening on `port`, its output in `log`;
    yields its URL once ready, and stops it (SIGTERM, then waits) after."""
    process = launch(command, env, log, cwd=cwd)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(process, url, log, timeout_s)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=60)


@contextmanager
def served_from(serve: str, root: Path, api_keys: str) -> Iterator[str]:
    """The `mnemo` command at `serve` serving a data dir in `root` (the embedded Redis) with
    `api_keys` (MNEMO_API_KEYS), its log in `root`; yields its URL once ready."""
    port = free_port()
    env = serve_env(
        MNEMO_DATA_DIR=str(root / "data"),
        MNEMO_HOST="127.0.0.1",
        MNEMO_PORT=str(port),
        MNEMO_API_KEYS=api_keys,
    )
    with served([serve, "serve"], env, port, root / "serve.log", cwd=root) as url:
        yield url
