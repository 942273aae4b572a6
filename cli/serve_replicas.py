"""`mnemo serve [--workers N]`: uvicorn on a socket bound beforehand; N > 1 worker processes each
build their own app from the environment.

Replicas share nothing in-process, so N > 1 needs engines every process can reach: a Qdrant server
(`MNEMO_QDRANT__URL`; an embedded Qdrant Edge data dir can be open in one process only, its WAL is
locked) and a Redis server (`MNEMO_REDIS__URL`; the embedded redis-server belongs to one process).
"""

from __future__ import annotations

import logging
import math
import os
import socket
import threading
import time
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

from ..api.config.settings import Settings

EXIT_BAD_SETUP = 2


def log_listening(sock: socket.socket, workers: int = 1) -> None:
    host, port = sock.getsockname()[:2]
    more = f" ({workers} workers)" if workers > 1 else ""
    logging.getLogger("mnemo").info("mnemo listening on http://%s:%d%s", host, port, more)


class ListeningServer(uvicorn.Server):
    """uvicorn's Server that logs "mnemo listening" once its socket listens."""

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and not self.should_exit and sockets:
            log_listening(sockets[0])


def _log_once_listening(sock: socket.socket, workers: int, listened: threading.Event) -> None:
    """The workers share `sock`; the first to finish its start-up makes it listen."""
    while sock.fileno() >= 0:
        try:
            if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN):
                log_listening(sock, workers)
                listened.set()
                return
        except OSError:  # closed meanwhile: the service stopped before it listened
            return
        time.sleep(0.1)


def replicas_problem(settings: Settings, workers: int) -> str | None:
    """Why `workers` processes cannot run on these settings, in one line; None when they can."""
    if workers <= 1:
        return None
    missing = [
        name
        for name, value in (
            ("MNEMO_QDRANT__URL", settings.qdrant.url),
            ("MNEMO_REDIS__URL", settings.redis.url),
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
    from ..api.guards.connections import ACCEPT_BACKLOG, BoundedH11Protocol

    options: dict[str, Any] = {
        # Header and body timeouts, and a cap on open connections below the descriptor limit.
        "http": BoundedH11Protocol,
        "backlog": ACCEPT_BACKLOG,
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
    app = "mnemo.api.http.app:create_app_from_env"
    config = uvicorn.Config(app, factory=True, workers=workers, **options)
    listened = threading.Event()
    threading.Thread(target=_log_once_listening, args=(sock, workers, listened), daemon=True).start()
    Multiprocess(config, sockets=[sock]).run()
    if not listened.is_set():  # every worker failed its start-up (each logged why)
        raise SystemExit(uvicorn.config.STARTUP_FAILURE)
