"""How long each step of a start took, for the "mnemo ready" log line: where a slow restart went.

Steps may overlap (the embedded redis-server starts, and the embedding model loads in a thread, while
the rest opens), so they do not add up to the total; `since_exec` includes the interpreter's start
and the imports before the app's lifespan began.
"""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


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
