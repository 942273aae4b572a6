"""The time a question names reaches a fact's valid time (real app, Qdrant Edge, MiniLM, BM25): a
fact that began to hold this month is of this month though it was written before it; one without a
validity of its own is of the time it was written.

The clock is Sunday 20 September 2026, 12:00 UTC.
"""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import store_holding

NOW = "2026-09-20T12:00:00Z"
SCOPE = {"user_id": "nadia"}
FROM_THIS_MONTH = "Dean Mallory is the AP team lead at Brightwater and our day-to-day contact."
WRITTEN_EARLIER = "Hollie Tran is the ERP owner at Brightwater and our contact for the connector."


nadia = store_holding(
    [
        {
            "type": "semantic",
            "content": FROM_THIS_MONTH,
            "occurred_at": "2026-08-10T09:00:00Z",  # told in August, holds from 1 September
            "valid_from": "2026-09-01T00:00:00Z",
        },
        {"type": "semantic", "content": WRITTEN_EARLIER, "occurred_at": "2026-05-04T09:00:00Z"},
    ],
    SCOPE,
)


async def test_a_fact_that_began_to_hold_this_month_is_of_this_month(nadia: Any) -> None:
    body = {"query": "who became our contact at Brightwater this month?", "scope": SCOPE, "now": NOW,
            "explain": True, "min_confidence": 0}  # fmt: skip
    response = await nadia.post("/v1/retrieve", json=body)
    assert response.status_code == 200, response.text
    memories = response.json()["memories"]
    time_of = {m["content"]: m["explain"]["components"]["time"]["value"] for m in memories}
    assert time_of == {FROM_THIS_MONTH: 1.0, WRITTEN_EARLIER: 0.0}
    for memory in memories:  # the engine scored what `explain` says: the same formula
        assert abs(memory["explain"]["total"] - memory["score"]) < 1e-4
