"""`mnemo serve --workers N`: N uvicorn worker processes, each with its own app built from the env.

Replicas share nothing in-process, so N > 1 needs engines every process can reach: a Qdrant server
(`MNEMO_QDRANT_URL`; an embedded Qdrant Edge data dir can be open in one process only, its WAL is
locked) and a Redis server (`MNEMO_REDIS_URL`; the embedded redis-server belongs to one process).
"""

from __future__ import annotations

import math
import os
from typing import Any

from ..api.config.settings import Settings

EXIT_BAD_SETUP = 2


def replicas_problem(settings: Settings, workers: int) -> str | None:
    """Why `workers` processes cannot run on these settings, in one line; None when they can."""
    if workers <= 1:
        return None
    missing = [
        name
        for name, value in (
            ("MNEMO_QDRANT_URL", settings.qdrant.url),
            ("MNEMO_REDIS_URL", settings.redis.url),
        )
        if not value
    ]
    if not missing:
        return None
    return (
        f"--workers {workers} needs {' and '.join(missing)}: an embedded Qdrant Edge data dir and the "
        "embedded Redis each belong to one process (use --workers 1, or point mnemo at servers)"
    )


def storage_problem(settings: Settings) -> str | None:
    """Why the embedded stores cannot be opened on the data dir's filesystem now (too full even to
    open them; below the reserve alone, the service starts and serves reads), in one line."""
    if settings.qdrant.url and settings.redis.url:
        return None
    from ..backends.storage_reserve import StorageReserve

    return StorageReserve(settings.data_dir, settings.storage_reserve_bytes, "data dir").too_full_to_open()


def run(settings: Settings, host: str, workers: int, log_level: str) -> None:
    import uvicorn

    from ..api.guards.connections import ACCEPT_BACKLOG, BoundedH11Protocol

    options: dict[str, Any] = {
        # Header and body timeouts, and a cap on open connections below the descriptor limit.
        "http": BoundedH11Protocol,
        "backlog": ACCEPT_BACKLOG,
        "host": host,
        "port": settings.port,
        "log_level": log_level,
        "timeout_graceful_shutdown": math.ceil(settings.shutdown_grace_s),  # for open requests
        # log_config=None: uvicorn's loggers go through mnemo's handler. Its access log is off:
        # mnemo.access logs each request instead, with the route, duration and tenant.
        "log_config": None,
        "access_log": False,
    }
    if workers <= 1:
        from ..api.http.app import create_app

        uvicorn.run(create_app(settings), **options)
        return
    # Each worker process builds its own app from the environment: carry the flags over in it.
    os.environ.update(
        {"MNEMO_HOST": host, "MNEMO_PORT": str(settings.port), "MNEMO_DATA_DIR": str(settings.data_dir)}
    )
    if settings.config is not None:
        os.environ["MNEMO_CONFIG"] = str(settings.config)
    uvicorn.run("mnemo.api.http.app:create_app_from_env", factory=True, workers=workers, **options)
