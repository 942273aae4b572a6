"""A change of the thing asked, read over HTTP (real app, Qdrant Edge, MiniLM, BM25), without a
`fact_key`: in a store of terse notes, an event that says the box day moved ("box delivery moved to
Fridays from 9/4") reads less alike the older note of the box day than two restatements do, and ranks
below it by the scores; asked which day the boxes go out these days, it ranks above the note; asked
without a word of time (what may have stayed true), the order is the scores'.

The clock is Wednesday 14 April 2027, 21:40 UTC. The notes carry no time of their own: written in one
batch with the events, as an import writes them.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, event, semantic, store_holding

NOW = "2027-04-14T21:40:00Z"
GROWER = Asker({"user_id": "grower"}, NOW)
BOX_DAY = "veg boxes go out on Thursdays from 14:00 - pack Wed eve + Thu am"
MOVED = "box delivery moved to Fridays from 9/4 - Thurs clashes w/ school now. told all 30 + Kaz"


MEMORIES: list[dict[str, Any]] = [
    semantic("veg box scheme: 30 households, one size of box only, weekly. £14 a box, paid monthly"),
    semantic(BOX_DAY),
    semantic("Kaz helps pack the boxes, £12 an hour, cash on the day"),
    event("market at Totnes, pitch paid, sold out of eggs by 11", "2027-03-20T20:30"),
    event(MOVED, "2027-03-24T20:30"),
    event("fox got 3 hens last night - pop hole left open. down to 21 hens", "2026-11-12T20:30"),
]

grower = store_holding(MEMORIES, GROWER.scope)


@pytest.mark.parametrize(
    ("question", "moved_first"),
    [("which day do the boxes go out these days", True), ("which day do the boxes go out", False)],
)
async def test_a_change_of_the_box_day_ranks_above_the_older_note_for_now(
    grower: AsyncTestClient[Any], question: str, moved_first: bool
) -> None:
    contents = await GROWER.ranked(grower, question)
    assert (contents.index(MOVED) < contents.index(BOX_DAY)) is moved_first
