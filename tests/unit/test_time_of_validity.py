"""The time a question names reaches a memory's valid time (mnemo.retrieval.ranking.terms.time):
a memory without a validity of its own is of the time it occurred; one with a validity, of every
time it held."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from mnemo.memtypes.formula import evaluate
from mnemo.retrieval.ranking.terms.time import of_the_time
from mnemo.retrieval.ranking.times.temporal import parse_time_window

NOW = datetime(2026, 6, 15, 8, 30, tzinfo=UTC)
MARCH = (datetime(2026, 3, 1, tzinfo=UTC).timestamp(), datetime(2026, 4, 1, tzinfo=UTC).timestamp())


def _ts(year: int, month: int, day: int) -> float:
    return datetime(year, month, day, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("payload", "of_march"),
    [
        ({"occurred_ts": _ts(2026, 3, 10)}, True),  # an event of March
        ({"occurred_ts": _ts(2026, 5, 10)}, False),
        ({"occurred_ts": _ts(2025, 8, 1), "valid_from_ts": _ts(2026, 2, 1)}, True),  # holds since February
        ({"occurred_ts": _ts(2025, 8, 1), "valid_from_ts": _ts(2026, 4, 1)}, False),  # from April on
        ({"occurred_ts": _ts(2025, 8, 1), "valid_until_ts": _ts(2026, 3, 5)}, True),  # ended in March
        ({"occurred_ts": _ts(2025, 8, 1), "valid_until_ts": _ts(2026, 2, 1)}, False),  # ended before
        ({"occurred_ts": _ts(2026, 4, 2), "valid_until_ts": _ts(2026, 9, 1)}, False),  # written after March
        (
            {
                "occurred_ts": _ts(2026, 1, 1),
                "valid_from_ts": _ts(2026, 1, 1),
                "valid_until_ts": _ts(2027, 1, 1),
            },
            True,
        ),
    ],
)
def test_a_memory_is_of_the_time_it_occurred_or_held(payload: dict[str, Any], of_march: bool) -> None:
    assert evaluate(of_the_time(*MARCH), payload, 0.0) == (1.0 if of_march else 0.0)


@pytest.mark.parametrize(
    ("query", "start", "end"),
    [
        ("what did we spend this month?", datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)),
        ("what did I do last spring?", datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)),
        ("who did I meet last week?", datetime(2026, 6, 8, tzinfo=UTC), datetime(2026, 6, 15, tzinfo=UTC)),
        ("what happened in March?", datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC)),
    ],
)
def test_the_times_a_question_names(query: str, start: datetime, end: datetime) -> None:
    window = parse_time_window(query, NOW)
    assert window is not None and (window.start, window.end) == (start, end)
