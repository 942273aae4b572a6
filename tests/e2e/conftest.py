from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from api.app import create_app
from api.settings import Settings

AppFactory = Callable[..., AbstractAsyncContextManager[AsyncTestClient[Any]]]


@pytest.fixture
def app_client(tmp_path: Path, redis_url: str, redis_prefix: str) -> AppFactory:
    """Open the real app on a data dir (default: a fresh one) with optional settings overrides.

    Redis is the test server under this test's own key prefix unless the overrides say otherwise.
    """

    def open_client(data_dir: Path | None = None, **overrides: Any) -> AbstractAsyncContextManager[Any]:
        overrides.setdefault("redis_url", redis_url)
        overrides.setdefault("redis_key_prefix", redis_prefix)
        settings = Settings(data_dir=data_dir or tmp_path / "data", **overrides)
        return AsyncTestClient(app=create_app(settings))

    return open_client


@pytest.fixture
async def client(app_client: AppFactory) -> AsyncIterator[AsyncTestClient[Any]]:
    async with app_client() as c:
        yield c
