"""The write path over HTTP: pre-filter, supersede chains, fact keys, lifecycles, trigger surfacing."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import in_app_loop, semantic, write, write_results
from tests.e2e.reads.test_retrieve_http import retrieve

TEA = "Alice prefers green tea over coffee, and drinks it without any sugar."
TEA_AGAIN = "Alice prefers green tea over coffee and drinks it without sugar."
TEA_THIRD = "Alice prefers green tea over coffee; she drinks it with no sugar at all."


async def listing(client: AsyncTestClient[Any], **params: Any) -> list[dict[str, Any]]:
    return (await client.get("/v1/memories", params={"limit": 500, **params})).json()["memories"]


async def test_every_prefilter_drop_is_reported(client: AsyncTestClient[Any]) -> None:
    login = "Bob logged in from the office."
    results = await write_results(
        client,
        [
            {"type": "semantic", "content": "Alice likes tea."},  # short, but a fact: kept
            {"type": "episodic", "content": "Bob: thanks!"},
            {"type": "semantic", "content": "\u200b\u200b"},
            {"type": "episodic", "content": "Bob: I moved to Berlin last week."},
            # Another caller id: the caller says it is another memory, so it is kept.
            {"type": "episodic", "content": "Bob: I moved to Berlin last week.", "id": "other-id"},
            {"type": "episodic", "content": login, "occurred_at": "2025-01-01T10:00:00Z"},
        ],
    )
    statuses = [r["status"] for r in results]
    assert statuses == ["created", "skipped", "skipped", "created", "created", "created"]
    assert results[1]["reason"] == "filler" and results[2]["reason"] == "no_words"
    # The same event told again a few seconds later is a copy; a day later it is another event.
    again = {"type": "episodic", "content": login, "occurred_at": "2025-01-01T10:00:20Z"}
    next_day = {"type": "episodic", "content": login, "occurred_at": "2025-01-02T10:00:00Z"}
    [copy, other] = await write_results(client, [again, next_day])
    assert (copy["status"], copy["reason"]) == ("skipped", f"duplicate of {results[5]['id']}")
    assert other["status"] == "created"
    assert len(await listing(client)) == 5


async def test_prefilter_can_be_switched_off(client: AsyncTestClient[Any]) -> None:
    results = await write_results(
        client, [{"type": "semantic", "content": "Alice likes tea."}], prefilter=False
    )
    assert results[0]["status"] == "created"


async def test_near_duplicates_chain_newest_wins_and_history_is_kept(client: AsyncTestClient[Any]) -> None:
    [a] = await write_results(client, [semantic(TEA, occurred_at="2025-01-01T00:00:00Z")])
    [b] = await write_results(client, [semantic(TEA_AGAIN, occurred_at="2025-02-01T00:00:00Z")])
    [c] = await write_results(client, [semantic(TEA_THIRD, occurred_at="2025-03-01T00:00:00Z")])
    assert (b["status"], b["reason"]) == ("merged", f"near_duplicate_of {a['id']}")
    assert (c["status"], c["reason"]) == ("merged", f"near_duplicate_of {b['id']}")
    assert 0.92 <= b["similarity"] <= 1.0 and 0.92 <= c["similarity"] <= 1.0
    old = (await client.get(f"/v1/memories/{a['id']}")).json()
    assert old["superseded_by"] == b["id"]
    assert (await client.get(f"/v1/memories/{c['id']}")).json()["supersedes"] == b["id"]
    # Retrieval and listings show the current version only, unless history is asked for.
    found = await retrieve(client, query="What does Alice drink?", types=["semantic"])
    assert [m["id"] for m in found["memories"]] == [c["id"]]
    assert [m["id"] for m in await listing(client)] == [c["id"]]
    everything = await retrieve(
        client, query="What does Alice drink?", types=["semantic"], include_superseded=True
    )
    assert {m["id"] for m in everything["memories"]} == {a["id"], b["id"], c["id"]}
    assert len(await listing(client, include_superseded=True)) == 3


async def test_history_arriving_late_is_kept_as_the_older_version(client: AsyncTestClient[Any]) -> None:
    [new] = await write_results(client, [semantic(TEA, occurred_at="2025-03-01T00:00:00Z")])
    [late] = await write_results(client, [semantic(TEA_AGAIN, occurred_at="2024-01-01T00:00:00Z")])
    assert (late["status"], late["reason"]) == ("merged", f"near_duplicate_of {new['id']}")
    assert (await client.get(f"/v1/memories/{late['id']}")).json()["superseded_by"] == new["id"]
    assert [m["id"] for m in await listing(client)] == [new["id"]]


async def test_near_duplicates_in_one_request_merge_as_if_written_apart(client: AsyncTestClient[Any]) -> None:
    results = await write_results(
        client,
        [
            semantic(TEA, occurred_at="2025-01-01T00:00:00Z"),
            semantic(TEA_AGAIN, occurred_at="2025-02-01T00:00:00Z"),
        ],
    )
    # As two requests would: the first is created, the second merges into it and supersedes it.
    assert [r["status"] for r in results] == ["created", "merged"]
    assert results[1]["reason"] == f"near_duplicate_of {results[0]['id']}"
    assert [m["id"] for m in await listing(client)] == [results[1]["id"]]


async def test_a_newer_fact_with_the_same_key_supersedes_however_worded(client: AsyncTestClient[Any]) -> None:
    old = {"type": "semantic", "content": "Alice lives in Lisbon, in a flat near the river with two cats.",
           "fact_key": "alice.home", "occurred_at": "2024-05-01T00:00:00Z"}  # fmt: skip
    new = {"type": "semantic", "content": "Alice moved to Berlin for her new job at a robotics startup.",
           "fact_key": "alice.home", "occurred_at": "2025-05-01T00:00:00Z"}  # fmt: skip
    [first] = await write_results(client, [old])
    [second] = await write_results(client, [new])
    assert (second["status"], second["reason"]) == ("merged", f"supersedes {first['id']}")
    found = await retrieve(client, query="Where does Alice live?", types=["semantic"])
    assert [m["content"] for m in found["memories"]] == [new["content"]]


async def test_importance_says_who_decided(client: AsyncTestClient[Any]) -> None:
    results = await write_results(
        client,
        [
            {
                "type": "semantic",
                "content": "Remember: Alice is allergic to peanuts and carries an EpiPen.",
                "id": "h",
            },
            {
                "type": "semantic",
                "content": "The office plants get watered every second Monday morning.",
                "id": "c",
                "importance": 0.2,
            },
        ],
    )
    assert results[0]["importance_tier"] == "heuristic" and results[0]["importance"] >= 0.9
    assert (results[1]["importance_tier"], results[1]["importance"]) == ("caller", 0.2)


async def test_prospective_due_listing_complete_and_cancel(client: AsyncTestClient[Any]) -> None:
    memories = [
        {"type": "prospective", "content": "Renew Alice's passport at the consulate.", "id": "overdue",
         "due_at": "2025-03-01T09:00:00Z"},
        {"type": "prospective", "content": "Send Bob the quarterly budget report.", "id": "soon",
         "due_at": "2025-03-02T12:30:00Z"},
        {"type": "prospective", "content": "Plan the summer team offsite in Porto.", "id": "later",
         "due_at": "2025-06-01T09:00:00Z"},
    ]  # fmt: skip
    ids = {r["external_id"]: r["id"] for r in await write_results(client, memories)}
    due = await client.get(
        "/v1/prospective/due", params={"now": "2025-03-02T12:00:00Z", "within_minutes": 60}
    )
    body = due.json()
    assert [(d["memory"]["external_id"], d["overdue"]) for d in body["due"]] == [
        ("overdue", True),
        ("soon", False),
    ]

    done = await client.post(f"/v1/memories/{ids['overdue']}/complete")
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert (await client.post(f"/v1/memories/{ids['soon']}/cancel")).json()["status"] == "cancelled"
    due = await client.get(
        "/v1/prospective/due", params={"now": "2025-03-02T12:00:00Z", "within_minutes": 60}
    )
    assert due.json()["due"] == []
    assert (await client.get("/v1/prospective/due", params={"now": "2025-03-02T12:00:00"})).status_code == 422


async def test_only_prospective_memories_complete(client: AsyncTestClient[Any]) -> None:
    [r] = await write_results(
        client, [{"type": "episodic", "content": "Alice booked a table for two at 8pm."}]
    )
    response = await client.post(f"/v1/memories/{r['id']}/complete")
    assert response.status_code == 409 and response.json()["code"] == "conflict"


async def test_a_trigger_phrase_surfaces_its_intention_despite_low_similarity(
    client: AsyncTestClient[Any],
) -> None:
    await write(
        client,
        [
            {"type": "prospective", "content": "Ask about the refund for order 7781.", "trigger": "Lisbon"},
            *[
                {"type": "prospective", "content": f"Water the office plants on floor {n} before noon."}
                for n in range(1, 30)
            ],
        ],
        dedup=False,
    )
    query = "We are planning a weekend trip to Lisbon in spring"
    found = await retrieve(client, query=query, types=["prospective"], budget_tokens=40, explain=True)
    top = found["memories"][0]
    assert top["content"] == "Ask about the refund for order 7781."
    assert top["explain"]["components"]["trigger"]["value"] == 1.0
    assert abs(top["explain"]["total"] - top["score"]) < 1e-4
    # Without the phrase in the query, it has no boost.
    other = await retrieve(
        client, query="office plants", types=["prospective"], budget_tokens=40, explain=True
    )
    assert all(m["explain"]["components"]["trigger"]["value"] == 0.0 for m in other["memories"])


async def test_each_use_of_a_procedure_raises_its_rank(client: AsyncTestClient[Any]) -> None:
    drain = "To restart the API: drain the node, restart the service, undrain it."
    clear = "To restart the API: stop the service, clear the cache, start it."
    steps = [
        {"type": "procedural", "id": "a", "content": drain},
        {"type": "procedural", "id": "b", "content": clear},
    ]
    ids = {r["external_id"]: r["id"] for r in await write_results(client, steps, dedup=False)}
    query = {"query": "how do I restart the API", "types": ["procedural"], "explain": True}
    before = {m["external_id"]: m["score"] for m in (await retrieve(client, **query))["memories"]}
    for _ in range(3):
        used = await client.post(f"/v1/memories/{ids['b']}/used")
    assert used.json()["use_count"] == 3
    after = {m["external_id"]: m for m in (await retrieve(client, **query))["memories"]}
    assert after["b"]["score"] > before["b"]
    assert after["b"]["explain"]["components"]["usage"]["value"] == 0.5  # 3 / (3 + 3)
    assert after["a"]["score"] == before["a"]
    assert (await client.post(f"/v1/memories/{ids['a']}/complete")).status_code == 409


async def test_retrieval_records_access_off_the_hot_path(client: AsyncTestClient[Any]) -> None:
    [r] = await write_results(
        client, [{"type": "episodic", "content": "Alice asked about flights to Lisbon."}]
    )
    await retrieve(client, query="flights")
    await retrieve(client, query="Lisbon")
    # Noted in memory; reads show the counts before the periodic flush writes them.
    record = (await client.get(f"/v1/memories/{r['id']}")).json()
    assert record["access_count"] == 2 and record["last_accessed_at"] is not None
    listed = (await client.get("/v1/memories")).json()["memories"]
    assert [m["access_count"] for m in listed if m["id"] == r["id"]] == [2]
    access_log = client.app.state.services.access_log
    assert await in_app_loop(client, access_log.flush) >= 1  # written to Redis: counted once, not twice
    assert (await client.get(f"/v1/memories/{r['id']}")).json()["access_count"] == 2
    await retrieve(client, query="Lisbon")
    assert (await client.get(f"/v1/memories/{r['id']}")).json()["access_count"] == 3
