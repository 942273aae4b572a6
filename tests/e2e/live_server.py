"""The real app under a real uvicorn server in the test's event loop, for tests that need requests
to run concurrently (litestar's AsyncTestClient runs each request to completion before the next)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from litestar import Litestar

from mnemo.api.config.settings import Settings
from mnemo.api.http.app import create_app
from tests.e2e.conftest import SettingsFactory
from tests.served import free_port

LiveApp = Callable[..., AbstractAsyncContextManager[tuple[str, Litestar]]]


@asynccontextmanager
async def serve(settings: Settings, start_timeout_s: float = 120.0) -> AsyncIterator[tuple[str, Litestar]]:
    """Serve `create_app(settings)` on a free loopback port; yields (base URL, app)."""
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    deadline = asyncio.get_running_loop().time() + start_timeout_s
    while not server.started:
        if task.done():
            task.result()  # raises what made start-up fail
            raise RuntimeError("the server stopped during start-up")
        assert asyncio.get_running_loop().time() < deadline, "the server did not start"
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        await task


@pytest.fixture
def live_app(app_settings: SettingsFactory) -> LiveApp:
    """Like `app_client`, but a real server, on `app_settings(data_dir, **overrides)`."""

    def open_server(data_dir: Path | None = None, **overrides: Any) -> AbstractAsyncContextManager[Any]:
        return serve(app_settings(data_dir, **overrides))

    return open_server
