"""Crash loops, short: a few cycles of SIGKILL during mixed writes (memories, working
memory, thread turns) and restart in place, on a real `mnemo serve`: nothing acknowledged is lost and
no child process survives a kill. The full run (20 cycles at 10k memories, restart times) is
`mnemo bench faults` (benchmarks/JOURNAL.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mnemo.benchmarks.load.crash_loop import CrashLoopOptions, run_crash_loop, write_crash_loop_outputs


@pytest.mark.slow
async def test_sigkill_during_mixed_writes_loses_nothing_acknowledged_and_leaves_no_orphans(
    tmp_path: Path,
) -> None:
    options = CrashLoopOptions(cycles=3, memories=300, writers=4, write_s=(1.0, 2.0), seed=7)
    results = await run_crash_loop(options, print)
    write_crash_loop_outputs(results, tmp_path / "out")

    assert len(results["cycles"]) == 3
    acknowledged = results["acknowledged"]
    # The loop really wrote each kind between the kills (a run that wrote nothing proves nothing).
    assert acknowledged["memories"] > 300
    assert acknowledged["working_items"] > 0 and acknowledged["thread_turns"] > 0
    for cycle in results["cycles"]:
        assert cycle["lost"] == {"memories": 0, "working_items": 0, "thread_turns": 0}, cycle
        assert cycle["orphans"] == 0, cycle
    assert (tmp_path / "out" / "summary.md").read_text().count("\n") > 10
