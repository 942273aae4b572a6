"""The write path keeps what it is told: short facts are kept, look-alike facts with other
numbers, names, due times or event times are never merged, noise is dropped with a reason, a merge
says why and can be undone."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import event, reminder, semantic, write_results, write_statuses
from tests.e2e.reads.test_retrieve_http import retrieve
from tests.e2e.writes.test_write_path_http import TEA, TEA_AGAIN, listing

SHORT_FACTS = {
    "Alice prefers green tea over coffee.": "What should I offer Alice to drink?",
    "Bob is allergic to peanuts.": "What is Bob allergic to?",
    "Eve's PIN is 4471.": "What is Eve's PIN?",
    "Frank is diabetic.": "Does Frank have a medical condition?",
}


def account_fact(n: int) -> dict[str, Any]:
    content = (
        f"Fact {n}: the customer account {n} uses the enterprise plan with SSO enabled since 20{n % 25:02d}."
    )
    return {"type": "semantic", "content": content, "id": f"account-{n}"}


async def test_short_facts_are_stored_and_retrieved_in_a_small_budget(client: AsyncTestClient[Any]) -> None:
    assert await write_statuses(client, [semantic(c) for c in SHORT_FACTS]) == ["created"] * 4
    for fact, question in SHORT_FACTS.items():
        found = await retrieve(client, query=question, budget_tokens=120)
        assert fact in found["context"], (question, found["context"])
        assert found["metadata"]["total_tokens"] <= 120


async def test_look_alike_account_facts_with_their_own_ids_are_all_kept(client: AsyncTestClient[Any]) -> None:
    facts = [account_fact(n) for n in range(1, 41)]
    assert await write_statuses(client, facts) == ["created"] * 40
    for n in (3, 17, 29, 40):
        found = await retrieve(
            client, query=f"Which plan does customer account {n} use?", types=["semantic"], budget_tokens=100
        )
        assert facts[n - 1]["content"] in found["context"], (n, found["context"])
    # Without the caller's ids they still differ in their numbers: kept, each one.
    anonymous = [semantic(f["content"].replace("customer", "client")) for f in facts]
    assert await write_statuses(client, anonymous) == ["created"] * 40
    assert len(await listing(client)) == 80


async def test_reminders_with_distinct_due_times_are_all_due(client: AsyncTestClient[Any]) -> None:
    invoices = [reminder(f"Pay invoice #100{x}", f"2025-06-{x + 1:02d}T09:00") for x in range(10)]
    # The same words at another time are another intention too.
    plants = [reminder("Water the plants.", f"2025-06-0{d}T18:00") for d in (1, 2, 3)]
    assert await write_statuses(client, invoices + plants) == ["created"] * 13
    due = (await client.get("/v1/prospective/due", params={"now": "2025-07-01T00:00:00Z"})).json()["due"]
    assert sorted(d["memory"]["content"] for d in due) == sorted(m["content"] for m in invoices + plants)


async def test_distinct_login_events_are_all_kept(client: AsyncTestClient[Any]) -> None:
    events = [
        event(f"User logged in from IP 10.0.0.{i} at 09:{i:02d}", f"2025-03-01T09:{i:02d}") for i in range(20)
    ]
    assert await write_statuses(client, events) == ["created"] * 20
    # One at a time (against the stored ones rather than inside one batch) too.
    for i, login in enumerate(events):
        again = {**login, "occurred_at": f"2025-03-02T09:{i:02d}:00Z"}  # the next day: other events
        assert await write_statuses(client, [again]) == ["created"]
    assert len(await listing(client, type="episodic")) == 40


async def test_reposting_changes_nothing_and_noise_is_skipped_with_a_reason(
    client: AsyncTestClient[Any],
) -> None:
    facts = [{"type": "semantic", "content": c} for c in SHORT_FACTS] + [account_fact(n) for n in range(5)]
    first = await write_results(client, facts)
    before = await listing(client, include_superseded=True)
    again = await write_results(client, facts)
    assert [r["status"] for r in again] == ["unchanged"] * len(facts)
    assert [r["id"] for r in again] == [r["id"] for r in first]
    assert await listing(client, include_superseded=True) == before
    noise = ["ok thanks", "Bob: sure!", "\u200b\u200b\u200b", "\u200b \ufeff \u200d", "Good morning!"]
    results = await write_results(client, [{"type": "episodic", "content": c} for c in noise])
    assert [(r["status"], r["reason"]) for r in results] == [
        ("skipped", "filler"), ("skipped", "filler"), ("skipped", "no_words"), ("skipped", "no_words"),
        ("skipped", "filler"),
    ]  # fmt: skip
    # NUL characters only: skipped, or refused naming the field (stricter input validation).
    response = await client.post(
        "/v1/memories", json={"memories": [{"type": "semantic", "content": "\x00\x00"}]}
    )
    if response.status_code == 422:
        assert "memories" in response.text and "content" in response.text
    else:
        assert response.json()["results"][0]["reason"] == "no_words"
    assert await listing(client, include_superseded=True) == before


async def test_different_caller_ids_are_never_merged(client: AsyncTestClient[Any]) -> None:
    two = [semantic(TEA, id="drink-1"), semantic(TEA_AGAIN, id="drink-2")]
    assert await write_statuses(client, two) == ["created", "created"]
    [later] = await write_results(client, [semantic(TEA_AGAIN, id="drink-3")])
    assert later["status"] == "created"


async def test_a_merge_says_why_and_restore_undoes_it(client: AsyncTestClient[Any]) -> None:
    [old] = await write_results(client, [semantic(TEA, occurred_at="2025-01-01T00:00:00Z")])
    [new] = await write_results(client, [semantic(TEA_AGAIN, occurred_at="2025-02-01T00:00:00Z")])
    assert (new["status"], new["reason"]) == ("merged", f"near_duplicate_of {old['id']}")
    assert 0.92 <= new["similarity"] <= 1.0
    assert [m["id"] for m in await listing(client)] == [new["id"]]
    assert len(await listing(client, include_superseded=True)) == 2  # nothing merged is lost

    restored = await client.post(f"/v1/memories/{old['id']}/restore")
    assert restored.status_code == 200, restored.text
    assert restored.json()["superseded_by"] is None
    assert {m["id"] for m in await listing(client)} == {old["id"], new["id"]}
    assert (await client.get(f"/v1/memories/{new['id']}")).json()["supersedes"] is None
    found = await retrieve(
        client, query="What does Alice drink?", types=["semantic"], ranking={"diversity": 0}
    )
    assert {m["id"] for m in found["memories"]} == {old["id"], new["id"]}

    again = await client.post(f"/v1/memories/{old['id']}/restore")
    assert again.status_code == 409 and again.headers["content-type"].startswith("application/problem+json")
    unknown = await client.post("/v1/memories/00000000-0000-4000-8000-000000000000/restore")
    assert unknown.status_code == 404
    assert (await client.post("/v1/memories/not-a-uuid/restore")).status_code in (404, 422)


async def test_a_negated_statement_is_an_update_not_a_copy(client: AsyncTestClient[Any]) -> None:
    allergic_fact = semantic("Bob is allergic to peanuts.", occurred_at="2025-01-01T00:00:00Z")
    negated = semantic("Bob is not allergic to peanuts.", occurred_at="2025-02-01T00:00:00Z")
    [allergic] = await write_results(client, [allergic_fact])
    [not_allergic] = await write_results(client, [negated])
    assert (not_allergic["status"], not_allergic["reason"]) == ("merged", f"supersedes {allergic['id']}")
    found = await retrieve(client, query="Is Bob allergic to peanuts?", types=["semantic"])
    assert [m["content"] for m in found["memories"]] == ["Bob is not allergic to peanuts."]


async def test_restore_is_tenant_scoped(tenants: Any) -> None:
    b = {"Authorization": "Bearer key-b"}
    memories = [
        semantic(TEA, occurred_at="2025-01-01T00:00:00Z"),
        semantic(TEA_AGAIN, occurred_at="2025-02-01T00:00:00Z"),
    ]
    response = await tenants.post("/v1/memories", json={"memories": memories}, headers=b)
    loser, winner = response.json()["results"]
    assert (loser["status"], winner["status"]) == ("created", "merged")
    other = await tenants.post(
        f"/v1/memories/{loser['id']}/restore", headers={"Authorization": "Bearer key-a"}
    )
    assert other.status_code == 404
    assert (await tenants.get(f"/v1/memories/{loser['id']}", headers=b)).json()["superseded_by"] is not None
    assert (await tenants.post(f"/v1/memories/{loser['id']}/restore", headers=b)).status_code == 200
