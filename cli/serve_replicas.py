"""`mnemo serve [--workers N]`: uvicorn on a socket bound beforehand; N > 1 worker processes each
build their own app from the environment.

Replicas share nothing in-process, so N > 1 needs engines every process can reach: a Qdrant server
(`MNEMO_QDRANT_URL`; an embedded Qdrant Edge data dir can be open in one process only, its WAL is
locked) and a Redis server (`MNEMO_REDIS_URL`; the embedded redis-server belongs to one process).
"""

from __future__ import annotations

import logging
import math
import os
import socket

import uvicorn
from uvicorn.supervisors import Multiprocess

from ..api.config.settings import Settings

EXIT_BAD_SETUP = 2


class ListeningServer(uvicorn.Server):
    """uvicorn's Server that logs "mnemo listening" once its socket listens (in each worker)."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and not self.should_exit:
            host, port = sockets[0].getsockname()[:2] if sockets else (self.config.host, self.config.port)
            logging.getLogger("mnemo").info("mnemo listening on http://%s:%d", host, port)


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


def run(settings: Settings, sock: socket.socket, workers: int, log_level: str) -> None:
    """Serve on `sock` (bound by the caller) until stopped."""
    host, port = sock.getsockname()[:2]
    options = {
        "host": host,
        "port": port,
        "log_level": log_level,
        "timeout_graceful_shutdown": math.ceil(settings.shutdown_grace_s),  # for open requests
        # log_config=None: uvicorn's loggers go through mnemo's handler. Its access log is off:
        # mnemo.access logs each request instead, with the route, duration and tenant.
        "log_config": None,
        "access_log": False,
    }
    if workers <= 1:
        from ..api.http.app import create_app

        ListeningServer(uvicorn.Config(create_app(settings), **options)).run(sockets=[sock])
        return
    # Each worker process builds its own app from the environment: carry the flags over in it.
    os.environ.update({"MNEMO_HOST": host, "MNEMO_PORT": str(port), "MNEMO_DATA_DIR": str(settings.data_dir)})
    if settings.config is not None:
        os.environ["MNEMO_CONFIG"] = str(settings.config)
    config = uvicorn.Config(
        "mnemo.api.http.app:create_app_from_env", factory=True, workers=workers, **options
    )
    Multiprocess(config, target=ListeningServer(config).run, sockets=[sock]).run()
