"""A real `mnemo serve` process for fault tests: started, waited for, signalled, and its process tree
looked at through /proc (which children it started, which are still alive)."""

from __future__ import annotations

import asyncio
import os
import resource
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from mnemo.benchmarks.load.crash_loop import alive, descendants
from tests.conftest import copy_sparse
from tests.served import SERVE, free_port, launch, serve_env, wait_ready


def command_of(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def wait_gone(pids: list[int], timeout_s: float = 10.0) -> list[int]:
    """The pids still alive after up to `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while (left := [p for p in pids if alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


class ServedMnemo:
    """`mnemo serve` on `data_dir` (embedded Redis unless `env` names one); `log` collects its output."""

    def __init__(self, data_dir: Path, log: Path, *, fd_limit: int | None = None, **env: str) -> None:
        """`fd_limit`: the served process's descriptor limit (RLIMIT_NOFILE, soft and hard)."""
        self.data_dir = data_dir
        self.log = log
        self.fd_limit = fd_limit
        self.port = free_port()
        self.env = serve_env(
            MNEMO_DATA_DIR=str(data_dir), MNEMO_PORT=str(self.port), MNEMO_LOG_FORMAT="text", **env
        )
        self.process: subprocess.Popen[bytes] | None = None

    @classmethod
    def on_copy(
        cls, store: Path, data_dir: Path, log: Path, *, fd_limit: int | None = None, **env: str
    ) -> ServedMnemo:
        """Served on a sparse copy of `store` (a test's empty data dir) made at `data_dir`."""
        copy_sparse(store, data_dir)
        return cls(data_dir, log, fd_limit=fd_limit, **env)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @contextmanager
    def running(self) -> Iterator[ServedMnemo]:
        """Started on entry; stopped on exit, whatever happened meanwhile."""
        try:
            self.start()
            yield self
        finally:
            self.stop()

    def client(self, timeout_s: float) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=timeout_s)

    def start(self, timeout_s: float = 180.0) -> float:
        """Start and wait until /ready answers 200; the seconds that took."""
        self.launch()
        return self.wait_ready(timeout_s)

    async def start_in_thread(self, timeout_s: float = 180.0) -> float:
        """`start` from a test's event loop, which runs on while the start is waited for."""
        return await asyncio.to_thread(self.start, timeout_s)

    def launch(self) -> None:
        """Start, without waiting (several servers then start at once)."""
        limit = self.fd_limit

        def limited() -> None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))

        self.process = launch(SERVE, self.env, self.log, preexec_fn=None if limit is None else limited)

    def wait_ready(self, timeout_s: float = 180.0) -> float:
        assert self.process is not None
        return wait_ready(self.process, self.url, self.log, timeout_s)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def children(self) -> list[int]:
        return descendants(self.pid)

    def kill(self, sig: signal.Signals = signal.SIGKILL) -> int:
        """Signal it and collect its exit status."""
        assert self.process is not None
        self.process.send_signal(sig)
        return self.process.wait(timeout=120)

    def stop_cleanly(self) -> None:
        """SIGTERM, and a clean exit: uvicorn re-raises the captured SIGTERM once it has shut down
        cleanly (-15, not a crash)."""
        code = self.kill(signal.SIGTERM)
        assert code in (0, -signal.SIGTERM), self.log.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        """Teardown: whatever state it is in, nothing of it stays running."""
        if self.process is None:
            return
        left = self.children()
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for pid in wait_gone(left, 5.0):
            os.kill(pid, signal.SIGKILL)
