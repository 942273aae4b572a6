"""The framework adapters' tests: one real `mnemo serve` for the session, started from the server's
venv (MNEMO_SERVE, default ../.venv/bin/mnemo) on a free loopback port with a temporary data dir, the
embedded Redis and one API key. These tests run in their own venv (`make test-frameworks`): the
client with every framework extra, and no torch."""

from __future__ import annotations

import importlib.util
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
API_KEY = "key-of-the-framework-tests"


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
    api_key: str


def pytest_sessionstart(session: pytest.Session) -> None:
    # The point of the extras: an agent gets mnemo into its framework without torch.
    assert importlib.util.find_spec("torch") is None, "torch is installed in the frameworks venv"


@pytest.fixture(scope="session")
def mnemo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    serve = os.path.abspath(os.environ.get("MNEMO_SERVE", str(REPO / ".venv" / "bin" / "mnemo")))
    root = tmp_path_factory.mktemp("mnemo-serve")
    port = served.free_port()
    env = served.serve_env(
        MNEMO_DATA_DIR=str(root / "data"),
        MNEMO_HOST="127.0.0.1",
        MNEMO_PORT=str(port),
        MNEMO_API_KEYS=f"{API_KEY}:frameworks",
    )
    with served.served([serve, "serve"], env, port, root / "serve.log", cwd=root) as url:
        yield Server(url, API_KEY)


@pytest.fixture
def user() -> str:
    """A user of its own per test: every adapter scopes what it writes, so tests never meet."""
    return f"u-{uuid.uuid4().hex[:10]}"
