"""The framework adapters' tests: one real `mnemo serve` for the session, started from the server's
venv (MNEMO_SERVE, default ../.venv/bin/mnemo) on a free loopback port with a temporary data dir, the
embedded Redis and one API key. These tests run in their own venv (`make test-frameworks`): the
client with every framework extra, and no torch."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
API_KEY = "key-of-the-framework-tests"


@dataclass(frozen=True)
class Server:
    url: str
    api_key: str


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pytest_sessionstart(session: pytest.Session) -> None:
    # The point of the extras: an agent gets mnemo into its framework without torch.
    assert importlib.util.find_spec("torch") is None, "torch is installed in the frameworks venv"


@pytest.fixture(scope="session")
def mnemo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    serve = os.path.abspath(os.environ.get("MNEMO_SERVE", str(REPO / ".venv" / "bin" / "mnemo")))
    root = tmp_path_factory.mktemp("mnemo-serve")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MNEMO_")}
    env.update(
        HF_HUB_OFFLINE="1",
        MNEMO_DATA_DIR=str(root / "data"),
        MNEMO_HOST="127.0.0.1",
        MNEMO_PORT=str(port),
        MNEMO_API_KEYS=f"{API_KEY}:frameworks",
    )
    log = root / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen([serve, "serve"], env=env, stdout=out, stderr=out, cwd=root)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"mnemo serve exited:\n{log.read_text()}")
            try:
                if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        else:
            pytest.fail(f"mnemo serve did not become ready:\n{log.read_text()}")
        yield Server(url, API_KEY)
    finally:
        proc.terminate()
        proc.wait(timeout=60)


@pytest.fixture
def user() -> str:
    """A user of its own per test: every adapter scopes what it writes, so tests never meet."""
    return f"u-{uuid.uuid4().hex[:10]}"
