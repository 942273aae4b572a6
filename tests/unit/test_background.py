"""A background task whose cancellation is swallowed below it is cancelled again until it ends."""

from __future__ import annotations

import asyncio

from mnemo.memtypes.background import cancel_all


async def swallowing_first_cancel(swallowed: asyncio.Event) -> None:
    """A loop that loses its first cancellation, as one does when a library below it (redis-py's
    `asyncio.wait_for` on Python 3.11) returns a result that arrived with it; `swallowed` once lost."""
    while True:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            if swallowed.is_set():
                raise
            swallowed.set()


async def test_a_loop_that_swallows_its_cancellation_is_cancelled_again_until_it_ends() -> None:
    swallowed = asyncio.Event()

    async def fails() -> None:
        raise RuntimeError("broke earlier")

    async def returns() -> None:
        return None

    tasks = [
        asyncio.create_task(swallowing_first_cancel(swallowed)),
        asyncio.create_task(fails()),
        asyncio.create_task(returns()),
    ]
    await asyncio.sleep(0)  # each started
    stopping = asyncio.create_task(cancel_all(tasks, every_s=0.05))
    # Not wait_for: its own cancel at the timeout would be the loop's second, and end it.
    done, _ = await asyncio.wait({stopping}, timeout=10)
    assert stopping in done, "the loop still runs"
    ended = stopping.result()
    assert swallowed.is_set()
    assert isinstance(ended[0], asyncio.CancelledError)
    assert isinstance(ended[1], RuntimeError)
    assert ended[2] is None
    assert all(task.done() for task in tasks)
