"""A long batch in slices (memtypes/slices.py), as the write use case and the embedder take them."""

from __future__ import annotations

from mnemo.memtypes.slices import bounded_slices


def test_a_slice_ends_before_the_item_that_would_pass_the_cost() -> None:
    texts = ["aaaa", "bbb", "cc", "dddddd", "e"]
    assert bounded_slices(texts, len, 7) == [["aaaa", "bbb"], ["cc"], ["dddddd", "e"]]


def test_a_slice_ends_at_the_count_too() -> None:
    assert bounded_slices(range(7), lambda _: 1, 100, max_items=3) == [[0, 1, 2], [3, 4, 5], [6]]
    assert bounded_slices([5, 1, 1, 1], lambda n: n, 6, max_items=2) == [[5, 1], [1, 1]]


def test_an_item_past_the_cost_alone_is_a_slice_of_its_own_and_none_is_empty() -> None:
    assert bounded_slices(["x" * 10, "y", "z" * 10], len, 4) == [["x" * 10], ["y"], ["z" * 10]]
    assert bounded_slices([], len, 4) == []
