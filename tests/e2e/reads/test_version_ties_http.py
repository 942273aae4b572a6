"""Two near-tied versions of one fact, read over HTTP (real app, Qdrant Edge, MiniLM, BM25), without a
`fact_key`: in a store of dictated notes (no capitals, so no name ties them) that holds several weighings,
a later weighing that says no change ranks just above the older weight it nearly ties with, for a
question about now; asked what it was before, the order is the scores'. Each ranking is also read without
the stage it tests, so the test shows what the stage does.

The clock is Tuesday 9 March 2027, 13:45 UTC. The statements carry no time of their own: written in one
batch with the events, as an import writes them.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, event, semantic, store_holding, vary_ranking

NOW = "2027-03-09T13:45:00Z"
CARER = Asker({"user_id": "carer"}, NOW)
WEIGHT = "dad's weight is one seventy one pounds on his bathroom scale"
WEIGHED = "weighed dad at home with his shoes off and he was one sixty four, he skips lunch some days"


MEMORIES: list[dict[str, Any]] = [
    semantic("dad weighed one seventy one on his bathroom scale the first week of december"),
    semantic("dad weighs one seventy one on his bathroom scale, checked the first week of december"),
    semantic(WEIGHT),
    event(WEIGHED, "2027-02-20T23:00"),
    event("weighed dad again today, one sixty four with his shoes off", "2027-02-21T23:00"),
    semantic("dad does much better in the mornings, book his appointments before noon"),
    event(
        "dad's home blood pressure this week averages one twenty eight over seventy six", "2027-03-01T23:00"
    ),
]

carer = store_holding(MEMORIES, CARER.scope)


@pytest.mark.parametrize("stage_on", [True, False], ids=["default", "stage-off"])
async def test_a_later_weighing_ranks_above_the_older_weight_for_now(
    carer: AsyncTestClient[Any], stage_on: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not stage_on:  # a stage of the ranking model, not a setting
        vary_ranking(carer, monkeypatch, {"stages_off": ["version_tie"]})
    contents = await CARER.ranked(carer, "How much does dad weigh now?")
    assert (contents.index(WEIGHED) < contents.index(WEIGHT)) is stage_on


async def test_asked_what_it_was_before_the_order_is_the_scores(
    carer: AsyncTestClient[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without the past tense's lift of events, the scores put the older weight first: the stage,
    # which would put the newer weighing above it for a question about now, leaves that order.
    vary_ranking(carer, monkeypatch, {"terms_off": ["past_events"]})
    contents = await CARER.ranked(carer, "How much did dad weigh before?")
    assert contents.index(WEIGHT) < contents.index(WEIGHED)
