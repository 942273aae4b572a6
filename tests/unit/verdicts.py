"""The table of a yes-or-no check: the cases it says yes to and the cases it says no to, as the rows
of one parametrized test that asserts the check's answer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def yes_and_no(yes: Iterable[Any], no: Iterable[Any]) -> list[tuple[Any, ...]]:
    """Each case followed by the answer expected of it (True for `yes`, False for `no`); a case of
    several arguments is a tuple of them."""
    return [
        (*(case if isinstance(case, tuple) else (case,)), expected)
        for cases, expected in ((yes, True), (no, False))
        for case in cases
    ]
