"""A stop's step that runs long is named in the log while it runs, and goes with a cancelled stop."""

from __future__ import annotations

import asyncio
import logging

import pytest

from mnemo.api.http.lifespan_steps import stop_step


async def test_a_slow_step_is_named_while_it_runs_and_its_result_returned(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def named() -> list[str]:
        return [r.getMessage() for r in caplog.records if "still running" in r.getMessage()]

    twice = asyncio.Event()

    class Counting(logging.Handler):  # on the logger itself: it sees each warning before caplog does
        seen = 0

        def emit(self, record: logging.LogRecord) -> None:
            self.seen += "still running" in record.getMessage()
            if self.seen >= 2:
                twice.set()

    async def slow() -> str:  # ends once it has been named twice: no race with the clock under load
        await twice.wait()
        return "closed"

    counting = Counting()
    logging.getLogger("mnemo.services").addHandler(counting)
    try:
        with caplog.at_level(logging.WARNING, logger="mnemo.services"):
            assert await stop_step("the vector index", slow(), every_s=0.1) == "closed"
    finally:
        logging.getLogger("mnemo.services").removeHandler(counting)
    assert len(named()) == 2, named()
    assert all(m.startswith("shutting down: the vector index still running after") for m in named())


async def test_a_quick_step_says_nothing_and_its_error_is_raised(caplog: pytest.LogCaptureFixture) -> None:
    async def fails() -> None:
        raise RuntimeError("flush failed")

    with caplog.at_level(logging.WARNING, logger="mnemo.services"), pytest.raises(RuntimeError):
        await stop_step("Redis", fails(), every_s=0.1)
    assert not caplog.records


async def test_cancelling_the_stop_cancels_the_step() -> None:
    started, cancelled = asyncio.Event(), asyncio.Event()

    async def stuck() -> None:
        started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            cancelled.set()
            raise

    stop = asyncio.create_task(stop_step("the pending erasures", stuck(), every_s=0.05))
    await started.wait()
    stop.cancel()
    with pytest.raises(asyncio.CancelledError):
        await stop
    await asyncio.wait_for(cancelled.wait(), 1.0)
