"""The vendors' clients against one real `mnemo serve` for the session, started from the server's
venv (MNEMO_SERVE, default ../../.venv/bin/mnemo) on a free loopback port with a temporary data dir,
the embedded Redis and two API keys: two tenants, to show that each protocol keeps them apart.
These tests run in their own venv (`make test-compat`: the clients of compat/tests/requirements.txt)."""

from __future__ import annotations

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

# mem0's client reports each call to its vendor unless told not to; the tests run offline.
os.environ["MEM0_TELEMETRY"] = "False"
REPO = Path(__file__).resolve().parents[2]
KEYS = {"key-of-tenant-a": "tenant-a", "key-of-tenant-b": "tenant-b"}


@dataclass(frozen=True)
class Server:
    url: str
    key: str  # tenant-a's
    other_key: str  # tenant-b's


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"mnemo serve exited:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/ready", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail(f"mnemo serve did not become ready:\n{log.read_text()}")


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
        MNEMO_API_KEYS=",".join(f"{key}:{tenant}" for key, tenant in KEYS.items()),
    )
    log = root / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen([serve, "serve"], env=env, stdout=out, stderr=out, cwd=root)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(proc, url, log)
        yield Server(url, *KEYS)
    finally:
        proc.terminate()
        proc.wait(timeout=60)


@pytest.fixture
def user() -> str:
    """A user of its own per test, so that tests never meet."""
    return f"u-{uuid.uuid4().hex[:10]}"
