"""A real mnemo server in a child process on 127.0.0.1, and a bounded load driver for it.

A child process rather than a thread: the server then has its own GIL and its own RSS, as it would
in production, and the client's work does not show up inside the server's timings.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mnemo_client import AsyncMnemo, Limits, MnemoConnectionError

from .target import BenchError

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Server:
    url: str
    pid: int
    log: Path


@asynccontextmanager
async def serve(
    data_dir: Path,
    log: Path,
    ready_timeout_s: float = 900.0,
    extra_env: dict[str, str] | None = None,
) -> AsyncIterator[Server]:
    """`mnemo serve` on a free loopback port over `data_dir`, logging into `log` at WARNING;
    stopped on exit. `extra_env`: MNEMO_* settings on top of the embedded, single-tenant defaults
    (e.g. API keys).

    The command users run, not uvicorn on the app: how it binds and serves its socket is part of
    what a client waits for."""
    port = free_port()
    env = dict(os.environ, MNEMO_DATA_DIR=str(data_dir), MNEMO_LOG_LEVEL="WARNING", HF_HUB_OFFLINE="1")
    for name in ("MNEMO_API_KEYS", "MNEMO_QDRANT__URL"):  # always the embedded, single-tenant defaults
        env.pop(name, None)
    env.update(extra_env or {})
    command = [sys.executable, "-m", "mnemo.cli.main", "serve", "--host", LOOPBACK, "--port", str(port)]
    with log.open("w") as out:
        # The command is this interpreter and fixed arguments; nothing in it comes from input.
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603, ASYNC220
    url = f"http://{LOOPBACK}:{port}"
    try:
        await _wait_ready(proc, url, log, ready_timeout_s)
        yield Server(url, proc.pid, log)
    finally:
        proc.terminate()
        try:
            await asyncio.to_thread(proc.wait, 60)
        except subprocess.TimeoutExpired:
            proc.kill()
            await asyncio.to_thread(proc.wait)


async def _wait_ready(proc: subprocess.Popen[bytes], url: str, log: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    async with AsyncMnemo(url, timeout=2) as client:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise BenchError(f"the server exited with {proc.returncode}:\n{_tail(log)}")
            try:
                if (await client.request("GET", "/ready")).status == 200:
                    return
            except MnemoConnectionError:
                pass
            await asyncio.sleep(0.5)
    raise BenchError(f"the server was not ready after {timeout_s:.0f} s:\n{_tail(log)}")


def failure_name(exc: Exception) -> str:
    """What a request without an answer is counted as: the transport's own error (`ConnectError`,
    `ReadTimeout`, …) that the client's `MnemoConnectionError` carries as its cause."""
    return type(exc.__cause__ or exc).__name__


def _tail(log: Path) -> str:
    return log.read_text(errors="replace")[-2000:]


def memory_of(pid: int) -> dict[str, float]:
    """Resident memory of a process now and at its peak (MiB), and how much of it now is the
    process's own (`anon_mib`) and how much mapped files (`file_mib`: the engine's memory-mapped
    vectors and payloads, page cache the kernel may take back under pressure)."""
    import psutil

    rss = psutil.Process(pid).memory_info().rss / 2**20
    fields = {"VmHWM": "peak_rss_mib", "RssAnon": "anon_mib", "RssFile": "file_mib"}
    out = {"rss_mib": round(rss, 1), "peak_rss_mib": round(rss, 1)}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in fields:
                out[fields[name]] = round(int(value.split()[0]) / 1024, 1)
    except OSError:
        pass
    return out


def work_of(pid: int) -> dict[str, float] | None:
    """A process's CPU seconds so far (user and system, every thread) and its major page faults
    (each a wait for the disk: a mapped page not in the page cache); None where /proc cannot be read."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return {"cpu_s": (int(fields[11]) + int(fields[12])) / ticks, "major_faults": int(fields[9])}


@dataclass(frozen=True)
class Sample:
    http_ms: float
    timings_ms: dict[str, float]
    tokens: int = 0  # the context's total_tokens: how much of the budget the answer used
    question: int = -1  # which of the bodies was asked (latency/tail.py: the same question's repeats)


async def drive(
    url: str, bodies: Sequence[dict[str, Any]], clients: int, total: int, max_seconds: float
) -> tuple[list[Sample], float, int]:
    """`clients` concurrent loops posting retrievals until `total` are done or time is up.

    Answers the samples, the wall time, and the number of failed requests. Bounded both ways, so a
    slow or stuck server cannot make the run go on for ever.
    """
    samples: list[Sample] = []
    errors = 0
    issued = 0
    deadline = time.monotonic() + max_seconds
    limits = Limits(max_connections=clients, max_keepalive_connections=clients)

    async def worker(client: AsyncMnemo) -> None:
        nonlocal issued, errors
        while issued < total and time.monotonic() < deadline:
            question = issued % len(bodies)
            body = bodies[question]
            issued += 1
            started = time.perf_counter()
            try:
                reply = await client.request("POST", "/v1/retrieve", json=body)
            except MnemoConnectionError:
                errors += 1
                continue
            elapsed = (time.perf_counter() - started) * 1000
            if reply.status != 200:
                errors += 1
                continue
            metadata = reply.body["metadata"]
            timings, tokens = metadata.get("timings_ms", {}), metadata.get("total_tokens", 0)
            samples.append(Sample(elapsed, timings, tokens, question))

    async with AsyncMnemo(url, timeout=60, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(clients)))
        wall = time.perf_counter() - started
    return samples, wall, errors
