"""A long batch done a slice at a time, so that what waits meanwhile (another request, a query's
embedding) gets its turn between slices: the write use case slices a request's memories, the
embedder a batch's texts, each bounding a slice by what its work costs."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")


def bounded_slices(
    items: Iterable[T], cost: Callable[[T], int], max_cost: int, max_items: int | None = None
) -> list[list[T]]:
    """`items` in order, in consecutive slices: a slice ends before the item that would take its summed
    `cost` past `max_cost`, or its length past `max_items`. An item that costs more than `max_cost`
    alone is a slice by itself; no slice is empty."""
    slices: list[list[T]] = []
    spent = 0
    for item in items:
        price = cost(item)
        # A slice grows one item at a time, so it is full at exactly `max_items` (never, with None).
        if not slices or spent + price > max_cost or len(slices[-1]) == max_items:
            slices.append([])
            spent = 0
        slices[-1].append(item)
        spent += price
    return slices
