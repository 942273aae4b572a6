"""Conversation threads over HTTP on the real app and a real Redis."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from mnemo.backends.redis.keys import KeySpace
from mnemo.backends.tokenizer import TiktokenCounter
from mnemo.sessions.threads import MAX_CHAIN_DEPTH
from tests.e2e.conftest import AppFactory

CL100K = TiktokenCounter("cl100k_base")


async def new_thread(client: AsyncTestClient[Any], parent: str | None = None) -> str:
    response = await client.post("/v1/threads", json={"parent_thread_id": parent} if parent else {})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def say(
    client: AsyncTestClient[Any], thread: str, role: str, content: str, **kw: Any
) -> dict[str, Any]:
    response = await client.post(f"/v1/threads/{thread}/turns", json={"role": role, "content": content, **kw})
    assert response.status_code == 201, response.text
    return response.json()


async def history(client: AsyncTestClient[Any], thread: str, budget: int | None = None) -> dict[str, Any]:
    params = {"budget_tokens": budget} if budget else {}
    response = await client.get(f"/v1/threads/{thread}/history", params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_chain_history_is_chronological_and_within_budget(client: AsyncTestClient[Any]) -> None:
    root = await new_thread(client)
    await say(client, root, "user", "Plan a trip to Lisbon in May.")
    await say(client, root, "assistant", "Sure: flights, a hotel, and a day trip to Sintra?")
    child = await new_thread(client, root)
    await say(client, child, "user", "Only the hotel for now, near the river.")
    await say(client, child, "assistant", "Three hotels by the Tagus fit your dates.")

    full = await history(client, child)
    assert [t["content"][:5] for t in full["turns"]] == ["Plan ", "Sure:", "Only ", "Three"]
    assert full["metadata"]["chain"] == [child, root]
    assert full["metadata"]["trimmed_count"] == 0
    assert full["context"].startswith("## Conversation\nuser: Plan a trip")
    assert full["metadata"]["total_tokens"] == CL100K.count(full["context"])

    # Under a tight budget: the newest turns that fit, still shown oldest first, never over budget.
    for budget in range(1, full["metadata"]["total_tokens"] + 1):
        part = await history(client, child, budget)
        assert CL100K.count(part["context"]) == part["metadata"]["total_tokens"] <= budget
        kept = [t["content"] for t in part["turns"]]
        assert kept == [t["content"] for t in full["turns"]][len(full["turns"]) - len(kept) :]
        assert part["metadata"]["trimmed_count"] == 4 - len(kept)


async def test_files_are_listed_once_with_the_newest_reference(client: AsyncTestClient[Any]) -> None:
    thread = await new_thread(client)
    await say(client, thread, "user", "Look at the parser.", files=["src/parser.py", "README.md"])
    await say(client, thread, "assistant", "The parser has a bug on line 3.", files=["src/parser.py"])
    await say(client, thread, "user", "And the tests?", files=["tests/test_parser.py"])
    body = await history(client, thread)
    assert body["files"] == [
        {"path": "README.md", "thread_id": thread, "seq": 1},
        {"path": "src/parser.py", "thread_id": thread, "seq": 2},
        {"path": "tests/test_parser.py", "thread_id": thread, "seq": 3},
    ]
    assert body["context"].count("src/parser.py") == 1
    assert body["context"].startswith("## Files\n- README.md\n- src/parser.py\n- tests/test_parser.py\n")


async def test_fifty_concurrent_turns_lose_nothing(client: AsyncTestClient[Any]) -> None:
    thread = await new_thread(client)
    contents = [f"Message {i} in a busy thread." for i in range(50)]
    turns = await asyncio.gather(*(say(client, thread, "user", c) for c in contents))
    assert sorted(t["seq"] for t in turns) == list(range(1, 51))
    body = await history(client, thread, 100_000)
    assert [t["seq"] for t in body["turns"]] == list(range(1, 51))
    assert sorted(t["content"] for t in body["turns"]) == sorted(contents)
    by_seq = {t["seq"]: t["content"] for t in turns}
    assert all(by_seq[t["seq"]] == t["content"] for t in body["turns"])


async def test_turns_are_episodic_memories_and_refresh_the_ttl(
    app_client: AppFactory, redis_client: Redis, redis_keys: KeySpace
) -> None:
    async with app_client(threads={"ttl_s": 600}) as client:
        thread = await new_thread(client)
        key, turns_key = redis_keys.thread("default", thread), redis_keys.thread_turns("default", thread)
        await say(client, thread, "user", "Remember that the deploy key rotates monthly.")
        await redis_client.pexpire(key, 5_000)
        await redis_client.pexpire(turns_key, 5_000)
        await say(client, thread, "assistant", "Noted: the deploy key rotates every month.")
        assert await redis_client.pttl(key) > 500_000 and await redis_client.pttl(turns_key) > 500_000

        listing = (await client.get("/v1/memories", params={"type": "episodic", "thread_id": thread})).json()
        contents = sorted(m["content"] for m in listing["memories"])
        assert contents == [
            "assistant: Noted: the deploy key rotates every month.",
            "user: Remember that the deploy key rotates monthly.",
        ]
        # Still searchable once the thread itself is gone from Redis.
        await redis_client.delete(key, turns_key)
        assert (await client.get(f"/v1/threads/{thread}/history")).status_code == 404
        found = (await client.post("/v1/retrieve", json={"query": "when does the deploy key rotate?"})).json()
        assert any(m["content"].startswith("user: Remember") for m in found["memories"])


async def test_chain_walk_survives_a_cycle_and_stops_at_the_depth_limit(
    client: AsyncTestClient[Any], redis_client: Redis, redis_keys: KeySpace
) -> None:
    first = await new_thread(client)
    second = await new_thread(client, first)
    await say(client, first, "user", "First thread.")
    await say(client, second, "user", "Second thread.")
    # The API cannot make a cycle (parents must exist first); corrupt the stored chain to make one.
    key = redis_keys.thread("default", first)
    stored = json.loads(await redis_client.get(key))
    await redis_client.set(key, json.dumps(dict(stored, parent_thread_id=second)), keepttl=True)
    body = await history(client, second)
    assert body["metadata"]["chain"] == [second, first] and body["metadata"]["cycle_detected"]
    assert [t["content"] for t in body["turns"]] == ["First thread.", "Second thread."]

    chain = [await new_thread(client)]
    for _ in range(MAX_CHAIN_DEPTH + 4):
        chain.append(await new_thread(client, chain[-1]))
        await say(client, chain[-1], "user", f"Turn in thread {len(chain)}.")
    deep = await history(client, chain[-1])
    assert len(deep["metadata"]["chain"]) == MAX_CHAIN_DEPTH and deep["metadata"]["depth_limited"]
    assert deep["metadata"]["chain"] == chain[::-1][:MAX_CHAIN_DEPTH]
    assert not deep["metadata"]["cycle_detected"]


async def test_unknown_and_malformed_threads(client: AsyncTestClient[Any]) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    assert (await client.get(f"/v1/threads/{missing}/history")).status_code == 404
    turn = {"role": "user", "content": "hello"}
    assert (await client.post(f"/v1/threads/{missing}/turns", json=turn)).status_code == 404
    assert (await client.post("/v1/threads", json={"parent_thread_id": missing})).status_code == 404
    for bad in ["not-a-uuid", "*", "x" * 10_000]:  # no route takes them: thread ids are UUIDs
        response = await client.post(f"/v1/threads/{bad}/turns", json=turn)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    bad_parent = await client.post("/v1/threads", json={"parent_thread_id": "x*"})
    assert bad_parent.status_code == 422
    thread = await new_thread(client)
    for body in [
        {"role": "robot", "content": "x"},
        {"role": "user", "content": "  "},
        {"role": "user", "content": "x", "files": ["a\nb"]},
    ]:
        assert (await client.post(f"/v1/threads/{thread}/turns", json=body)).status_code == 422
    assert (await client.get(f"/v1/threads/{thread}/history", params={"budget_tokens": 0})).status_code == 422


async def test_a_thread_id_of_the_callers_is_created_once_and_answered_as_it_is(
    client: AsyncTestClient[Any],
) -> None:
    chosen = "5f0c4a56-2a8e-5a54-9d7e-0c6a3e4b9f11"
    body = {"id": chosen, "scope": {"user_id": "alice"}}
    first = await client.post("/v1/threads", json=body)
    assert first.status_code == 201 and first.json()["id"] == chosen, first.text
    await say(client, chosen, "user", "My name is Alice.")
    again = await client.post("/v1/threads", json=body)
    assert again.status_code == 201 and again.json()["created_at"] == first.json()["created_at"]
    assert [t["content"] for t in (await history(client, chosen))["turns"]] == ["My name is Alice."]
    someone_else = await client.post("/v1/threads", json={"id": chosen, "scope": {"user_id": "bob"}})
    assert someone_else.status_code == 409 and someone_else.json()["code"] == "conflict"
    not_a_uuid = await client.post("/v1/threads", json={"id": "user_123"})
    assert not_a_uuid.status_code == 422 and "id" in not_a_uuid.text
