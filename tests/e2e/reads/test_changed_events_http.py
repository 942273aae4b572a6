"""An event that tells a value changed ranks above the older fact it outdates (real app, Qdrant Edge,
MiniLM, BM25), without a `fact_key`: "we switched electricity from Electric Ireland to Flogas"
(February) over "Electricity is with Electric Ireland" for "who are we with for electricity?". An event
that mentions the subject and changes nothing of it stays below the fact, and so does a change event
about something else. Each ranking is also read without the check it tests, so the test shows what
that check does.

The clock is Monday 15 June 2026, 08:30 UTC. The facts carry no time of their own: written in one
batch with the events, as an import writes them, nothing dates them.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from mnemo.retrieval.stages import changed_events
from tests.e2e.conftest import Asker, event, semantic, store_holding, vary_ranking

NOW = "2026-06-15T08:30:00Z"
GERRY = Asker({"user_id": "gerry"}, NOW)
ELECTRICITY = "Electricity is with Electric Ireland, account in Gerry's name, billed every two months."
SWITCHED = "Gerry switched electricity from Electric Ireland to Flogas: 31.5c a unit for a year."
HENS = "Gerry and Nuala keep six hens in the coop behind the polytunnel."
HENS_EVENT = "Gerry cleaned out the hens' coop behind the polytunnel and put down fresh straw."
MEMORIES: list[dict[str, Any]] = [
    semantic(ELECTRICITY),
    semantic(HENS),
    event(SWITCHED, "2026-02-19T16:00"),
    event(HENS_EVENT, "2026-05-30T10:00"),
]


gerry = store_holding(MEMORIES, GERRY.scope)


@pytest.mark.parametrize("lift_on", [True, False], ids=["default", "lift-off"])
async def test_an_event_that_tells_the_change_ranks_above_the_older_fact(
    gerry: AsyncTestClient[Any], lift_on: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The near tie of two versions of one subject ("electricity") orders the two on its own: off, so
    # that the lift is what is read. The lift's share is a fitted constant of the model, not a setting.
    changes: dict[str, Any] = {"stages_off": ["version_tie"]}
    if not lift_on:
        changes["changed_events.share"] = 0.0
    vary_ranking(gerry, monkeypatch, changes)
    contents = await GERRY.ranked(gerry, "who are we with for electricity?")
    first, second = contents.index(SWITCHED), contents.index(ELECTRICITY)
    if lift_on:
        assert first < second
    else:  # the fact is the better match: the lift is what puts the change first
        assert second < first


@pytest.mark.parametrize("words_checked", [True, False], ids=["default", "any-event"])
async def test_an_event_that_changes_nothing_stays_below_the_fact(
    gerry: AsyncTestClient[Any], words_checked: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The coop event is about the hens (a shared name, a close meaning) and tells no change."""
    if not words_checked:  # every event read as telling a change
        monkeypatch.setattr(changed_events, "EVENT_STATES_CHANGE", r"\w")
    contents = await GERRY.ranked(gerry, "how many hens have we got?")
    assert contents.index(HENS) < contents.index(SWITCHED)  # a change of something else
    if words_checked:
        assert contents.index(HENS) < contents.index(HENS_EVENT)
    else:  # the event's words are what keep it below the fact
        assert contents.index(HENS_EVENT) < contents.index(HENS)
