"""Confidence means the same in a store of one memory and in a crowded one: the answer alone in its
scope is confident, an unrelated memory alone is not, and unrelated memories added beside the answer
barely move its confidence (real MiniLM, real engines, the shipped model)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import write

NOW = "2026-11-26T12:00:00Z"

# (memory type, the memory, a question it answers, a question it does not)
EXAMPLES = [
    (
        "procedural",
        "Run the parser tests with make ptest, never with plain pytest.",
        "how do I run the parser tests?",
        "What is the capital of France?",
    ),
    (
        "semantic",
        "Frank's cat is called Mochi.",
        "What is Frank's cat called?",
        "How do I reset the router?",
    ),
    (
        "semantic",
        "Bea prefers an aisle seat on long flights.",
        "What is Bea's seat preference?",
        "Which football team won the 1998 world cup final?",
    ),
    (
        "semantic",
        "Alice prefers green tea over coffee, and drinks it without sugar.",
        "Does Alice prefer tea or coffee?",
        "Which port does the staging database listen on?",
    ),
    (
        "prospective",
        "Remind Alice to renew her passport before the trip to Japan.",
        "When does Alice need to renew her passport?",
        "How do I run the parser tests?",
    ),
]

# Conversation turns about other things, none of which answers any question above.
UNRELATED_TOPICS = [
    "the weather at the beach",
    "a new sourdough recipe",
    "the football match on Sunday",
    "repainting the kitchen",
    "a podcast about space probes",
    "the neighbour's noisy dog",
    "a hiking trail in the hills",
    "the price of concert tickets",
    "learning to play the cello",
    "a broken bicycle chain",
]


def unrelated(n: int, scope: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "type": "episodic",
            "content": f"Dana: I keep thinking about {UNRELATED_TOPICS[i % len(UNRELATED_TOPICS)]} ({i}).",
            "scope": scope,
            "occurred_at": f"2026-11-{1 + i % 25:02d}T10:{i % 60:02d}:00Z",
        }
        for i in range(n)
    ]


async def confidence(
    client: AsyncTestClient[Any], query: str, scope: dict[str, str], content: str
) -> tuple[float, dict[str, float]]:
    """The confidence of the memory holding `content`, and the features it was read from."""
    body = {"query": query, "scope": scope, "now": NOW, "min_confidence": 0, "explain": True}
    response = await client.post("/v1/retrieve", json=body)
    assert response.status_code == 200, response.text
    [memory] = [m for m in response.json()["memories"] if m["content"] == content]
    return float(memory["confidence"]), memory["explain"]["confidence_features"]


@pytest.mark.slow
async def test_in_a_store_of_one_memory_the_answer_is_confident_and_an_unrelated_one_is_not(
    client: AsyncTestClient[Any],
) -> None:
    for i, (memory_type, content, answered, other) in enumerate(EXAMPLES):
        scope = {"user_id": f"alone-{i}"}
        await write(client, [{"type": memory_type, "content": content, "scope": scope}])
        yes, features = await confidence(client, answered, scope, content)
        assert yes >= 0.7, (content, answered, features)
        no, features = await confidence(client, other, scope, content)
        assert no <= 0.2, (content, other, features)


@pytest.mark.slow
async def test_unrelated_memories_added_beside_the_answer_barely_move_its_confidence(
    client: AsyncTestClient[Any],
) -> None:
    memory_type, content, answered, _ = EXAMPLES[0]
    confidences = []
    for n in (0, 4, 40, 400):
        scope = {"user_id": f"crowd-{n}"}
        await write(client, [{"type": memory_type, "content": content, "scope": scope}, *unrelated(n, scope)])
        confidences.append((await confidence(client, answered, scope, content))[0])
    alone = confidences[0]
    assert all(abs(c - alone) <= 0.15 for c in confidences), confidences
