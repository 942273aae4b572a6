"""A long benchmark run draws its progress on a terminal and keeps logs and pipes clean."""

from __future__ import annotations

import io
import os
import pty
import select
from collections.abc import Callable
from typing import TextIO

from mnemo.benchmarks.progress import bar, each


def _drawn_on_a_terminal(draw: Callable[[TextIO], object]) -> str:
    leader, follower = pty.openpty()
    try:
        with os.fdopen(follower, "w", closefd=False) as terminal:
            draw(terminal)
            terminal.flush()
        shown = b""
        while select.select([leader], [], [], 0.5)[0]:  # all the terminal holds, however it splits it
            shown += os.read(leader, 65_536)
        return shown.decode(errors="replace")
    finally:
        os.close(leader)
        os.close(follower)


def test_each_yields_every_item_and_draws_how_many_are_done_on_a_terminal() -> None:
    seen: list[int] = []
    shown = _drawn_on_a_terminal(lambda tty: seen.extend(each([1, 2, 3], "asking", "questions", tty)))
    assert seen == [1, 2, 3]
    assert "asking:" in shown and "/3 " in shown and "questions/s" in shown
    assert shown.endswith("\r")  # cleared when done: the command's own summary line follows


def test_a_bar_of_batches_shows_its_total_on_a_terminal() -> None:
    def write(tty: TextIO) -> None:
        with bar(1_000, "writing memories", "memories", tty) as written:
            written.update(500)
            written.update(500)

    shown = _drawn_on_a_terminal(write)
    assert "writing memories:" in shown and "/1000 " in shown


def test_nothing_is_drawn_into_a_log_or_a_pipe() -> None:
    log = io.StringIO()
    assert list(each(["a", "b"], "asking", "questions", log)) == ["a", "b"]
    with bar(10, "writing memories", "memories", log) as written:
        written.update(10)
    assert log.getvalue() == ""
