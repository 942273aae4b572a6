"""The connection cap's arithmetic and the accept-error log (api/guards/connections.py), on a real
event loop."""

from __future__ import annotations

import asyncio
import errno
import logging
import resource

import pytest

from mnemo.api.guards.connections import (
    ACCEPT_BACKLOG,
    FD_HEADROOM,
    MIN_CAP,
    AcceptErrorLog,
    connection_cap,
    install_accept_error_log,
)


def test_the_cap_leaves_the_engines_and_one_accept_batch_their_descriptors() -> None:
    assert connection_cap(0, 1024, 100) == 1024 - 100 - FD_HEADROOM - ACCEPT_BACKLOG
    assert connection_cap(50, 1024, 100) == 50  # an operator's lower cap wins
    assert connection_cap(5000, 1024, 100) == 1024 - 100 - FD_HEADROOM - ACCEPT_BACKLOG  # never above
    assert connection_cap(0, 200, 150) == MIN_CAP
    assert connection_cap(2, 200, 150) == 2
    assert connection_cap(300, resource.RLIM_INFINITY, 100) == 300


def test_accept_errors_are_logged_once_per_interval_and_the_rest_passes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    passed_on: list[str] = []

    def previous(_: asyncio.AbstractEventLoop, context: dict[str, object]) -> None:
        passed_on.append(str(context["message"]))

    loop = asyncio.new_event_loop()
    try:
        loop.set_exception_handler(previous)
        handler = install_accept_error_log(loop)
        assert isinstance(handler, AcceptErrorLog) and loop.get_exception_handler() is handler
        failure = OSError(errno.EMFILE, "Too many open files")
        with caplog.at_level(logging.ERROR, logger="mnemo.connections"):
            for _ in range(5_000):
                loop.call_exception_handler(
                    {"message": "socket.accept() out of system resource", "exception": failure}
                )
            loop.call_exception_handler({"message": "something else"})
        lines = [r.getMessage() for r in caplog.records if r.name == "mnemo.connections"]
        assert len(lines) == 1 and "could not be accepted" in lines[0], lines
        assert handler.failed == 4_999  # counted for the next line
        assert passed_on == ["something else"]
        handler.interval_s = 0.0  # the interval over: the count is told, and starts again
        loop.call_exception_handler({"message": "socket.accept() out of system resource"})
        lines = [r.getMessage() for r in caplog.records if r.name == "mnemo.connections"]
        assert len(lines) == 2 and lines[1].startswith("5000 connection(s)"), lines
    finally:
        loop.close()
