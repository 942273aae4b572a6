"""What `mnemo serve` checks before it loads anything, and how a start that fails is told.

A start fails for a handful of reasons an operator can act on; each is one line on stderr naming the
cause and the fix, with an exit code of its own, and no traceback (`--debug` keeps it). The cheap
checks (port, data dir held by another process, free space) run before the embedding model loads,
so a taken port fails at once rather than after the model; the port is bound here and handed to
uvicorn, so nothing else can take it in between and "listening" is logged only once it listens.
"""

from __future__ import annotations

import logging
import re
import socket
from pathlib import Path

from ..api.config.settings import Settings
from ..backends.qdrant_edge import layout as edge_layout
from ..memtypes.types import MemoryType

EXIT_START_FAILED = 1  # a cause not named below (the line says what; --debug shows where)
EXIT_BAD_SETUP = 2  # settings, MNEMO_CONFIG or flags that cannot work together
EXIT_PORT_UNAVAILABLE = 3
EXIT_DATA_DIR_IN_USE = 4
EXIT_NO_ROOM = 5


class StartFailed(Exception):
    """A start that cannot go on: `str()` is the one line to print, `code` the exit status."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def bind(host: str, port: int) -> socket.socket:
    """The listening address bound (not yet listening: clients are refused until mnemo is ready)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # Named as TCP, not left 0: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on connections
    # of a socket that says so. With it on, a response written in two parts (uvicorn writes the
    # headers, then the body) waits for the client's delayed ACK on every request after a
    # connection's first: tens of milliseconds for each keep-alive client's call.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == 98:  # EADDRINUSE
            raise StartFailed(
                f"port {port} on {host} is taken (another mnemo or program listens there): stop it, "
                "or choose another port with --port or MNEMO_PORT",
                EXIT_PORT_UNAVAILABLE,
            ) from exc
        raise StartFailed(
            f"cannot listen on {host}:{port} ({exc.strerror}): choose another --host / --port",
            EXIT_PORT_UNAVAILABLE,
        ) from exc
    sock.set_inheritable(True)  # worker processes serve on it too
    return sock


def data_dir_holder(settings: Settings) -> Path | None:
    """A shard lock of the data dir that another process holds (a running mnemo), else None.
    Only looks: a data dir without a store gets no directory from it."""
    store = Path(settings.data_dir) / "qdrant"
    if settings.qdrant.url or not store.is_dir():
        return None
    for memory_type in MemoryType:
        name = edge_layout.base_name(settings.collection_prefix, memory_type)
        try:
            descriptor = edge_layout.lock_shard(store, name)
        except edge_layout.ShardInUse:
            return store / name
        edge_layout.unlock_shard(descriptor)
    return None


def in_use_failure(settings: Settings, command: str) -> StartFailed | None:
    if data_dir_holder(settings) is None:
        return None
    return StartFailed(
        f"the data dir {settings.data_dir} is in use by another mnemo process: stop it, point this one "
        f"at another dir with --data-dir or MNEMO_DATA_DIR, or talk to the running one ({command})",
        EXIT_DATA_DIR_IN_USE,
    )


def check_before_loading(settings: Settings) -> None:
    """The checks that need no engine: the data dir free for this process, room on its disk."""
    if failure := in_use_failure(settings, "mnemo ingest --url, mnemo backup --url"):
        raise failure
    if not settings.qdrant.url or not settings.redis.url:
        from ..backends.storage_reserve import StorageReserve

        # Below the reserve alone the service starts and serves reads (writes answer 507); only a
        # filesystem too full even to open the stores' write-ahead logs is refused here.
        reserve = StorageReserve(settings.data_dir, settings.storage_reserve_bytes, "data dir")
        store = None if settings.qdrant.url else settings.data_dir / "qdrant"
        if problem := reserve.too_full_to_open(store):
            raise StartFailed(problem, EXIT_NO_ROOM)


# The last "Name: message" line of a traceback as text: the innermost cause (Litestar hands uvicorn a
# failed start-up as the formatted traceback, not as the exception).
_EXCEPTION_LINE = re.compile(r"^[\s|]*(?:[A-Za-z_][\w]*\.)*([A-Za-z_]\w*): (.+)$")


def as_start_failure(traceback_text: str) -> StartFailed:
    """The one line (and exit code) for the traceback of what stopped the app's start-up."""
    found = [m for line in traceback_text.splitlines() if (m := _EXCEPTION_LINE.match(line))]
    if not found:
        return StartFailed("the service did not start (--debug shows why)", EXIT_START_FAILED)
    name, message = found[-1].group(1), found[-1].group(2).strip()
    if name == "InsufficientStorage":
        if message.endswith("start again"):  # no room to open the stores: the reserve is not why
            return StartFailed(message, EXIT_NO_ROOM)
        return StartFailed(f"{message} (or lower MNEMO_STORAGE_RESERVE_MB)", EXIT_NO_ROOM)
    if name == "IdKeyRefused":
        return StartFailed(message, EXIT_BAD_SETUP)
    if name == "Unavailable" and "in use by another mnemo process" in message:
        return StartFailed(message, EXIT_DATA_DIR_IN_USE)
    return StartFailed(f"{name}: {message} (--debug shows where)", EXIT_START_FAILED)


class LifespanFailure(logging.Filter):
    """On uvicorn's logger: keeps the traceback that failed the app's start-up and drops it and
    uvicorn's "startup failed" line, so that the failure is told once, as one line."""

    def __init__(self) -> None:
        super().__init__()
        self.traceback: str | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR:
            return True
        if record.exc_info and record.exc_info[1] is not None:
            import traceback

            self.traceback = "".join(traceback.format_exception(record.exc_info[1]))
            return False
        message = record.getMessage()
        if "Traceback (most recent call last)" in message:
            self.traceback = message
            return False
        return "startup failed" not in message
