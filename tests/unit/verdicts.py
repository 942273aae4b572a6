"""The table of a yes-or-no check: the cases it says yes to and the cases it says no to, as the rows
of one parametrized test that asserts the check's answer."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest


def yes_and_no(yes: Iterable[Any], no: Iterable[Any]) -> list[tuple[Any, ...]]:
    """Each case followed by the answer expected of it (True for `yes`, False for `no`); a case of
    several arguments is a tuple of them."""
    return [
        (*(case if isinstance(case, tuple) else (case,)), expected)
        for cases, expected in ((yes, True), (no, False))
        for case in cases
    ]


def verdict_test(check: Callable[..., bool], yes: Iterable[Any], no: Iterable[Any]) -> Callable[..., None]:
    """The test that `check` answers True to each case of `yes` and False to each of `no`, one row a
    case, named by its words and the answer; a module runs it by binding it to a `test_` name."""
    cases = [(row[:-1], row[-1]) for row in yes_and_no(yes, no)]
    ids = ["-".join(map(str, (*case, expected))) for case, expected in cases]

    @pytest.mark.parametrize(("case", "expected"), cases, ids=ids)
    def test(case: tuple[Any, ...], expected: bool) -> None:
        answer = check(*case)
        assert answer is expected, f"{check.__name__}{case!r} is {answer!r}, not {expected}"

    return test
