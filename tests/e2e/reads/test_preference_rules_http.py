"""A rule or a preference answers a question that asks leave (real app, Qdrant Edge, MiniLM, BM25;
ranking/terms/preference.py): "would it be all right to call Alyssa at 7:30?" names the tenant and
the occasion, which events and facts about her share; "no calls before 9:00am" shares almost none of
its words, and is lifted for such a question only.

The clock is Friday 16 April 2027, 18:00 UTC.
"""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import event, retrieved, semantic, store_holding

NOW = "2027-04-16T18:00:00Z"
JUDY = {"user_id": "judy"}
RULE = "Preference: tenants are contacted by text first; no calls before 9:00am or after 8:00pm."
MEMORIES: list[dict[str, Any]] = [
    semantic(RULE),
    semantic("Unit 2A - tenants: Derek and Alyssa Nguyen, with their daughter Mia (2)."),
    event(
        "Service log: the condenser fan motor at 2A is failing; Alyssa asked for a call about it.",
        "2027-04-06T15:00",
    ),
    event("Call log: Alyssa Nguyen rang in the morning about the fan motor noise in 2A.", "2027-04-12T09:30"),
]
LEAVE = "Alyssa in 2A is an early riser. Would it be all right to call her at 7:30 about the fan motor?"

judy = store_holding(MEMORIES, JUDY)


def _lift(memory: dict[str, Any]) -> float:
    component = memory["explain"]["components"].get("preference")
    return float(component["contribution"]) if component else 0.0


async def test_a_rule_comes_first_for_a_question_that_asks_leave(judy: AsyncTestClient[Any]) -> None:
    memories = await retrieved(judy, LEAVE, JUDY, NOW, min_confidence=0)
    contents = [m["content"] for m in memories]
    rule = memories[contents.index(RULE)]
    lift = rule["explain"]["components"]["preference"]["contribution"]
    # Without the lift the rule fell below the service log about Alyssa; with it, it comes before.
    assert lift > 0 and contents.index(RULE) < 2
    assert any(m["score"] > rule["score"] - lift for m in memories[contents.index(RULE) + 1 :])
    lifted = [m["content"] for m in memories if _lift(m) > 0]
    assert lifted == [RULE]  # the other fact states no rule; events and reminders are not lifted


async def test_a_question_for_a_fact_lifts_no_rule(judy: AsyncTestClient[Any]) -> None:
    memories = await retrieved(judy, "who lives in 2A?", JUDY, NOW, min_confidence=0)
    assert all(_lift(m) == 0 for m in memories)
