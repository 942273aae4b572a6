"""How a later memory tells that a value changed, read over HTTP (real app, Qdrant Edge, MiniLM, BM25),
without a `fact_key`: a statement written later that says "going up to … from AMS on" ranks above the
per diem it replaces (the older one's "cash from Marta" names no month, so it says no change of its own);
a call log that says the policies "were transferred to" another agent ranks above the statement naming
the old agent, for a question about now; in a store apart, a note that "Wes's taxes move to Ron Ellis"
ranks above the accountant it replaced. Each ranking is also read without
the lift it tests (and, for the agent and the accountant, without the role holders' stage, which reads
the same change as a role changing hands), so the test shows what the lift does.

The clock is Friday 12 March 2027, 13:00 UTC. The statements carry no time of their own: written in one
batch with the events, as an import writes them, nothing but the order they were written in dates them.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, vary_ranking

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

# Two stores apart: the second's memories would move the first's scores.
FISHER = Asker({"user_id": "fisher"}, "2027-02-01T09:00:00Z")
TAXES = "Wes's taxes are done by Joyce Pak at Northern Ledger CPA in Anchorage (since 2015)."
TAXES_MOVED = "Joyce Pak retired. Wes's taxes move to Ron Ellis at Ellis & Roe CPAs in Anchorage."
FISHER_MEMORIES: list[dict[str, Any]] = [
    {
        "type": "semantic",
        "content": "Deshmukh wedding › decorator: Phoolwala Decor (Sunil Gaikwad), quote ₹6.5L",
    },
    {"type": "semantic", "content": "Deshmukh wedding › caterer: Shree Caterers, 450 plates, veg only"},
    {"type": "semantic", "content": TAXES},
    {"type": "semantic", "content": "Wes's boat insurance is through Dale Whitcomb at Pacific Marine."},
    {
        "type": "episodic",
        "content": "Deshmukh decor moved to Studio Marigold – Pooja wanted pastel; Anjali quoted ₹7.2L",
        "occurred_at": "2027-01-12T11:00:00Z",
    },
    {
        "type": "episodic",
        "content": "Deshmukh mehendi artist confirmed for 6 Feb",
        "occurred_at": "2027-01-15T10:00Z",
    },
    {"type": "episodic", "content": TAXES_MOVED, "occurred_at": "2026-12-28T16:00:00Z"},
]
STORES = {"bassist": (BASSIST, MEMORIES), "fisher": (FISHER, FISHER_MEMORIES)}  # for conftest's `asked`


@pytest.mark.parametrize(
    ("asked", "query", "newer", "older", "without_lift"),
    [
        # A statement written later that says its value is going up, over the per diem it replaces.
        (
            "bassist",
            "how much are PDs in europe",
            PER_DIEMS_UP,
            PER_DIEMS,
            {"newer_first.change_marker": False},
        ),
        # An event that says the policies were transferred, over the statement naming the old agent.
        (
            "bassist",
            "Who is my insurance agent at Travis Mutual now?",
            AGENT_CHANGED,
            AGENT,
            {"changed_events.share": 0.0, "stages_off": ["role_holder"]},
        ),
        # A change told by "move to", over the statement naming the old accountant.
        (
            "fisher",
            "who does my taxes now",
            TAXES_MOVED,
            TAXES,
            {"changed_events.share": 0.0, "stages_off": ["role_holder"]},
        ),
    ],
    ids=["going-up", "transferred", "move-to"],
    indirect=["asked"],
)
@pytest.mark.parametrize("lift_on", [True, False], ids=["default", "lift-off"])
async def test_a_later_memory_that_says_its_value_changed_ranks_above_the_older(
    asked: tuple[Asker, AsyncTestClient[Any]],
    query: str,
    newer: str,
    older: str,
    without_lift: dict[str, Any],
    lift_on: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asker, client = asked
    if not lift_on:  # a fitted constant of the ranking model, not a setting
        vary_ranking(client, monkeypatch, without_lift)
    contents = await asker.ranked(client, query)
    assert (contents.index(newer) < contents.index(older)) is lift_on
