"""Stopping background tasks for certain: a task's cancellation can be swallowed below it (Python
3.11's `asyncio.wait_for`, which redis-py sends every command through, returns the result and drops
the cancellation when both arrive in one turn), and a stop that cancels once and awaits then waits
for ever on a loop that goes on."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

# A background task still running this long after it was cancelled is cancelled again.
RECANCEL_S = 0.5


async def cancel_all(
    tasks: Sequence[asyncio.Task[Any]], every_s: float = RECANCEL_S
) -> list[BaseException | None]:
    """Cancel the tasks and wait until each has ended, cancelling again each `every_s` any that goes
    on. Answers what each ended with (None: it returned), as `gather(..., return_exceptions=True)`
    does."""
    while pending := [task for task in tasks if not task.done()]:
        for task in pending:
            task.cancel()
        await asyncio.wait(pending, timeout=every_s)
    return [asyncio.CancelledError() if task.cancelled() else task.exception() for task in tasks]
