"""A later record of a value, read over HTTP (real app, Qdrant Edge, MiniLM, BM25), without a `fact_key`:
a ramp test that gives the FTP anew with the same unit ("FTP 274 W") ranks above the statement of the old
value ("FTP 262 W"), though it says no change: the number told again in the same words, its short unit one
of them (memtypes/language/changes.py). The ranking is also read without the lift, so the test shows what
the lift does.

The clock is Friday 2 April 2027, 09:00 UTC. The statement carries no time of its own: written in one
batch with the event, as an import writes them.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, event, semantic, store_holding, vary_ranking

NOW = "2027-04-02T09:00:00Z"
RIDER = Asker({"user_id": "rider"}, NOW)
FTP = "FTP 262 W (ramp test Sat 14/11/2026, 81 kg). Anna's power zones are set off that."
FTP_AGAIN = "Sat 20/3 ramp test on the Kickr: FTP 274 W at 80 kg."
MEMORIES: list[dict[str, Any]] = [
    semantic(FTP),
    semantic("Coach: Anna Petrovic. Plan on TrainingPeaks, check-in every Sunday night."),
    event("Sat 13/3: club crit, 9th in C grade.", "2027-03-12T22:00"),
    event(FTP_AGAIN, "2027-03-19T20:30"),
]

rider = store_holding(MEMORIES, RIDER.scope)


@pytest.mark.parametrize("lift_on", [True, False], ids=["default", "lift-off"])
async def test_a_ramp_test_that_gives_the_ftp_anew_ranks_above_the_old_value(
    rider: AsyncTestClient[Any], lift_on: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not lift_on:  # a fitted constant of the ranking model, not a setting
        vary_ranking(rider, monkeypatch, {"changed_events.share": 0.0})
    contents = await RIDER.ranked(rider, "what's my FTP at the moment")
    newer, older = contents.index(FTP_AGAIN), contents.index(FTP)
    assert (newer < older) is lift_on
