"""`mnemo serve --workers N`: N uvicorn worker processes, each with its own app built from the env.

Replicas share nothing in-process, so N > 1 needs engines every process can reach: a Qdrant server
(`MNEMO_QDRANT_URL`; an embedded Qdrant Edge data dir can be open in one process only, its WAL is
locked) and a Redis server (`MNEMO_REDIS_URL`; the embedded redis-server belongs to one process).
"""

from __future__ import annotations

import math
import os

from api.settings import Settings

EXIT_BAD_SETUP = 2


def replicas_problem(settings: Settings, workers: int) -> str | None:
    """Why `workers` processes cannot run on these settings, in one line; None when they can."""
    if workers <= 1:
        return None
    missing = [
        name
        for name, value in (
            ("MNEMO_QDRANT_URL", settings.qdrant_url),
            ("MNEMO_REDIS_URL", settings.redis_url),
        )
        if not value
    ]
    if not missing:
        return None
    return (
        f"--workers {workers} needs {' and '.join(missing)}: an embedded Qdrant Edge data dir and the "
        "embedded Redis each belong to one process (use --workers 1, or point mnemo at servers)"
    )


def run(settings: Settings, host: str, workers: int, log_level: str) -> None:
    import uvicorn

    grace = math.ceil(settings.shutdown_grace_s)  # uvicorn waits this long for open requests
    if workers <= 1:
        from api.app import create_app

        app = create_app(settings)
        uvicorn.run(app, host=host, port=settings.port, log_level=log_level, timeout_graceful_shutdown=grace)
        return
    # Each worker process builds its own app from the environment: carry the flags over in it.
    os.environ.update(
        {"MNEMO_HOST": host, "MNEMO_PORT": str(settings.port), "MNEMO_DATA_DIR": str(settings.data_dir)}
    )
    uvicorn.run(
        "api.app:create_app_from_env",
        factory=True,
        workers=workers,
        host=host,
        port=settings.port,
        log_level=log_level,
        timeout_graceful_shutdown=grace,
    )
