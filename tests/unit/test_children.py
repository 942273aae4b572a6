"""backends/children.py on real processes: a pidfile stops only the very process it recorded (not a
later one that reuses the pid), and a child armed with the parent-death signal dies with its parent."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from mnemo.backends.children import record_child, stop_stale_child
from tests.e2e.served_process import alive, wait_gone


def test_a_pidfile_stops_its_own_process_and_nothing_else(tmp_path: Path) -> None:
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        pidfile = tmp_path / "child.pid"
        pidfile.write_text(f"{sleeper.pid} 12345\n")  # same pid, another start time: a reused pid
        assert stop_stale_child(pidfile) is None
        assert alive(sleeper.pid) and not pidfile.exists()

        record_child(pidfile, sleeper.pid)
        assert stop_stale_child(pidfile, grace_s=2.0) == sleeper.pid
        # It ended (`sleep 60` cannot have by itself): its code is the signal's, or 0 where
        # stop_stale_child reaped it first (it is this test's child), which happens in some runs.
        sleeper.wait(5)
        assert not pidfile.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_child_armed_with_the_parent_death_signal_dies_with_a_sigkilled_parent(tmp_path: Path) -> None:
    # A parent that starts an armed `sleep` and reports its pid, then is killed with SIGKILL.
    script = (
        "import subprocess, sys, time\n"
        "from mnemo.backends.children import die_with_parent\n"
        "child = subprocess.Popen(['sleep', '60'], preexec_fn=die_with_parent())\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    assert alive(child)
    parent.kill()
    parent.wait()
    started = time.monotonic()
    assert wait_gone([child], 10.0) == [], "the child outlived its SIGKILLed parent"
    assert time.monotonic() - started < 10.0
