"""Child processes that die with mnemo, and the ones an earlier run left behind.

Every process mnemo starts (the embedded redis-server, the Qdrant Edge engine process, an index
builder) asks the kernel for a signal when its parent dies (`PR_SET_PDEATHSIG`): a mnemo killed by
SIGKILL, or by the OOM killer, cleans up nothing itself, and an orphan would hold the data dir's
socket, locks and memory (a restart in place then fails). The signal is sent when the *thread* that
started the child exits, so children are started from the event loop's thread, which lives as long
as the service.

Belt and braces: each child's pid and start time are written to a pidfile in the data dir; at
start, a process that still matches a pidfile (same pid, same start time: not a reused pid) was left
by a run that died before it could stop it, and is stopped.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger("mnemo.children")

_PR_SET_PDEATHSIG = 1
_libc: ctypes.CDLL | None = None


def _prctl() -> Callable[..., int] | None:
    """libc's prctl, resolved in the parent (a forked child should only call it, not load it)."""
    global _libc
    if _libc is None:
        try:
            _libc = ctypes.CDLL(None, use_errno=True)
        except OSError:  # not Linux: no parent-death signal; the pidfiles still catch orphans
            return None
    return getattr(_libc, "prctl", None)


def die_with_parent(sig: signal.Signals = signal.SIGKILL) -> Callable[[], None]:
    """A `preexec_fn`: the child gets `sig` when this process (the calling thread) dies. If the
    parent died between fork and prctl, the child ends at once."""
    prctl = _prctl()
    parent = os.getpid()

    def arm() -> None:
        if prctl is not None:
            prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)

    return arm


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (/proc/PID/stat field 22), None if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces: split after its end.
    fields = stat[stat.rindex(")") + 2 :].split()
    if len(fields) <= 19 or fields[0] in ("Z", "X"):  # a zombie has exited: nothing left to stop
        return None
    return fields[19]


def record_child(pidfile: Path, pid: int) -> None:
    """Note a started child, so that a later run can stop it if this one dies first."""
    pidfile.parent.mkdir(parents=True, exist_ok=True)
    pidfile.write_text(f"{pid} {_start_time(pid) or '?'}\n", encoding="utf-8")


def forget_child(pidfile: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        pidfile.unlink()


def stop_stale_child(pidfile: Path, grace_s: float = 5.0) -> int | None:
    """Stop the process a pidfile names if it is still the same process (SIGTERM, then SIGKILL after
    `grace_s`); its pid, or None when there was none to stop. The pidfile is removed."""
    try:
        pid_text, _, started = pidfile.read_text(encoding="utf-8").strip().partition(" ")
        pid = int(pid_text)
    except (OSError, ValueError):
        forget_child(pidfile)
        return None
    if pid <= 1 or pid == os.getpid() or _start_time(pid) is None or _start_time(pid) != started:
        forget_child(pidfile)
        return None  # gone, or the pid now belongs to another process
    log.warning("stopping %s (pid %d), left running by an earlier run that died", pidfile.stem, pid)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while _start_time(pid) == started and time.monotonic() < deadline:
        _reap(pid)
        time.sleep(0.02)
    if _start_time(pid) == started:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        while _start_time(pid) == started and time.monotonic() < deadline + 5.0:
            _reap(pid)
            time.sleep(0.02)
    forget_child(pidfile)
    return pid


def _reap(pid: int) -> None:
    """Collect the exit of a stale child that happens to be ours (a zombie keeps its /proc entry)."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)
