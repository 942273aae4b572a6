"""The pure rules of working memory: what to evict, how evicted items are summarized, valid task ids."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mnemo.memtypes.errors import InvalidInput
from mnemo.sessions.working import WorkingItem, check_task_id
from mnemo.sessions.working_memory import MAX_SUMMARY_ITEMS, choose_evictions, gist, summarize_evicted

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def item(seq: int, priority: int, tokens: int, content: str = "x") -> WorkingItem:
    return WorkingItem(
        id=f"i{seq}",
        seq=seq,
        content=content,
        priority=priority,
        tokens=tokens,
        line_tokens={},
        created_at=NOW,
    )


def test_evicts_lowest_priority_first_then_oldest_and_only_as_much_as_needed() -> None:
    items = [item(1, 5, 10), item(2, 1, 10), item(3, 5, 10), item(4, 1, 10), item(5, 9, 10)]
    assert choose_evictions(items, 50) == []
    assert [i.seq for i in choose_evictions(items, 40)] == [2]
    assert [i.seq for i in choose_evictions(items, 30)] == [2, 4]
    assert [i.seq for i in choose_evictions(items, 20)] == [1, 2, 4]
    assert [i.seq for i in choose_evictions(items, 0)] == [1, 2, 3, 4, 5]


@given(
    st.lists(st.tuples(st.integers(0, 10), st.integers(1, 50)), max_size=30),
    st.integers(0, 500),
)
def test_eviction_leaves_the_rest_under_the_limit_and_never_spares_a_lower_priority(
    specs: list[tuple[int, int]], limit: int
) -> None:
    items = [item(seq, p, t) for seq, (p, t) in enumerate(specs, start=1)]
    evicted = choose_evictions(items, limit)
    kept = [i for i in items if i not in evicted]
    assert sum(i.tokens for i in kept) <= limit
    if evicted and kept:
        # Everything evicted comes before everything kept in (priority, age) order.
        assert max((i.priority, i.seq) for i in evicted) < min((i.priority, i.seq) for i in kept)


def test_gist_is_the_first_sentence_on_one_line_and_bounded() -> None:
    assert gist("Book the hotel.  Then\nthe train.") == "Book the hotel. …"
    assert gist("one  line\nonly") == "one line only"
    long = "word " * 100
    cut = gist(long, 40)
    assert len(cut) <= 42 and cut.endswith(" …") and "wor …" not in cut


def test_summary_lists_every_item_up_to_a_cap() -> None:
    items = [item(i, i % 3, 5, f"Observation {i}. More detail here.") for i in range(1, 81)]
    summary = summarize_evicted("crawl", items, 100)
    lines = summary.splitlines()
    assert lines[0].startswith("Working memory of task crawl went over its 100-token limit; 80 item(s)")
    assert lines[1] == "- (priority 1) Observation 1. …"
    assert len(lines) == 1 + MAX_SUMMARY_ITEMS + 1 and lines[-1] == "- … and 30 more"


@pytest.mark.parametrize("task_id", ["t", "task-42", "a.b:c@d+e_f", "x" * 128, "7"])
def test_valid_task_ids(task_id: str) -> None:
    assert check_task_id(task_id) == task_id


@pytest.mark.parametrize("task_id", ["", "*", "a b", "-a", "a/b", "a{b}", "a\nb", "x" * 129, "é"])
def test_invalid_task_ids(task_id: str) -> None:
    with pytest.raises(InvalidInput):
        check_task_id(task_id)
