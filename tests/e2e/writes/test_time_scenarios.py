"""Scenarios of facts that change, in the spirit of MEME's tasks, on the real app, Qdrant Edge and
MiniLM: each entry of scenarios/time_and_truth.json (a domain's old and new state, a question, and
something derived from the old state) is run as five scenarios:

- batch change: the old and the new state written in one request (the same `fact_key`): the new
  one answers first, the old is left out of the answer and kept (superseded, not deleted);
- named change: the new state names the old by its caller id (`supersedes`), in a later request;
- cascade: what was derived from the old state (`depends_on`) is flagged stale in the answer that
  finds it and listed in the review feed once the new state supersedes the old;
- absence: the old state invalidated, nothing replacing it: it no longer answers, and `explain`
  says it was left out as expired;
- deletion: the old state forgotten: it and what was derived from it are gone, the receipt names both.

Each kind runs every entry in its own scope and reports every scenario that fails at once.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import write_one, write_results

ENTRIES: list[dict[str, str]] = json.loads(
    (Path(__file__).parent / "scenarios" / "time_and_truth.json").read_text()
)["entries"]
OLD_AT, DERIVED_AT, NEW_AT = "2026-01-10T09:00:00Z", "2026-01-20T09:00:00Z", "2026-03-01T09:00:00Z"
Client = AsyncTestClient[Any]


def memory(scope: dict[str, str], content: str, at: str, **fields: Any) -> dict[str, Any]:
    return {"type": "semantic", "content": content, "occurred_at": at, "scope": scope, **fields}


async def answer(client: Client, question: str, scope: dict[str, str], **body: Any) -> dict[str, Any]:
    request = {"query": question, "scope": scope, "types": ["semantic"], "min_confidence": 0, **body}
    response = await client.post("/v1/retrieve", json=request)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def current_first(
    client: Client, entry: dict[str, str], scope: dict[str, str], old: str, new: str
) -> None:
    found = await answer(client, entry["question"], scope)
    ids = [m["id"] for m in found["memories"]]
    assert ids and ids[0] == new, f"{entry['question']!r} answered first by {found['memories'][:1]}"
    assert old not in ids, "the superseded state still answers"
    kept = (await client.get(f"/v1/memories/{old}")).json()
    assert kept["superseded_by"] == new, "the old state is kept, superseded by the new"


async def batch_change(client: Client, entry: dict[str, str], scope: dict[str, str]) -> None:
    old, new = await write_results(
        client,
        [
            memory(scope, entry["old"], OLD_AT, fact_key=entry["key"]),
            memory(scope, entry["new"], NEW_AT, fact_key=entry["key"]),
        ],
    )
    assert (old["status"], new["status"], new["reason"]) == ("created", "merged", f"supersedes {old['id']}")
    await current_first(client, entry, scope, old["id"], new["id"])


async def named_change(client: Client, entry: dict[str, str], scope: dict[str, str]) -> None:
    old = await write_one(client, memory(scope, entry["old"], OLD_AT, id=f"{entry['key']}.v1"))
    new = await write_one(client, memory(scope, entry["new"], NEW_AT, supersedes=[f"{entry['key']}.v1"]))
    assert new["reason"] == f"supersedes {old['id']}"
    await current_first(client, entry, scope, old["id"], new["id"])


async def old_and_derived(
    client: Client, entry: dict[str, str], scope: dict[str, str]
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The old state under its caller id, and what was derived from it."""
    name = f"{entry['key']}.v1"
    old, derived = await write_results(
        client,
        [
            memory(scope, entry["old"], OLD_AT, id=name),
            memory(scope, entry["derived"], DERIVED_AT, depends_on=[name]),
        ],
    )
    return name, old, derived


async def cascade(client: Client, entry: dict[str, str], scope: dict[str, str]) -> None:
    name, old, derived = await old_and_derived(client, entry, scope)
    new = await write_one(client, memory(scope, entry["new"], NEW_AT, supersedes=[name]))
    found = await answer(client, entry["derived_question"], scope)
    flagged = {m["id"]: m for m in found["memories"]}
    assert derived["id"] in flagged, "what was derived is still shown"
    assert flagged[derived["id"]]["stale"] is True
    assert flagged[derived["id"]]["stale_cause"] == f"depends on {old['id']}: superseded by {new['id']}"
    feed = (await client.get("/v1/memories/stale", params={"user_id": scope["user_id"]})).json()
    assert [m["id"] for m in feed["memories"]] == [derived["id"]]
    first = (await answer(client, entry["question"], scope))["memories"][0]["id"]
    assert first in (new["id"], derived["id"]) and first != old["id"]


async def absence(client: Client, entry: dict[str, str], scope: dict[str, str]) -> None:
    old = await write_one(client, memory(scope, entry["old"], OLD_AT))
    ended = await client.post(f"/v1/memories/{old['id']}/invalidate", json={"reason": "no longer true"})
    assert ended.status_code == 200, ended.text
    found = await answer(client, entry["question"], scope, explain=True)
    assert found["memories"] == [], "nothing current answers"
    assert {m["id"]: m["reason"] for m in found["left_out"]} == {old["id"]: "expired"}
    assert (await client.get(f"/v1/memories/{old['id']}")).status_code == 200  # kept


async def deletion(client: Client, entry: dict[str, str], scope: dict[str, str]) -> None:
    _, old, derived = await old_and_derived(client, entry, scope)
    receipt = (await client.post("/v1/forget", json={"ids": [old["id"]]})).json()
    assert receipt["derived_ids"] == [derived["id"]]
    assert receipt["memory_ids"] == sorted([old["id"], derived["id"]])
    for question in (entry["question"], entry["derived_question"]):
        assert (await answer(client, question, scope))["memories"] == []
    assert (await client.get(f"/v1/memories/{derived['id']}")).status_code == 404


KINDS: dict[str, Callable[[Client, dict[str, str], dict[str, str]], Awaitable[None]]] = {
    "batch_change": batch_change,
    "named_change": named_change,
    "cascade": cascade,
    "absence": absence,
    "deletion": deletion,
}


def test_the_suite_is_big_enough_and_spans_domains() -> None:
    assert len(ENTRIES) * len(KINDS) >= 60
    assert len({e["domain"] for e in ENTRIES}) >= 5


@pytest.mark.parametrize("kind", list(KINDS))
async def test_scenarios(client: Client, kind: str) -> None:
    failed = []
    for entry in ENTRIES:
        scope = {"user_id": f"{entry['subject']}-{kind}"}
        try:
            await KINDS[kind](client, entry, scope)
        except AssertionError as exc:
            failed.append(f"{entry['domain']}/{entry['key']}: {exc}".splitlines()[0])
    assert not failed, f"{len(failed)} of {len(ENTRIES)} {kind} scenarios failed:\n" + "\n".join(failed)
