"""Writing, reading, listing and deleting memories over HTTP on the real app."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from mnemo.backends.tokenizer import TiktokenCounter
from tests.e2e.conftest import FACTS, write, write_results


async def test_write_then_get_round_trip(client: AsyncTestClient[Any]) -> None:
    body = await write(client, FACTS)
    assert [r["status"] for r in body["results"]] == ["created"] * 4
    assert body["results"][0]["external_id"] == "fact-1"
    record = (await client.get(f"/v1/memories/{body['results'][0]['id']}")).json()
    assert record["content"] == FACTS[0]["content"]
    assert record["type"] == "semantic" and record["scope"] == {
        "user_id": "alice",
        "agent_id": None,
        "thread_id": None,
        "namespace": None,
    }
    assert record["token_count"] == TiktokenCounter("cl100k_base").count(FACTS[0]["content"])
    assert record["token_counts"]["o200k_base"] == TiktokenCounter("o200k_base").count(FACTS[0]["content"])
    assert record["importance"] == 0.8
    prospective = (await client.get(f"/v1/memories/{body['results'][3]['id']}")).json()
    assert prospective["status"] == "pending" and prospective["trigger"] == "passport"


async def test_reposting_the_same_batch_changes_nothing(client: AsyncTestClient[Any]) -> None:
    first = await write(client, FACTS)
    second = await write(client, FACTS)
    assert [r["id"] for r in first["results"]] == [r["id"] for r in second["results"]]
    assert {r["status"] for r in second["results"]} == {"unchanged"}
    listing = (await client.get("/v1/memories", params={"limit": 100})).json()
    assert len(listing["memories"]) == 4


async def test_reposting_floats_the_engine_reads_back_a_unit_off_changes_nothing(
    client: AsyncTestClient[Any],
) -> None:
    # Floats of 17 significant digits, as computed values have: the engine's payload store reads
    # about one in ten back one unit in the last place off.
    scores = [0.9745270667453553, 0.12766383107675494, 123.45678901234568, 0.30000000000000004]
    memory = {
        "type": "semantic",
        "content": "Bob's build scores are tracked per nightly run.",
        "scope": {"user_id": "bob"},
        "importance": 0.9745270667453553,
        "metadata": {"scores": scores},
    }
    [created] = await write_results(client, [memory])
    [again] = await write_results(client, [memory])
    assert (again["id"], again["status"]) == (created["id"], "unchanged")
    history = (await client.get(f"/v1/memories/{created['id']}/history")).json()
    assert [e["action"] for e in history["entries"]] == ["created"]


async def test_reposting_a_changed_memory_with_the_same_id_updates_it(client: AsyncTestClient[Any]) -> None:
    [created] = await write_results(client, [FACTS[0]])
    changed = dict(FACTS[0], content="Alice now prefers strong black coffee in the morning, not tea.")
    [updated] = await write_results(client, [changed])
    assert updated["id"] == created["id"] and updated["status"] == "updated"
    record = (await client.get(f"/v1/memories/{created['id']}")).json()
    assert record["content"] == "Alice now prefers strong black coffee in the morning, not tea."


async def test_list_filters_and_pages_with_a_cursor(client: AsyncTestClient[Any]) -> None:
    memories = [
        {
            "type": "semantic",
            "content": f"Fact number {i} about Bob: he collects vintage fountain pens.",
            "scope": {"user_id": "bob"},
        }
        for i in range(7)
    ]
    await write(client, [*memories, *FACTS], dedup=False)  # near-identical on purpose: no merging here
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"user_id": "bob", "limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/v1/memories", params=params)).json()
        seen.extend(m["id"] for m in page["memories"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 7 == len(set(seen))
    only_semantic = (await client.get("/v1/memories", params={"type": "semantic", "limit": 100})).json()
    assert {m["type"] for m in only_semantic["memories"]} == {"semantic"}
    assert len(only_semantic["memories"]) == 8


async def test_delete_removes_the_memory(client: AsyncTestClient[Any]) -> None:
    [result] = await write_results(client, [FACTS[0]])
    assert (await client.delete(f"/v1/memories/{result['id']}")).status_code == 204
    assert (await client.get(f"/v1/memories/{result['id']}")).status_code == 404
    assert (await client.delete(f"/v1/memories/{result['id']}")).status_code == 404


async def test_health_ready_and_schema(client: AsyncTestClient[Any]) -> None:
    assert (await client.get("/health")).json() == {"status": "ok"}
    ready = await client.get("/ready")
    assert ready.status_code == 200 and ready.json()["checks"]["vectors"] is True
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/v1/retrieve" in schema["paths"] and "/v1/memories" in schema["paths"]
