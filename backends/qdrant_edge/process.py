"""Qdrant Edge in a process of its own: the serving process talks to it over a pipe.

Why: the Edge binding holds the GIL for the whole of every call, so in the serving process each
retrieval's engine work (its searches and neighbour lookups, most of its time) kept every
other request of the process from running Python meanwhile, and 4 concurrent clients got no more
retrievals a second than one. In a child process that work runs beside the serving process's own
(HTTP, embedding, packing), on another core.

`EdgeProcessIndex` is a `VectorIndex` (and its `IndexMaintenance`) whose every call is forwarded to
an `EdgeVectorIndex` in a child (`python -m mnemo.backends.qdrant_edge.process`, two pipes: not
`multiprocessing`'s spawn, which re-runs the parent's main script and fails in one without a
`__main__` guard; not fork, the serving process has threads). Calls are pickled, tagged with an
id, answered in any order: the child runs each as a task of its own event loop, as the serving
process did. One reader thread on each side keeps the pipes drained, so neither side blocks the
other's writes for long.

Failure: if the child dies (killed, out of memory), every call in flight and every later call fails
with `Unavailable` (a 503) and `/ready` says not ready, until the next call starts a fresh child
(at most once every `_RESTART_AFTER_S`), which opens the shards again: what the old one had
acknowledged is in their write-ahead logs. The child exits when the pipe closes, so a serving
process that dies takes it along.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import pickle
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...memtypes.errors import Unavailable
from ...memtypes.ports import IndexHealth, IndexMaintenance
from ...memtypes.types import MemoryType
from ..children import die_with_parent, forget_child, record_child, stop_stale_child
from ..qdrant.forwarding import ForwardedCalls

if TYPE_CHECKING:
    from .index import EdgeVectorIndex

log = logging.getLogger("mnemo.edge_process")
_RESTART_AFTER_S = 1.0  # a child that dies at once is not restarted in a tight loop
_DEPENDENCY = "qdrant_edge"


class EdgeProcessIndex(ForwardedCalls):
    """An `EdgeVectorIndex(data_dir, prefix, dimension, **options)` running in a child process."""

    def __init__(self, data_dir: Path, prefix: str, dimension: int, **options: Any) -> None:
        self.data_dir = Path(data_dir)
        self.prefix = prefix
        self.dimension = dimension
        self._options = options
        self._child: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None  # calls go down it; answers come up another
        # Each call's future, and the pipe it went down (a dead child fails only its own calls).
        self._pending: dict[int, tuple[asyncio.Future[Any], Connection]] = {}
        self._ids = itertools.count()
        self._started = 0.0
        self._starting = asyncio.Lock()
        self._open = False  # opened by the caller and not closed: a dead child is restarted

    # -- the child's lifecycle -------------------------------------------------------------------

    @property
    def _pidfile(self) -> Path:
        return self.data_dir / "engine-process.pid"

    async def open(self) -> None:
        self._open = True
        # One left by a run that died before it could stop it would hold the shards' locks.
        await asyncio.to_thread(stop_stale_child, self._pidfile)
        await self._call("open")

    async def close(self) -> None:
        self._open = False
        try:
            if self._alive():
                await self._request("close")
        finally:
            if self._child is not None:  # alive or not: its pipe closed, its exit collected
                await asyncio.to_thread(self._stop_child)

    def _alive(self) -> bool:
        return self._child is not None and self._child.poll() is None and self._conn is not None

    async def _ensure_child(self, method: str) -> None:
        async with self._starting:
            if self._alive():
                return
            first = self._child is None
            too_soon = time.monotonic() - self._started < _RESTART_AFTER_S
            if method != "open" and (not self._open or too_soon):
                raise Unavailable(
                    detail="the Qdrant Edge engine process is not running", dependency=_DEPENDENCY
                )
            await asyncio.to_thread(self._stop_child)
            self._start_child()
            if not first and method != "open":  # a restart: the new child opens the shards first
                log.warning("the Qdrant Edge engine process had exited: started a new one")
                await self._request("open")

    def _start_child(self) -> None:
        calls_out, calls_in = os.pipe()
        answers_out, answers_in = os.pipe()
        command = [
            sys.executable,
            "-m",
            "mnemo.backends.qdrant_edge.process",
            str(calls_out),
            str(answers_in),
        ]
        # A fixed command: this interpreter and two descriptor numbers.
        # It dies with this process even while busy in a long engine call (when it would not read
        # the pipe's end): SIGKILL, as its write-ahead logs hold everything acknowledged.
        child = subprocess.Popen(  # noqa: S603
            command,
            pass_fds=(calls_out, answers_in),
            stdin=subprocess.DEVNULL,
            preexec_fn=die_with_parent(),
        )
        record_child(self._pidfile, child.pid)
        os.close(calls_out)
        os.close(answers_in)
        conn = Connection(calls_in, readable=False)
        conn.send((self.data_dir, self.prefix, self.dimension, self._options, _log_level()))
        answers = Connection(answers_out, writable=False)
        self._child, self._conn, self._started = child, conn, time.monotonic()
        reader = threading.Thread(target=self._read_answers, args=(answers, conn), name="mnemo-edge-answers")
        reader.daemon = True
        reader.start()

    def _stop_child(self) -> None:
        child, conn = self._child, self._conn
        self._conn = None
        if conn is not None:
            conn.close()  # the child reads end-of-file and exits
        if child is not None:
            try:
                child.wait(30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            forget_child(self._pidfile)

    def _read_answers(self, answers: Connection, conn: Connection) -> None:
        """The reader thread: each answer to its caller's future, on that future's event loop."""
        while True:
            try:
                call_id, ok, value = answers.recv()
            except (EOFError, OSError):
                answers.close()
                break
            entry = self._pending.pop(call_id, None)
            if entry is not None:
                _on_loop(entry[0], _settle, ok, value)
        # The child is gone (or its pipe closed): no answer will come to what was asked of it.
        for call_id, (future, through) in list(self._pending.items()):
            if through is conn:
                self._pending.pop(call_id, None)
                gone = Unavailable(detail="the Qdrant Edge engine process exited", dependency=_DEPENDENCY)
                _on_loop(future, _settle, False, gone)

    # -- calls -----------------------------------------------------------------------------------

    async def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Every call the child answers: the index's reads and writes (`ForwardedCalls`) and the rest."""
        await self._ensure_child(method)
        return await self._request(method, *args, **kwargs)

    async def _request(self, method: str, *args: Any, **kwargs: Any) -> Any:
        conn = self._conn
        if conn is None:
            raise Unavailable(detail="the Qdrant Edge engine process is not running", dependency=_DEPENDENCY)
        call_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[call_id] = (future, conn)
        try:
            conn.send((call_id, method, args, kwargs))
        except (OSError, ValueError) as exc:  # the pipe broke: the child is gone
            self._pending.pop(call_id, None)
            raise Unavailable(detail="the Qdrant Edge engine process exited", dependency=_DEPENDENCY) from exc
        return await future

    async def ready(self) -> bool:
        if not self._alive():
            return False
        try:
            result: bool = await self._request("ready")
        except Unavailable:
            return False
        return result

    async def health(self) -> IndexHealth:
        return IndexHealth(await self.ready(), "qdrant_edge")

    def maintenance(self) -> IndexMaintenance:
        return self

    async def index_backlog(self) -> int:
        result: int = await self._call("index_backlog")
        return result

    async def optimize(self) -> None:
        await self._call("optimize")

    async def build_in_background(self, min_unindexed: int) -> list[MemoryType]:
        result: list[MemoryType] = await self._call("build_in_background", min_unindexed)
        return result

    async def erase_deleted(self, memory_types: Sequence[MemoryType]) -> str:
        result: str = await self._call("erase_deleted", list(memory_types))
        return result


def _settle(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.done():  # its caller was cancelled meanwhile
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


def _on_loop(future: asyncio.Future[Any], callback: Any, *args: Any) -> None:
    with contextlib.suppress(RuntimeError):  # that loop is closed: nobody waits for the answer any more
        future.get_loop().call_soon_threadsafe(callback, future, *args)


# -- the child -------------------------------------------------------------------------------------

# What the serving process may ask of the index: nothing else is called by name from the pipe.
_METHODS = frozenset(
    {
        "open", "close", "upsert", "get", "delete", "set_payload", "set_payloads", "scroll", "count",
        "search", "neighbours", "ready", "index_backlog", "optimize", "build_in_background",
        "erase_deleted",
    }
)  # fmt: skip


def _log_level() -> int:
    return logging.getLogger("mnemo").getEffectiveLevel()


def serve_index(calls: Connection, answers: Connection) -> None:
    """The child: serve the index until the calls pipe closes, then close it. Its log lines
    (rebuilds, repairs) go to the shared stderr at the serving process's level."""
    data_dir, prefix, dimension, options, log_level = calls.recv()
    logging.basicConfig(level=log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    asyncio.run(_serve(calls, answers, data_dir, prefix, dimension, options))


_Call = tuple[int, str, tuple[Any, ...], dict[str, Any]]
_Reply = Callable[[tuple[int, bool, Any]], None]


async def _serve(
    conn: Connection,
    answers: Connection,
    data_dir: Path,
    prefix: str,
    dimension: int,
    options: dict[str, Any],
) -> None:
    from .index import EdgeVectorIndex

    index = EdgeVectorIndex(data_dir, prefix, dimension, **options)
    loop = asyncio.get_running_loop()
    calls: asyncio.Queue[_Call | None] = asyncio.Queue()

    send = threading.Lock()  # answers go out from two threads: one at a time on the pipe
    # The reads of a retrieval are answered on the reader thread itself, not through the loop and a
    # worker thread: two thread hand-offs less on every retrieval's path (the engine holds the GIL
    # either way, and a write's engine call may run beside them, as it did in the serving process).
    blocking: dict[str, Callable[..., Any]] = {
        "search": index.search_blocking,
        "neighbours": index.neighbours_blocking,
    }

    def reply(answer: tuple[int, bool, Any]) -> None:
        # The serving process may be gone: the loop ends when the reader sees it.
        with send, contextlib.suppress(OSError, ValueError):
            answers.send(answer)

    reader = threading.Thread(
        target=_read_calls, args=(conn, blocking, reply, loop, calls), name="mnemo-edge-calls", daemon=True
    )
    reader.start()
    running: set[asyncio.Task[None]] = set()
    while (call := await calls.get()) is not None:
        task = asyncio.create_task(_run_call(index, reply, *call))
        running.add(task)
        task.add_done_callback(running.discard)
    await asyncio.gather(*running, return_exceptions=True)
    await index.close()


def _read_calls(
    conn: Connection,
    blocking: dict[str, Callable[..., Any]],
    reply: _Reply,
    loop: asyncio.AbstractEventLoop,
    calls: asyncio.Queue[_Call | None],
) -> None:
    """The reader thread: answers the blocking reads itself, hands every other call to the loop,
    and a None once the serving process is gone."""
    while True:
        try:
            call = conn.recv()
        except (EOFError, OSError):
            break
        call_id, method, args, kwargs = call
        if method in blocking:
            try:
                reply((call_id, True, blocking[method](*args, **kwargs)))
            except Exception as exc:
                reply((call_id, False, _portable(exc)))
            continue
        loop.call_soon_threadsafe(calls.put_nowait, call)
    loop.call_soon_threadsafe(calls.put_nowait, None)


async def _run_call(
    index: EdgeVectorIndex,
    reply: _Reply,
    call_id: int,
    method: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> None:
    try:
        if method not in _METHODS:
            raise ValueError(f"not a method of the index: {method!r}")
        outcome: tuple[int, bool, Any] = (call_id, True, await getattr(index, method)(*args, **kwargs))
    except Exception as exc:
        outcome = (call_id, False, _portable(exc))
    reply(outcome)


def _portable(exc: Exception) -> Exception:
    """The exception itself if it survives pickling (mnemo's errors do), else an `Unavailable`
    naming it: an engine error must reach the caller, not kill the answer."""
    try:
        pickle.loads(pickle.dumps(exc))  # noqa: S301  # our own bytes, just made
    except Exception:
        return Unavailable(detail=f"Qdrant Edge: {type(exc).__name__}: {exc}", dependency=_DEPENDENCY)
    return exc


if __name__ == "__main__":
    serve_index(Connection(int(sys.argv[1]), writable=False), Connection(int(sys.argv[2]), readable=False))
