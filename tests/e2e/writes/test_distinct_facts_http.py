"""Distinct facts kept in order, on the real app, Qdrant Edge and MiniLM.

The newer-first lift puts a newer statement of the same subject above an older one. A later,
different fact about the same person is no update of an earlier one: "Alice lives in Denver with her
two cats" (June) must not overtake "Alice is allergic to peanuts" (May) for "What is Alice allergic
to?". A reworded update still must: "Grace moved to Denver" over "Grace lives in Boston". Each case
is also run with the meaning check off (a ranking model whose `newer_first.min_cosine` is 0: a shared
name suffices), so the
test shows what it guards against.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from mnemo.backends.qdrant.config import QdrantConfig
from mnemo.retrieval.options import RetrievalConfig
from mnemo.retrieval.ranking.model import DEFAULT_MODEL, varied
from tests.e2e.conftest import AppFactory, retrieved, write

NOW = "2026-08-01T12:00:00Z"
ALICE = {"user_id": "alice"}
GRACE = {"user_id": "grace"}
ALICE_FACTS = [
    ("Alice is allergic to peanuts.", "2026-05-10T09:00:00Z"),
    ("Alice lives in Denver with her two cats.", "2026-06-12T09:00:00Z"),
    ("Alice started a new job at the bakery.", "2026-07-15T09:00:00Z"),
]
GRACE_FACTS = [
    ("Grace lives in Boston.", "2026-05-10T09:00:00Z"),
    ("Grace moved to Denver.", "2026-06-12T09:00:00Z"),
]


def semantic(facts: list[tuple[str, str]], scope: dict[str, str]) -> list[dict[str, Any]]:
    return [{"type": "semantic", "content": c, "scope": scope, "occurred_at": at} for c, at in facts]


async def ranked(client: AsyncTestClient[Any], query: str, scope: dict[str, str]) -> list[dict[str, Any]]:
    return await retrieved(client, query, scope, NOW, types=["semantic"])


def lifted(memory: dict[str, Any]) -> bool:
    return "newer_statement" in memory["explain"]["components"]


@pytest.mark.parametrize("meaning_checked", [True, False], ids=["default", "names-only"])
async def test_a_newer_different_fact_does_not_overtake_the_answer(
    app_client: AppFactory, meaning_checked: bool
) -> None:
    async with app_client() as client:
        if not meaning_checked:  # a fitted constant, not a setting: the retriever's ranking model
            names_only = varied(DEFAULT_MODEL, {"newer_first.min_cosine": 0.0})
            client.app.state.services.retriever.model = names_only
        await write(client, semantic(ALICE_FACTS, ALICE))
        asked = await ranked(client, "What is Alice allergic to?", ALICE)
        # Without the question's own word ("allergic") the answer leads by less than the lift's
        # margin: this is where a shared name alone misorders.
        reworded = await ranked(client, "What do I know about Alice's allergies?", ALICE)
    for memories in (asked, reworded):
        assert sorted(m["content"] for m in memories) == sorted(c for c, _ in ALICE_FACTS)  # none hidden
    assert asked[0]["content"] == "Alice is allergic to peanuts."
    if meaning_checked:
        assert reworded[0]["content"] == "Alice is allergic to peanuts."
        assert not any(lifted(m) for m in asked + reworded)
    else:  # a shared name alone: a later fact about Alice is lifted above the answer
        assert reworded[0]["content"] != "Alice is allergic to peanuts." and lifted(reworded[0])


@pytest.mark.parametrize(
    ("lift_on", "engine_process"),
    [(True, False), (True, True), (False, False)],
    ids=["default", "engine-in-a-process", "lift-off"],
)
async def test_a_reworded_update_still_overtakes_the_older_statement(
    app_client: AppFactory, lift_on: bool, engine_process: bool
) -> None:
    """With the engine in a child process, the vectors the lift compares cross to it and back."""
    overrides: dict[str, Any] = {"qdrant": QdrantConfig(engine_process=engine_process)}
    if not lift_on:
        overrides["retrieval"] = RetrievalConfig(newer_first_margin=0.0)
    async with app_client(**overrides) as client:
        await write(client, semantic(GRACE_FACTS, GRACE))
        memories = await ranked(client, "Where does Grace live?", GRACE)
    contents = [m["content"] for m in memories]
    if lift_on:
        assert contents == ["Grace moved to Denver.", "Grace lives in Boston."] and lifted(memories[0])
    else:  # the older statement is the better match: the lift is what puts the update first
        assert contents == ["Grace lives in Boston.", "Grace moved to Denver."]
