"""How long each step of a start took, for the "mnemo ready" log line: where a slow restart went; and
which step of a stop is still running, while it runs: where a stop that does not end waits.

A start's steps may overlap (the embedded redis-server starts, and the embedding model loads in a
thread, while the rest opens), so they do not add up to the total; `since_exec` includes the
interpreter's start and the imports before the app's lifespan began.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger("mnemo.services")
# A step of a stop still running after this long is named in the log (and again each time as long).
SLOW_STOP_STEP_S = 10.0


def since_exec() -> float | None:
    """Seconds since this process was exec'd (Linux: /proc), else None."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK")  # field 22: start time in ticks
    except (OSError, ValueError, IndexError):
        return None


class StartupSteps:
    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.seconds: dict[str, float] = {}

    async def timed(self, name: str, step: Awaitable[T]) -> T:
        began = time.perf_counter()
        try:
            return await step
        finally:
            self.seconds[name] = time.perf_counter() - began

    def summary(self) -> str:
        """`opened in 3.1 s (5.9 s since exec): embedder 1.2 s, …`"""
        steps = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in self.seconds.items())
        total = time.perf_counter() - self.started
        exec_s = since_exec()
        since = f" ({exec_s:.2f} s since exec)" if exec_s is not None else ""
        return f"opened in {total:.2f} s{since}: {steps}"


async def stop_step(name: str, step: Awaitable[T], every_s: float = SLOW_STOP_STEP_S) -> T:
    """Await one step of a shutdown, naming it in a warning each `every_s` it is still running: the
    steps wait on engines, threads and child processes, and a stop that waits forever should say on
    what. Cancelled, the step is cancelled with it."""
    task = asyncio.ensure_future(step)
    began = time.perf_counter()
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=every_s)
            if done:
                return task.result()
            log.warning("shutting down: %s still running after %.0f s", name, time.perf_counter() - began)
    except asyncio.CancelledError:
        task.cancel()
        raise
