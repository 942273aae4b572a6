"""What the framework adapters (client/mnemo_client/langgraph, openai_agents and their TypeScript
twins) need of the server: a plain ranking of given memories, a compare-and-append on thread
turns, a memory's metadata large enough for a store value of a megabyte, and a tenant's parallel
writes queued for its write slot rather than refused."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from litestar.testing import AsyncTestClient

from mnemo.memtypes.records import MAX_MEMORY_METADATA_JSON_CHARS
from mnemo.retrieval.store_rank import MAX_RANKED_IDS
from tests.e2e.conftest import AppFactory
from tests.e2e.live_server import LiveApp, live_app  # noqa: F401 - a fixture
from tests.e2e.requests.test_bad_input_http import assert_problem
from tests.e2e.working_and_threads.test_threads_http import history, new_thread

KEYS = "key-a-000000:alpha,key-b-000000:beta"
A, B = {"Authorization": "Bearer key-a-000000"}, {"Authorization": "Bearer key-b-000000"}


async def write(
    client: AsyncTestClient[Any], memories: list[dict[str, Any]], headers: Any = None
) -> list[str]:
    body = {"memories": memories, "prefilter": False, "dedup": False}
    response = await client.post("/v1/memories", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return [r["id"] for r in response.json()["results"]]


async def rank(client: AsyncTestClient[Any], headers: Any = None, **body: Any) -> Any:
    return await client.post("/v1/memories/rank", json={"type": "semantic", **body}, headers=headers)


async def test_a_rank_scores_every_given_memory_however_alike(app_client: AppFactory) -> None:
    async with app_client(api_keys=KEYS) as client:
        near = [{"type": "semantic", "content": f"test document number {i}"} for i in range(5)]
        ids = await write(client, near, A)
        [far] = await write(client, [{"type": "semantic", "content": "the tide tables of Lisbon"}], A)
        [theirs] = await write(client, [{"type": "semantic", "content": "test document number 9"}], B)

        every = (await rank(client, A, query="test document", ids=[*ids, far, theirs], limit=10)).json()
        got = [h["id"] for h in every["hits"]]
        assert sorted(got) == sorted([*ids, far]) and got[-1] == far  # another tenant's id: left out
        scores = [h["score"] for h in every["hits"]]
        assert scores == sorted(scores, reverse=True) and all(-1.0 <= s <= 1.0 for s in scores)
        # A text ranked by itself: its cosine is 1, never a float32 hair over it.
        [same] = await write(client, [{"type": "semantic", "content": "hello"}], A)
        [hit] = (await rank(client, A, query="hello", ids=[same])).json()["hits"]
        assert 0.99 <= hit["score"] <= 1.0

        pages = [
            (await rank(client, A, query="test", ids=ids, limit=2, offset=o)).json()["hits"]
            for o in (0, 2, 4)
        ]
        assert [len(p) for p in pages] == [2, 2, 1]
        assert sorted(h["id"] for p in pages for h in p) == sorted(ids)


async def test_a_rank_refuses_what_it_cannot_answer(client: AsyncTestClient[Any]) -> None:
    some = "00000000-0000-4000-8000-000000000000"
    assert_problem(await rank(client, query="q", ids=[]), 422, "ids")
    assert_problem(await rank(client, query="  ", ids=[some]), 422, "query")
    assert_problem(await rank(client, query="q", ids=["not-a-uuid"]), 422, "ids")
    assert_problem(await rank(client, query="q", ids=[some] * (MAX_RANKED_IDS + 1)), 422, "ids")
    assert_problem(await rank(client, query="q", ids=[some], type="nonsense"), 422, "type")
    assert (await rank(client, query="q", ids=[some])).json() == {"hits": []}


async def test_a_compare_and_append_lets_one_of_two_writers_act(client: AsyncTestClient[Any]) -> None:
    thread = await new_thread(client)
    turns = f"/v1/threads/{thread}/turns"
    first = await client.post(turns, json={"role": "user", "content": "hello", "if_last_seq": 0})
    assert first.status_code == 201 and first.json()["seq"] == 1
    both = await asyncio.gather(
        *(
            client.post(turns, json={"role": "system", "content": f"pop {i}", "if_last_seq": 1})
            for i in range(2)
        )
    )
    assert sorted(r.status_code for r in both) == [201, 409]
    assert_problem(next(r for r in both if r.status_code == 409), 409)
    stale = await client.post(turns, json={"role": "user", "content": "late", "if_last_seq": 1})
    assert_problem(stale, 409)
    assert [t["seq"] for t in (await history(client, thread, 10_000))["turns"]] == [1, 2]
    # A refused append leaves no episodic memory of its turn behind.
    listed = (await client.get("/v1/memories", params={"thread_id": thread, "type": "episodic"})).json()
    assert len(listed["memories"]) == 2
    assert_problem(await client.post(turns, json={"role": "user", "content": "x", "if_last_seq": -1}), 422)


async def test_a_memory_keeps_a_megabyte_of_metadata(client: AsyncTestClient[Any]) -> None:
    value = '{"rows":[' + ",".join(f'{{"i":{i}}}' for i in range(120_000)) + "]}"
    assert len(value) > 1_000_000
    memory = {
        "type": "semantic",
        "content": "a large store value",
        "metadata": {"langgraph": {"value_json": value}},
    }
    [memory_id] = await write(client, [memory])
    read = (await client.get(f"/v1/memories/{memory_id}")).json()
    assert read["metadata"]["langgraph"]["value_json"] == value
    too_big = {**memory, "metadata": {"v": "x" * MAX_MEMORY_METADATA_JSON_CHARS}}
    response = await client.post("/v1/memories", json={"memories": [too_big]})
    assert_problem(response, 422, "metadata")


async def test_a_frameworks_parallel_writes_wait_for_the_write_slot(live_app: LiveApp) -> None:  # noqa: F811
    # The default bounds: one write of the tenant at a time; 32 at once is a graph's superstep.
    async with live_app(api_keys=KEYS) as (url, _), httpx.AsyncClient(base_url=url, timeout=120) as http:
        bodies = [{"memories": [{"type": "semantic", "content": f"node {n} wrote this"}]} for n in range(32)]
        answers = await asyncio.gather(*(http.post("/v1/memories", json=b, headers=A) for b in bodies))
        assert [r.status_code for r in answers] == [201] * 32, [
            r.text for r in answers if r.status_code != 201
        ]
