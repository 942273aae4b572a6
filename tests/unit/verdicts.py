"""The table of a check's answers: each row the arguments of one case and the answer expected of it,
as the rows of one parametrized test that asserts the check's answer; a yes-or-no check's table as
the cases it says yes to and the cases it says no to."""

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


def _shown(value: Any) -> str:
    """A value as a test id writes it, the same in every process: a set's members in order, since
    the order of a set of strings changes with each interpreter's hash seed."""
    if isinstance(value, set | frozenset):
        return "{" + ", ".join(sorted(map(_shown, value))) + "}"
    return str(value)


def answer_test(check: Callable[..., Any], rows: Iterable[tuple[Any, ...]]) -> Callable[..., None]:
    """The test that `check`, given each row's arguments (all but its last), answers its last: one
    case a row, named by its words and the answer; a module runs it by binding it to a `test_` name."""
    cases = [(row[:-1], row[-1]) for row in rows]
    ids = ["-".join(map(_shown, (*case, expected))) for case, expected in cases]

    @pytest.mark.parametrize(("case", "expected"), cases, ids=ids)
    def test(case: tuple[Any, ...], expected: Any) -> None:
        answer = check(*case)
        # A yes or a no is the bool itself, not a value that compares equal to it.
        right = answer is expected if isinstance(expected, bool) else answer == expected
        assert right, f"{check.__name__}{case!r} is {answer!r}, not {expected!r}"

    return test


def verdict_test(check: Callable[..., bool], yes: Iterable[Any], no: Iterable[Any]) -> Callable[..., None]:
    """The test that `check` answers True to each case of `yes` and False to each of `no`."""
    return answer_test(check, yes_and_no(yes, no))
