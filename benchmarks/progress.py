"""How far a long benchmark run has got: a bar on stderr where stderr is a terminal, as `mnemo
ingest` draws one, and nothing where it is a log or a pipe (there each command's own lines say
which step ended and how long it took). A dataset's first run writes and embeds thousands of
memories and asks hundreds of questions per variant: minutes that should not pass in silence."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from typing import TextIO, TypeVar

from tqdm import tqdm

T = TypeVar("T")


def bar(total: int, what: str, unit: str, file: TextIO | None = None) -> tqdm:
    """A bar of `total` `unit`s (advanced by `update(n)`), cleared when closed."""
    return tqdm(total=total, desc=what, unit=f" {unit}", disable=None, leave=False, file=file or sys.stderr)


def each(items: Sequence[T], what: str, unit: str, file: TextIO | None = None) -> Iterator[T]:
    """`items` one by one, with a bar of how many are done."""
    with bar(len(items), what, unit, file) as shown:
        for item in items:
            yield item
            shown.update(1)
