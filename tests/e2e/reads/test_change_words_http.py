"""How a later memory tells that a value changed, read over HTTP (real app, Qdrant Edge, MiniLM, BM25),
without a `fact_key`: a statement written later that says "going up to … from AMS on" ranks above the
per diem it replaces (the older one's "cash from Marta" names no month, so it says no change of its own);
a call log that says the policies "were transferred to" another agent ranks above the statement naming
the old agent, for a question about now. Each ranking is also read without the lift it tests, so the
test shows what the lift does.

The clock is Friday 12 March 2027, 13:00 UTC. The statements carry no time of their own: written in one
batch with the events, as an import writes them, nothing but the order they were written in dates them.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import ranked_contents, store_holding, vary_ranking

NOW = "2027-03-12T13:00:00Z"
BASSIST = {"user_id": "bassist"}
PER_DIEMS = "PDs: £20 a day in the UK, €25 a day in Europe, cash from Marta"
PER_DIEMS_UP = (
    "PDs going up to €30 a day in Europe from AMS on, Sadie signed it off, Marta pays out on Mondays"
)
AGENT = "Insurance: landlord policies with Travis Mutual Insurance; agent Gail Simmons, 512-555-0147."
AGENT_CHANGED = (
    "Call log 02/08: Travis Mutual - Gail Simmons has retired. Both policies were transferred to my new "
    "insurance agent Derrick Lowe, 512-555-0177."
)
MEMORIES: list[dict[str, Any]] = [
    {"type": "semantic", "content": PER_DIEMS},
    {"type": "semantic", "content": AGENT},
    {"type": "semantic", "content": "Marta is the tour manager: float, per diems, rooming lists."},
    {"type": "semantic", "content": PER_DIEMS_UP},
    {"type": "episodic", "content": AGENT_CHANGED, "occurred_at": "2027-02-08T17:00:00Z"},
]

bassist = store_holding(MEMORIES, BASSIST)


async def ranked(client: AsyncTestClient[Any], query: str) -> list[str]:
    return await ranked_contents(client, query, BASSIST, NOW)


@pytest.mark.parametrize("lift_on", [True, False], ids=["default", "lift-off"])
async def test_a_statement_that_says_its_value_is_going_up_ranks_above_the_older(
    bassist: AsyncTestClient[Any], lift_on: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not lift_on:  # a fitted constant of the ranking model, not a setting
        vary_ranking(bassist, monkeypatch, {"newer_first.change_marker": False})
    contents = await ranked(bassist, "how much are PDs in europe")
    newer, older = contents.index(PER_DIEMS_UP), contents.index(PER_DIEMS)
    assert (newer < older) is lift_on


@pytest.mark.parametrize("lift_on", [True, False], ids=["default", "lift-off"])
async def test_an_event_that_says_the_policies_were_transferred_ranks_above_the_old_agent(
    bassist: AsyncTestClient[Any], lift_on: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not lift_on:
        vary_ranking(bassist, monkeypatch, {"changed_events.share": 0.0})
    contents = await ranked(bassist, "Who is my insurance agent at Travis Mutual now?")
    newer, older = contents.index(AGENT_CHANGED), contents.index(AGENT)
    assert (newer < older) is lift_on
