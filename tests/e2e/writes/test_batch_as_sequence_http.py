"""A batch resolves as the same items written one by one: supersedes, merges and negation updates
between items of one request (or one `mnemo ingest` batch) come out as they do across requests.

The same history is written into two tenants of one service, once as one request and once one
request per item, and the two stores are compared: every result's status and reason, and every
stored memory's links (what supersedes what, where its validity ends, whether it is stale). Ids
are per tenant, so both sides are compared by content.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from mnemo.backends.qdrant_edge.index import EdgeVectorIndex
from mnemo.memtypes.queries import MemoryFilter
from mnemo.memtypes.types import MemoryType
from tests.e2e.conftest import A, B
from tests.e2e.transfer.test_ingest_cli import _env

SAM, BOB, ALICE, DANA, TEAM = ({"user_id": u} for u in ("sam", "bob", "alice", "dana", "team"))


def fact(content: str, at: str, scope: dict[str, str], **fields: Any) -> dict[str, Any]:
    return {"type": "semantic", "content": content, "occurred_at": at, "scope": scope, **fields}


HISTORY = [
    fact("Sam lives in Leeds.", "2026-01-01T09:00:00Z", SAM, fact_key="sam.home", id="sam-leeds"),
    fact("Sam's commute is by train from Leeds.", "2026-01-05T09:00:00Z", SAM, depends_on=["sam-leeds"]),
    fact("Bob is allergic to peanuts.", "2026-01-02T09:00:00Z", BOB),
    fact("Alice drinks green tea every morning before work.", "2026-01-03T09:00:00Z", ALICE),
    fact("Dana's home address is 12 Oak Road, Leeds.", "2025-04-01T09:00:00Z", DANA, fact_key="dana.address"),
    fact("The team meets on Mondays at ten.", "2026-02-01T09:00:00Z", TEAM, id="meeting-v1"),
    fact("Sam lives in York.", "2026-06-01T09:00:00Z", SAM, fact_key="sam.home"),
    fact("Bob is not allergic to peanuts.", "2026-03-02T09:00:00Z", BOB),
    fact("Alice drinks green tea each morning before work.", "2026-02-03T09:00:00Z", ALICE),
    fact("Dana's home address is 4 Elm Street, York.", "2026-04-01T09:00:00Z", DANA, fact_key="dana.address"),
    fact("The team meets on Thursdays at two.", "2026-03-01T09:00:00Z", TEAM, supersedes=["meeting-v1"]),
    fact("Sam lives in Hull.", "2025-01-01T09:00:00Z", SAM, fact_key="sam.home"),  # history arriving late
]
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def by_content(text: str | None, contents: dict[str, str]) -> str | None:
    return None if text is None else UUID.sub(lambda m: f"<{contents.get(m.group(), '?')}>", text)


def store_view(records: list[dict[str, Any]]) -> dict[str, tuple[Any, ...]]:
    """Each stored memory's links, by content."""
    contents = {r["id"]: r["content"] for r in records}
    return {
        r["content"]: (
            by_content(r.get("superseded_by"), contents),
            by_content(r.get("supersedes"), contents),
            r.get("valid_until"),
            r.get("stale"),
            by_content(r.get("stale_cause"), contents),
            tuple(contents.get(d) for d in r.get("depends_on") or []),
        )
        for r in records
    }


async def everything(client: Any, headers: dict[str, str]) -> list[dict[str, Any]]:
    params = {"include_superseded": "true", "limit": 500}
    response = await client.get("/v1/memories", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["memories"])


async def test_one_request_resolves_as_one_request_per_item(tenants: Any) -> None:
    response = await tenants.post("/v1/memories", json={"memories": HISTORY}, headers=A)
    assert response.status_code == 201, response.text
    together = response.json()["results"]
    apart = []
    for item in HISTORY:
        response = await tenants.post("/v1/memories", json={"memories": [item]}, headers=B)
        assert response.status_code == 201, response.text
        apart += response.json()["results"]
    stored_a, stored_b = await everything(tenants, A), await everything(tenants, B)
    contents_a = {r["id"]: r["content"] for r in stored_a}
    contents_b = {r["id"]: r["content"] for r in stored_b}
    results_a = [(r["status"], by_content(r["reason"], contents_a)) for r in together]
    results_b = [(r["status"], by_content(r["reason"], contents_b)) for r in apart]
    assert results_a == results_b
    assert store_view(stored_a) == store_view(stored_b)
    # What the history means, on either side: each later version supersedes the earlier.
    assert results_a[6:11] == [
        ("merged", "supersedes <Sam lives in Leeds.>"),
        ("merged", "supersedes <Bob is allergic to peanuts.>"),
        ("merged", "near_duplicate_of <Alice drinks green tea every morning before work.>"),
        ("merged", "supersedes <Dana's home address is 12 Oak Road, Leeds.>"),
        ("merged", "supersedes <The team meets on Mondays at ten.>"),
    ]
    assert results_a[11] == ("merged", "superseded by newer <Sam lives in York.>")
    view = store_view(stored_a)
    assert view["Sam lives in Leeds."][:3] == ("<Sam lives in York.>", None, "2026-06-01T09:00:00Z")
    # Written again, the history changes nothing: what was superseded stays so.
    again = (await tenants.post("/v1/memories", json={"memories": HISTORY}, headers=A)).json()["results"]
    assert {r["status"] for r in again} == {"unchanged"}
    assert store_view(await everything(tenants, A)) == view
    assert view["Sam's commute is by train from Leeds."][3] is True
    current = await tenants.get("/v1/memories", params={"limit": 500}, headers=A)
    assert {m["content"] for m in current.json()["memories"]} == {
        "Sam lives in York.",
        "Sam's commute is by train from Leeds.",
        "Bob is not allergic to peanuts.",
        "Alice drinks green tea each morning before work.",
        "Dana's home address is 4 Elm Street, York.",
        "The team meets on Thursdays at two.",
    }


async def test_contradictions_in_one_request_answer_with_the_current_fact(tenants: Any) -> None:
    memories = [
        fact("Bob is allergic to peanuts.", "2026-01-02T09:00:00Z", BOB),
        fact("Bob is not allergic to peanuts.", "2026-03-02T09:00:00Z", BOB),
    ]
    response = await tenants.post("/v1/memories", json={"memories": memories}, headers=A)
    first, second = response.json()["results"]
    assert (first["status"], second["status"]) == ("created", "merged")
    body = {"query": "Is Bob allergic to peanuts?", "scope": BOB, "types": ["semantic"]}
    found = (await tenants.post("/v1/retrieve", json=body, headers=A)).json()
    assert [m["content"] for m in found["memories"]] == ["Bob is not allergic to peanuts."]


def test_an_ingest_batch_resolves_as_a_sequence(tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    path.write_text("".join(json.dumps(item) + "\n" for item in HISTORY))
    data_dir = tmp_path / "data"
    command = [sys.executable, "-m", "mnemo.cli.main", "ingest", str(path), "--data-dir", str(data_dir)]
    result = subprocess.run(
        [*command, "--create", "--json"], capture_output=True, text=True, timeout=600, env=_env()
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert (summary["created"], summary["merged"]) == (6, 6)

    async def stored() -> list[dict[str, Any]]:
        index = EdgeVectorIndex(data_dir / "qdrant", "mnemo", 384)
        await index.open()
        try:
            flt = MemoryFilter(tenant="default", include_superseded=True)
            points, _ = await index.scroll(MemoryType.SEMANTIC, flt, 100)
            return [{"id": p.id, **p.payload} for p in points]
        finally:
            await index.close()

    import asyncio

    view = store_view(asyncio.run(stored()))
    assert view["Sam lives in Leeds."][0] == "<Sam lives in York.>"
    assert view["Bob is allergic to peanuts."][0] == "<Bob is not allergic to peanuts.>"
    assert (
        view["Dana's home address is 12 Oak Road, Leeds."][0]
        == "<Dana's home address is 4 Elm Street, York.>"
    )
    assert view["Sam's commute is by train from Leeds."][3] is True
