"""How a later memory tells that a value changed, read over HTTP (real app, Qdrant Edge, MiniLM, BM25),
without a `fact_key`: a statement written later that says "going up to … from AMS on" ranks above the
per diem it replaces (the older one's "cash from Marta" names no month, so it says no change of its own);
a call log that says the policies "were transferred to" another agent ranks above the statement naming
the old agent, for a question about now. Each ranking is also read without the lift it tests (and, for
the agent, without the role holders' stage, which reads the same call log as a role changing hands), so
the test shows what the lift does.

The clock is Friday 12 March 2027, 13:00 UTC. The statements carry no time of their own: written in one
batch with the events, as an import writes them, nothing but the order they were written in dates them.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, store_holding, vary_ranking

NOW = "2027-03-12T13:00:00Z"
BASSIST = Asker({"user_id": "bassist"}, NOW)
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

bassist = store_holding(MEMORIES, BASSIST.scope)


@pytest.mark.parametrize(
    ("query", "newer", "older", "without_lift"),
    [
        # A statement written later that says its value is going up, over the per diem it replaces.
        ("how much are PDs in europe", PER_DIEMS_UP, PER_DIEMS, {"newer_first.change_marker": False}),
        # An event that says the policies were transferred, over the statement naming the old agent.
        (
            "Who is my insurance agent at Travis Mutual now?",
            AGENT_CHANGED,
            AGENT,
            {"changed_events.share": 0.0, "stages_off": ["role_holder"]},
        ),
    ],
    ids=["going-up", "transferred"],
)
@pytest.mark.parametrize("lift_on", [True, False], ids=["default", "lift-off"])
async def test_a_later_memory_that_says_its_value_changed_ranks_above_the_older(
    bassist: AsyncTestClient[Any],
    query: str,
    newer: str,
    older: str,
    without_lift: dict[str, Any],
    lift_on: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if not lift_on:  # a fitted constant of the ranking model, not a setting
        vary_ranking(bassist, monkeypatch, without_lift)
    contents = await BASSIST.ranked(bassist, query)
    assert (contents.index(newer) < contents.index(older)) is lift_on
