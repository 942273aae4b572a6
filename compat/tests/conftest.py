"""The vendors' clients against one real `mnemo serve` for the session, started from the server's
venv (MNEMO_SERVE, default ../../.venv/bin/mnemo) on a free loopback port with a temporary data dir,
the embedded Redis and two API keys: two tenants, to show that each protocol keeps them apart.
These tests run in their own venv (`make test-compat`: the clients of compat/tests/requirements.txt)."""

from __future__ import annotations

import importlib.util
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# mem0's client reports each call to its vendor unless told not to; the tests run offline.
os.environ["MEM0_TELEMETRY"] = "False"
REPO = Path(__file__).resolve().parents[2]
KEYS = {"key-of-tenant-a": "tenant-a", "key-of-tenant-b": "tenant-b"}


def _load_served() -> Any:
    """tests/served.py, by its path: this venv has the client, not the server's test package."""
    spec = importlib.util.spec_from_file_location("mnemo_tests_served", REPO / "tests" / "served.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


served = _load_served()


@dataclass(frozen=True)
class Server:
    url: str
    key: str  # tenant-a's
    other_key: str  # tenant-b's


@pytest.fixture(scope="session")
def mnemo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    serve = os.path.abspath(os.environ.get("MNEMO_SERVE", str(REPO / ".venv" / "bin" / "mnemo")))
    root = tmp_path_factory.mktemp("mnemo-serve")
    port = served.free_port()
    env = served.serve_env(
        MNEMO_DATA_DIR=str(root / "data"),
        MNEMO_HOST="127.0.0.1",
        MNEMO_PORT=str(port),
        MNEMO_API_KEYS=",".join(f"{key}:{tenant}" for key, tenant in KEYS.items()),
    )
    with served.served([serve, "serve"], env, port, root / "serve.log", cwd=root) as url:
        yield Server(url, *KEYS)


@pytest.fixture
def user() -> str:
    """A user of its own per test, so that tests never meet."""
    return f"u-{uuid.uuid4().hex[:10]}"
