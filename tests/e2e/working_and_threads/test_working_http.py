"""Working memory over HTTP on the real app and a real Redis: append, read, evict, clear, expire."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from mnemo.backends.redis.keys import KeySpace
from mnemo.backends.tokenizer import TiktokenCounter
from tests.e2e.conftest import AppFactory

CL100K = TiktokenCounter("cl100k_base")


async def append(client: AsyncTestClient[Any], task: str, content: str, **fields: Any) -> dict[str, Any]:
    response = await client.post(f"/v1/working/{task}/items", json={"content": content, **fields})
    assert response.status_code == 201, response.text
    return response.json()


async def archived(client: AsyncTestClient[Any], task: str) -> list[dict[str, Any]]:
    listing = (await client.get("/v1/memories", params={"type": "working", "limit": 500})).json()
    return [m for m in listing["memories"] if m["task_id"] == task]


async def wait_for(predicate: Any, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not await predicate():
        if time.monotonic() > deadline:
            pytest.fail("condition not reached in time")
        await asyncio.sleep(0.1)


async def test_append_read_and_clear_archives_with_cleared_at(
    client: AsyncTestClient[Any], redis_client: Redis, redis_keys: KeySpace
) -> None:
    contents = ["Find three flights to Lisbon.", "Alice prefers a window seat.", "Budget is 400 EUR."]
    for i, content in enumerate(contents):
        body = await append(client, "trip-42", content, priority=i, metadata={"step": i})
        assert body["item"]["seq"] == i + 1
        assert body["item"]["tokens"] == CL100K.count(content)
    view = (await client.get("/v1/working/trip-42")).json()
    assert [i["content"] for i in view["items"]] == contents[::-1]  # newest first
    assert view["total_tokens"] == sum(CL100K.count(c) for c in contents)
    assert await redis_client.exists(redis_keys.working("default", "trip-42")) == 1

    cleared = await client.delete("/v1/working/trip-42")
    assert cleared.status_code == 200
    assert cleared.json() == {"task_id": "trip-42", "archived": 3, "replication": None}
    assert (await client.get("/v1/working/trip-42")).json()["items"] == []
    assert await redis_client.exists(redis_keys.working("default", "trip-42")) == 0
    records = await archived(client, "trip-42")
    assert sorted(r["content"] for r in records) == sorted(contents)
    for record in records:
        assert record["cleared_at"] is not None and record["metadata"]["reason"] == "cleared"
        assert record["metadata"]["item"] == {"step": record["metadata"]["seq"] - 1}
    # Clearing again archives nothing more and is not an error.
    assert (await client.delete("/v1/working/trip-42")).json()["archived"] == 0


async def test_fifty_concurrent_appends_lose_nothing(client: AsyncTestClient[Any]) -> None:
    contents = [f"Observation number {i} from the crawler." for i in range(50)]
    bodies = await asyncio.gather(*(append(client, "crawl", c) for c in contents))
    view = (await client.get("/v1/working/crawl")).json()
    assert len(view["items"]) == 50
    assert sorted(i["content"] for i in view["items"]) == sorted(contents)
    # Each append got its own position; the list is exactly those positions, newest first, in the
    # order the appends were serialized (creation times never go backwards).
    assert sorted(b["item"]["seq"] for b in bodies) == list(range(1, 51))
    assert [i["seq"] for i in view["items"]] == list(range(50, 0, -1))
    by_seq = {b["item"]["seq"]: b["item"]["content"] for b in bodies}
    assert all(by_seq[i["seq"]] == i["content"] for i in view["items"])
    stamps = [datetime.fromisoformat(i["created_at"]) for i in view["items"]]
    assert stamps == sorted(stamps, reverse=True)


async def test_eviction_takes_lowest_priority_then_oldest_and_flushes_to_episodic(
    app_client: AppFactory,
) -> None:
    items = [
        ("alpha", "Alpha: the user wants a hotel near the river.", 5),
        ("bravo", "Bravo: the hotel search API returned nothing useful.", 1),
        ("charlie", "Charlie: the user mentioned a dog travelling along.", 5),
        ("delta", "Delta: the pet policy page was slow to load today.", 1),
        ("echo", "Echo: booking must be confirmed before Friday noon.", 9),
    ]
    sizes = sorted(CL100K.count(text) for _, text, _ in items)
    limit = sum(sizes[-3:])
    assert sum(sizes[:4]) > limit  # any three items fit, no four do: each 4th evicts exactly one
    async with app_client(working={"max_tokens": limit}) as client:
        evicted: list[list[str]] = []
        for _, text, priority in items:
            body = await append(client, "hotel", text, priority=priority)
            evicted.append([e["content"].split(":")[0].lower() for e in body["evicted"]])
            assert body["total_tokens"] <= limit
        # Lowest priority first (bravo and delta have 1), and among equals the oldest.
        assert evicted == [[], [], [], ["bravo"], ["delta"]]
        view = (await client.get("/v1/working/hotel")).json()
        assert [i["content"].split(":")[0] for i in view["items"]] == ["Echo", "Charlie", "Alpha"]

        episodic = (await client.get("/v1/memories", params={"type": "episodic"})).json()["memories"]
        summaries = [m for m in episodic if m["metadata"].get("source") == "working_memory_eviction"]
        assert len(summaries) == 2 and all(m["task_id"] == "hotel" for m in summaries)
        joined = "\n".join(m["content"] for m in summaries)
        assert "(priority 1) Bravo: the hotel search API returned nothing useful." in joined
        assert "(priority 1) Delta: the pet policy page was slow to load today." in joined
        kept = {r["content"] for r in await archived(client, "hotel")}
        assert kept == {items[1][1], items[3][1]}  # the evicted items, whole, in the archive
        found = (
            await client.post("/v1/retrieve", json={"query": "what did the hotel search API return?"})
        ).json()
        assert any("Bravo" in m["content"] for m in found["memories"] if m["type"] == "episodic")


async def test_an_item_over_the_task_limit_is_refused(app_client: AppFactory) -> None:
    async with app_client(working={"max_tokens": 5}) as client:
        response = await client.post(
            "/v1/working/t/items", json={"content": "far too many words for a five token limit here"}
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "content"


async def test_ttl_is_refreshed_on_write_and_expiry_archives(
    app_client: AppFactory, redis_client: Redis, redis_keys: KeySpace
) -> None:
    ttl = 2.0
    async with app_client(working={"ttl_s": ttl, "sweep_interval_s": 0.1}) as client:
        first = await append(client, "short", "First note of a short task.")
        await asyncio.sleep(ttl * 0.6)
        second = await append(client, "short", "Second note of a short task.")
        gap = datetime.fromisoformat(second["expires_at"]) - datetime.fromisoformat(first["expires_at"])
        assert gap.total_seconds() >= ttl * 0.6
        await asyncio.sleep(ttl * 0.6)  # past the first expiry time: only the refresh keeps it alive
        view = (await client.get("/v1/working/short")).json()
        assert len(view["items"]) == 2 and view["expires_at"] == second["expires_at"]

        key = redis_keys.working("default", "short")

        async def archived_and_gone() -> bool:
            return len(await archived(client, "short")) == 2 and not await redis_client.exists(key)

        await wait_for(archived_and_gone)
        records = await archived(client, "short")
        assert {r["metadata"]["reason"] for r in records} == {"expired"}
        assert {r["cleared_at"] for r in records} == {second["expires_at"]}
        assert (await client.get("/v1/working/short")).json()["items"] == []
        assert await redis_client.zcard(redis_keys.working_deadlines_of("default", "short")) == 0


async def test_an_expired_task_is_archived_by_the_next_write_even_before_a_sweep(
    app_client: AppFactory,
) -> None:
    async with app_client(working={"ttl_s": 1.0, "sweep_interval_s": 3600}) as client:
        await append(client, "lapsed", "Written before the task lapsed.")
        await asyncio.sleep(1.2)
        assert (await client.get("/v1/working/lapsed")).json()["items"] == []
        await append(client, "lapsed", "Written after it lapsed.")
        view = (await client.get("/v1/working/lapsed")).json()
        assert [i["content"] for i in view["items"]] == ["Written after it lapsed."]
        assert view["items"][0]["seq"] == 1
        [record] = await archived(client, "lapsed")
        assert record["content"] == "Written before the task lapsed."
        assert record["metadata"]["reason"] == "expired"


async def test_a_held_lock_gives_a_prompt_409_never_a_hang(
    app_client: AppFactory, redis_client: Redis, redis_keys: KeySpace
) -> None:
    async with app_client(redis={"lock_wait_s": 0.3}) as client:
        lock_key = redis_keys.lock("default", "working", "busy")
        await redis_client.set(lock_key, "someone-else", px=30_000)
        started = time.monotonic()
        response = await client.post("/v1/working/busy/items", json={"content": "Blocked write."})
        assert time.monotonic() - started < 3
        assert response.status_code == 409
        assert response.json()["code"] == "lock_timeout"
        assert response.headers["retry-after"] == "1"
        assert (await client.delete("/v1/working/busy")).status_code == 409
        await redis_client.delete(lock_key)
        await append(client, "busy", "Unblocked write.")


async def test_retrieve_puts_working_memory_first_newest_first_under_its_own_budget(
    client: AsyncTestClient[Any],
) -> None:
    await client.post(
        "/v1/memories",
        json={
            "memories": [
                {
                    "type": "semantic",
                    "content": "Alice prefers green tea over coffee, and drinks it without sugar.",
                }
            ]
        },
    )
    notes = [f"Step {i}: checked supplier number {i} for green tea prices." for i in range(6)]
    for note in notes:
        await append(client, "tea", note)
    line_tokens = CL100K.count(f"- {notes[0]}\n")
    header = CL100K.count("## Working memory\n")
    working_budget = header + 3 * line_tokens  # room for the three newest notes only
    response = await client.post(
        "/v1/retrieve",
        json={
            "query": "green tea",
            "budget_tokens": 100,
            "task_id": "tea",
            "working_budget_tokens": working_budget,
        },
    )
    body = response.json()
    context, meta = body["context"], body["metadata"]
    assert context.startswith("## Working memory\n- Step 5:")
    working_section = context.split("## Semantic memory")[0]
    assert [line[2:8] for line in working_section.splitlines()[1:]] == ["Step 5", "Step 4", "Step 3"]
    assert "Alice prefers green tea" in context  # the main budget is separate and still used
    assert meta["working_budget"] == working_budget and meta["budget"] == 100
    assert meta["per_type"]["working"] == {
        "share": working_budget,
        "redistributed": 0,
        "tokens": CL100K.count(working_section),
        "count": 3,
        "trimmed": 3,
    }
    assert meta["total_tokens"] == CL100K.count(context) <= 100 + working_budget
    assert sum(t["tokens"] for t in meta["per_type"].values()) == meta["total_tokens"]
    assert [m["type"] for m in body["memories"][:3]] == ["working"] * 3
    assert meta["degraded"] == []

    # Without task_id, nothing of the task shows; the default working budget applies when unset.
    plain = (await client.post("/v1/retrieve", json={"query": "green tea", "budget_tokens": 100})).json()
    assert "Working memory" not in plain["context"] and "working" not in plain["metadata"]["per_type"]
    default = (await client.post("/v1/retrieve", json={"query": "tea", "task_id": "tea"})).json()
    assert default["metadata"]["working_budget"] == 500
    assert default["metadata"]["per_type"]["working"]["count"] == 6


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"query": "q", "working_budget_tokens": 50}, "working_budget_tokens"),
        ({"query": "q", "task_id": "t", "types": ["working"]}, "types"),
        ({"query": "q", "task_id": "a*b"}, "task_id"),
        ({"query": "q", "task_id": "t", "working_budget_tokens": 0}, "working_budget_tokens"),
    ],
)
async def test_bad_working_retrievals(client: AsyncTestClient[Any], body: dict[str, Any], field: str) -> None:
    response = await client.post("/v1/retrieve", json=body)
    assert response.status_code == 422
    assert any(field in e["field"] for e in response.json()["errors"])
