"""Time and truth over HTTP, on the real app, Qdrant Edge and MiniLM: validity times, `invalidate`,
`supersedes` by caller id, `as_of` (what was true / what was known), current by default with what
is left out counted, and what depends on what (stale marking, the review feed, forget reaching
what was derived)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import write, write_results

SAM = {"user_id": "sam"}


def fact(content: str, at: str, **fields: Any) -> dict[str, Any]:
    return {"type": "semantic", "content": content, "occurred_at": at, "scope": SAM, **fields}


async def listing(client: AsyncTestClient[Any], **params: Any) -> dict[str, Any]:
    response = await client.get("/v1/memories", params={"user_id": "sam", "limit": 100, **params})
    assert response.status_code == 200, response.text
    return dict(response.json())


def contents(page: dict[str, Any]) -> set[str]:
    return {m["content"] for m in page["memories"]}


async def retrieve(client: AsyncTestClient[Any], query: str, **body: Any) -> dict[str, Any]:
    request = {"query": query, "scope": SAM, "types": ["semantic"], "min_confidence": 0, **body}
    response = await client.post("/v1/retrieve", json=request)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_current_by_default_and_as_of_either_view(client: AsyncTestClient[Any]) -> None:
    await write(client, [fact("Sam lives in Leeds.", "2025-01-01T09:00:00Z", fact_key="sam.home")])
    learned_leeds = datetime.now(UTC).isoformat()
    await asyncio.sleep(0.05)
    moved = fact("Sam lives in York.", "2026-06-01T09:00:00Z", fact_key="sam.home")
    promo = fact(
        "Sam's gym pass gives free classes.", "2025-01-01T09:00:00Z", valid_until="2025-03-01T00:00:00Z"
    )
    await write(client, [moved, promo])

    current = await listing(client)
    assert contents(current) == {"Sam lives in York."}
    assert current["left_out"] == {"superseded": 1, "expired": 1, "not_yet_valid": 0}
    # What was true in February 2025, as far as mnemo knows now: Leeds, and the gym pass.
    then = await listing(client, as_of="2025-02-01T00:00:00Z")
    assert contents(then) == {"Sam lives in Leeds.", "Sam's gym pass gives free classes."}
    assert then["left_out"] is None
    assert contents(await listing(client, as_of="2026-07-01T00:00:00Z")) == {"Sam lives in York."}
    # What mnemo held current just after it learned of Leeds: Leeds alone (York came later).
    known = await listing(client, as_of=learned_leeds, as_of_view="known")
    assert contents(known) == {"Sam lives in Leeds."}

    found = await retrieve(client, "Where does Sam live?", explain=True)
    assert [m["content"] for m in found["memories"]] == ["Sam lives in York."]
    left = {m["content"]: m["reason"] for m in found["left_out"]}
    assert left["Sam lives in Leeds."] == "superseded"
    past = await retrieve(client, "Where does Sam live?", as_of={"at": "2025-06-01T00:00:00Z"})
    assert [m["content"] for m in past["memories"]] == ["Sam lives in Leeds."]
    searched = await client.get("/v1/memories/search", params={"q": "Where does Sam live?", "user_id": "sam"})
    assert [h["memory"]["content"] for h in searched.json()["hits"]] == ["Sam lives in York."]
    assert searched.json()["left_out"]["superseded"] == 1


async def test_the_ends_of_validity_are_checked(client: AsyncTestClient[Any]) -> None:
    backwards = fact("Sam lives in Hull.", "2025-01-01T09:00:00Z", valid_from="2025-05-01T00:00:00Z",
                     valid_until="2025-04-01T00:00:00Z")  # fmt: skip
    response = await client.post("/v1/memories", json={"memories": [backwards]})
    assert response.status_code == 422
    assert "valid_until must be later than valid_from" in response.text
    response = await client.get("/v1/memories", params={"as_of": "yesterday"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "as_of"
    future = fact("Sam will live in Bath.", "2026-01-01T09:00:00Z", valid_from="2099-01-01T00:00:00Z")
    await write(client, [future])
    assert (await listing(client))["left_out"]["not_yet_valid"] == 1
    assert contents(await listing(client, as_of="2099-02-01T00:00:00Z")) == {"Sam will live in Bath."}


async def test_invalidate_supersedes_and_what_depends_on_it(client: AsyncTestClient[Any]) -> None:
    base = fact("Sam works at the Leeds office.", "2026-01-01T09:00:00Z", id="sam-job")
    commute = fact(
        "Sam takes the 8:05 train to Leeds.", "2026-01-02T09:00:00Z", depends_on=["sam-job"], id="sam-train"
    )
    season = fact(
        "Sam's season ticket covers the Leeds line.", "2026-01-03T09:00:00Z", depends_on=["sam-train"]
    )
    written = await write_results(client, [base, commute, season])
    job, train, ticket = (r["id"] for r in written)
    assert (await client.get(f"/v1/memories/{ticket}")).json()["depends_on"] == [train]

    response = await client.post(f"/v1/memories/{job}/invalidate", json={"reason": "Sam left the company"})
    assert response.status_code == 200, response.text
    ended = response.json()
    assert ended["memory"]["invalidation_reason"] == "Sam left the company"
    assert ended["stale"] == [train, ticket]  # transitively
    history = (await client.get(f"/v1/memories/{job}/history")).json()["entries"]
    assert (history[-1]["action"], history[-1]["reason"]) == ("invalidated", "Sam left the company")
    assert job not in {m["id"] for m in (await listing(client))["memories"]}
    assert (await client.get(f"/v1/memories/{job}")).status_code == 200  # kept, not deleted

    feed = (await client.get("/v1/memories/stale")).json()["memories"]
    assert {m["id"]: m["stale_cause"] for m in feed} == {
        train: f"depends on {job}: invalidated: Sam left the company",
        ticket: f"depends on {train}: stale",
    }
    found = await retrieve(client, "How does Sam get to work?")
    flagged = {m["id"]: (m["stale"], m["stale_cause"]) for m in found["memories"]}
    assert flagged[train][0] is True
    assert (await client.post(f"/v1/memories/{ticket}/confirm")).status_code == 200
    assert [m["id"] for m in (await client.get("/v1/memories/stale")).json()["memories"]] == [train]
    assert (await client.post(f"/v1/memories/{ticket}/confirm")).status_code == 409

    # A new fact naming what it replaces, by the caller's id: the old one's validity ends there.
    new_job = fact("Sam works at the York office.", "2026-02-01T09:00:00Z", supersedes=["sam-job"])
    [result] = await write_results(client, [new_job])
    assert (result["status"], result["reason"]) == ("merged", f"supersedes {job}")
    old = (await client.get(f"/v1/memories/{job}")).json()
    assert old["superseded_by"] == result["id"] and old["superseded_at"] is not None


async def test_deleting_marks_dependents_stale_and_forget_reaches_them(client: AsyncTestClient[Any]) -> None:
    note = fact("Sam's manager is Priya.", "2026-01-01T09:00:00Z", id="manager")
    summary = fact("Sam reports weekly to Priya.", "2026-01-02T09:00:00Z", depends_on=["manager"])
    digest = fact(
        "Priya gets Sam's weekly summary on Fridays.", "2026-01-03T09:00:00Z", depends_on=["manager"]
    )
    manager, reports, fridays = (r["id"] for r in await write_results(client, [note, summary, digest]))
    assert (await client.delete(f"/v1/memories/{reports}")).status_code == 204
    assert (await client.get(f"/v1/memories/{manager}")).json()["stale"] is False  # it depends on nothing
    receipt = (await client.post("/v1/forget", json={"ids": [manager]})).json()
    assert receipt["memory_ids"] == sorted([manager, fridays])
    assert receipt["derived_ids"] == [fridays]
    assert (await client.get(f"/v1/memories/{fridays}")).status_code == 404


async def test_a_reminder_completed_later_was_pending_then(client: AsyncTestClient[Any]) -> None:
    reminder = {"type": "prospective", "content": "Renew Sam's passport.", "due_at": "2026-01-10T09:00:00Z"}
    [written] = await write_results(client, [reminder])
    before = datetime.now(UTC).isoformat()
    await asyncio.sleep(0.05)
    assert (await client.post(f"/v1/memories/{written['id']}/complete")).status_code == 200
    due_now = (await client.get("/v1/prospective/due")).json()["due"]
    assert due_now == []
    then = {"now": before, "as_of": before}
    due_then = (await client.get("/v1/prospective/due", params=then)).json()["due"]
    assert [d["memory"]["id"] for d in due_then] == [written["id"]]


async def test_a_restored_memory_is_current_again_and_stays_invalidated_if_it_was(
    client: AsyncTestClient[Any],
) -> None:
    old = fact("Sam lives in Leeds.", "2025-01-01T09:00:00Z", fact_key="sam.home")
    new = fact("Sam lives in York.", "2026-06-01T09:00:00Z", fact_key="sam.home")
    leeds, _ = (r["id"] for r in await write_results(client, [old, new]))
    restored = (await client.post(f"/v1/memories/{leeds}/restore")).json()
    assert (restored["superseded_by"], restored["superseded_at"], restored["valid_until"]) == (
        None,
        None,
        None,
    )
    assert "Sam lives in Leeds." in contents(await listing(client))
    gone = await client.post(f"/v1/memories/{leeds}/invalidate", json={"reason": "moved away"})
    assert gone.json()["memory"]["valid_until"] is not None
    assert "Sam lives in Leeds." not in contents(await listing(client))
