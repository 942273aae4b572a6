"""A stop's step that runs long is named in the log while it runs, and goes with a cancelled stop."""

from __future__ import annotations

import asyncio
import logging

import pytest

from mnemo.api.http.lifespan_steps import stop_step


async def test_a_slow_step_is_named_while_it_runs_and_its_result_returned(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def slow() -> str:
        await asyncio.sleep(0.25)
        return "closed"

    with caplog.at_level(logging.WARNING, logger="mnemo.services"):
        assert await stop_step("the vector index", slow(), every_s=0.1) == "closed"
    named = [r.getMessage() for r in caplog.records if "still running" in r.getMessage()]
    assert len(named) == 2, named
    assert all(m.startswith("shutting down: the vector index still running after") for m in named)


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
