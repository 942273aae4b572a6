"""A question whose detail is not stored, though the person it names is, against its answerable
twin, on the real app (MiniLM, BM25, Qdrant Edge, the shipped confidence): the store about Dana
holds her job, her habits and her address, not her phone number. The near miss reads far less
confident than the twin, and at a caller's floor (the prompt hook's 0.2) its context is empty while
the twin keeps its answer; at the service's default floor the near miss keeps only its best memory
(no memory holds a value of the kind asked) while the twin keeps all it had."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import write

NOW = "2026-11-28T12:00:00Z"
ABOUT_DANA = [
    "Dana is the practice manager at the Leith dental surgery.",
    "Dana prefers a text to a call, and never before 9 in the morning.",
    "Dana lives at 12 Ferry Road with her partner Sam and their dog Pip.",
    "Dana runs the Saturday parkrun at Silverknowes most weeks.",
]
RUTH_PHONE = "Ruth's mobile is 07700 900 123."
DANA_EMAIL = "Dana's work email is dana.reid@leithdental.example."
HOOK_FLOOR = 0.2  # client/mnemo_hook/prompt.py's default


async def retrieve(
    client: AsyncTestClient[Any], scope: dict[str, str], query: str, **body: Any
) -> dict[str, Any]:
    response = await client.post("/v1/retrieve", json={"query": query, "scope": scope, "now": NOW, **body})
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.mark.slow
async def test_a_near_miss_reads_unlikely_and_its_answerable_twin_keeps_its_evidence(
    client: AsyncTestClient[Any],
) -> None:
    scope = {"user_id": "dana-store"}
    memories = [*ABOUT_DANA, RUTH_PHONE, DANA_EMAIL]
    await write(client, [{"type": "semantic", "content": c, "scope": scope} for c in memories])

    twin = await retrieve(client, scope, "what's Dana's email address?")
    near_miss = await retrieve(client, scope, "what's Dana's phone number?")
    assert twin["memories"][0]["content"] == DANA_EMAIL
    assert twin["metadata"]["top_confidence"] >= 0.5
    assert near_miss["metadata"]["top_confidence"] < 0.1
    assert near_miss["metadata"]["top_confidence"] < twin["metadata"]["top_confidence"] / 5

    floored_twin = await retrieve(client, scope, "what's Dana's email address?", min_confidence=HOOK_FLOOR)
    floored_miss = await retrieve(client, scope, "what's Dana's phone number?", min_confidence=HOOK_FLOOR)
    assert floored_twin["memories"][0]["content"] == DANA_EMAIL
    assert floored_miss["memories"] == [] and floored_miss["context"] == ""


@pytest.mark.slow
async def test_where_nothing_of_the_kind_is_held_a_default_context_keeps_only_the_best(
    client: AsyncTestClient[Any],
) -> None:
    """The same near miss at the service's default floor: no memory holds a phone number, so only
    the best memory about Dana is packed (unlikely, not hidden: a caller who asks for a floor of 0
    has them all); the answerable twin keeps every memory the default floor kept."""
    scope = {"user_id": "dana-default"}
    memories = [*ABOUT_DANA, DANA_EMAIL]
    await write(client, [{"type": "semantic", "content": c, "scope": scope} for c in memories])
    near_miss = await retrieve(client, scope, "what's Dana's phone number?")
    assert len(near_miss["memories"]) == 1 and near_miss["memories"][0]["confidence"] < 0.1
    everything = await retrieve(client, scope, "what's Dana's phone number?", min_confidence=0.0)
    assert len(everything["memories"]) == len(memories)
    twin = await retrieve(client, scope, "what's Dana's email address?")
    assert twin["memories"][0]["content"] == DANA_EMAIL and len(twin["memories"]) == len(memories)


@pytest.mark.slow
async def test_a_question_in_parts_keeps_each_parts_answer_in_a_default_context(
    client: AsyncTestClient[Any],
) -> None:
    """No one memory names Newport and HQ: each part's answer names its own, and holds a person, so
    the default context keeps both answers, not only the best."""
    scope = {"user_id": "contacts"}
    newport = (
        "Contact: Owain Pritchard, Site Accountant at the Newport plant; approves local supplier invoices."
    )
    hq = "Contact: Dean Mallory, AP Team Lead at Bristol HQ since September; main champion of the rollout."
    others = [
        "The Newport plant switched to the new invoice scanner in March.",
        "HQ moved the finance team to the second floor after the refit.",
    ]
    await write(client, [{"type": "semantic", "content": c, "scope": scope} for c in [newport, hq, *others]])
    found = await retrieve(
        client, scope, "who's the site finance contact at Newport, and who leads AP at HQ?"
    )
    contents = [m["content"] for m in found["memories"]]
    assert newport in contents and hq in contents
