"""The vendors' clients against one real `mnemo serve` for the session, started from the server's
venv (MNEMO_SERVE, default ../../.venv/bin/mnemo) on a free loopback port with a temporary data dir,
the embedded Redis and two API keys: two tenants, to show that each protocol keeps them apart.
These tests run in their own venv (`make test-compat`: the clients of compat/tests/requirements.txt)."""

from __future__ import annotations

import os
import runpy
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

# mem0's client reports each call to its vendor unless told not to; the tests run offline.
os.environ["MEM0_TELEMETRY"] = "False"
REPO = Path(__file__).resolve().parents[2]
KEYS = {"key-of-tenant-a": "tenant-a", "key-of-tenant-b": "tenant-b"}


# tests/served.py, by its path: this venv has the client, not the server's test package.
served = SimpleNamespace(**runpy.run_path(str(REPO / "tests" / "served.py")))


@dataclass(frozen=True)
class Server:
    url: str
    key: str  # tenant-a's
    other_key: str  # tenant-b's


@pytest.fixture(scope="session")
def mnemo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    serve = os.path.abspath(os.environ.get("MNEMO_SERVE", str(REPO / ".venv" / "bin" / "mnemo")))
    root = tmp_path_factory.mktemp("mnemo-serve")
    with served.served_from(serve, root, ",".join(f"{key}:{tenant}" for key, tenant in KEYS.items())) as url:
        yield Server(url, *KEYS)


@pytest.fixture
def user() -> str:
    """A user of its own per test, so that tests never meet."""
    return f"u-{uuid.uuid4().hex[:10]}"
