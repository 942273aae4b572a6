"""The framework adapters' tests: one real `mnemo serve` for the session, started from the server's
venv (MNEMO_SERVE, default ../.venv/bin/mnemo) on a free loopback port with a temporary data dir, the
embedded Redis and one API key. These tests run in their own venv (`make test-frameworks`): the
client with every framework extra, and no torch."""

from __future__ import annotations

import importlib.util
import os
import runpy
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

REPO = Path(__file__).resolve().parents[2]
API_KEY = "key-of-the-framework-tests"


# tests/served.py, by its path: this venv has the client, not the server's test package.
served = SimpleNamespace(**runpy.run_path(str(REPO / "tests" / "served.py")))


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
    with served.served_from(serve, root, f"{API_KEY}:frameworks") as url:
        yield Server(url, API_KEY)


@pytest.fixture
def user() -> str:
    """A user of its own per test: every adapter scopes what it writes, so tests never meet."""
    return f"u-{uuid.uuid4().hex[:10]}"
