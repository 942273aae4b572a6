"""What the explorer asks of the API, over HTTP against the real app: a retrieval with
`explain` lists every candidate it left out and why (over budget, type share used up, merged as a
duplicate, below the `min_score` floor) with scores; and the search over a tenant's memories."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import FACTS, A, B, write

NOW = "2025-03-02T12:00:00Z"
TEA = FACTS[0]["content"]
# A near copy of TEA (most of its words): the rank stage keeps the better-scored one and drops the other.
TEA_AGAIN = "Alice prefers green tea over coffee, and she drinks it without sugar."
# Off-topic turns, each in its own words (near copies would be merged), that fill an episodic share.
CHATTER = [
    "Bob spent the whole afternoon repairing the garden fence after the storm knocked two posts over.",
    "The neighbours organised a street party with a brass band, lanterns and a long table of pies.",
    "Carol finished her marathon training plan and ran twenty kilometres along the river on Sunday.",
    "The car mechanic replaced the worn brake pads and warned about a slow leak in the rear tyre.",
    "Dave painted the spare bedroom yellow, moved the bookshelves and hung three framed posters.",
    "The library announced new opening hours, a reading club on Thursdays and a film night monthly.",
]
# Longer than what a full episodic share leaves over: only the semantic share itself could hold it.
LONG_TEA = (
    "Alice prefers green tea over coffee: she drinks it without sugar, brewed for three minutes at eighty "
    "degrees, from the blue teapot her grandmother gave her, and keeps a tin of sencha in her desk drawer."
)
CHATTER_TURNS = [
    {
        "type": "episodic",
        "content": text,
        "scope": {"user_id": "alice"},
        "occurred_at": "2025-02-03T10:00:00Z",
    }
    for text in CHATTER
]


async def retrieve(client: AsyncTestClient[Any], **body: Any) -> dict[str, Any]:
    response = await client.post("/v1/retrieve", json={"now": NOW, **body})
    assert response.status_code == 200, response.text
    return response.json()


def by_reason(body: dict[str, Any], reason: str) -> list[dict[str, Any]]:
    return [m for m in body["left_out"] if m["reason"] == reason]


async def test_left_out_says_what_was_over_budget_and_what_was_merged(client: AsyncTestClient[Any]) -> None:
    written = await write(client, [*FACTS, {**FACTS[0], "id": None, "content": TEA_AGAIN}], dedup=False)
    ids = [r["id"] for r in written["results"]]
    roomy = await retrieve(client, query="What does Alice drink?", budget_tokens=2000, explain=True)
    assert roomy["left_out"] is not None
    [copy] = by_reason(roomy, "duplicate")  # the two teas: one packed, the other merged into it
    kept = next(m for m in roomy["memories"] if m["id"] == copy["duplicate_of"])
    assert {copy["id"], kept["id"]} == {ids[0], ids[4]} and copy["score"] <= kept["score"]
    assert 0.8 <= copy["overlap"] <= 1.0 and copy["tokens"] > 0 and "words repeat" in copy["detail"]
    assert by_reason(roomy, "over_budget") == []  # everything else fit in 2000 tokens

    tight = await retrieve(client, query="What does Alice drink?", budget_tokens=25, explain=True)
    packed = {m["id"] for m in tight["memories"]}
    over = by_reason(tight, "over_budget") + by_reason(tight, "type_share")
    assert over and not packed & {m["id"] for m in tight["left_out"]}
    assert len(over) == tight["metadata"]["trimmed_count"]  # every trimmed memory is accounted for
    free = 25 - tight["metadata"]["total_tokens"]
    for memory in by_reason(tight, "over_budget"):
        assert memory["tokens"] > 0 and f"{free} of the 25-token budget are unused" in memory["detail"]
    scores = [m["score"] for m in tight["left_out"]]
    assert scores == sorted(scores, reverse=True)  # best first

    plain = await retrieve(client, query="What does Alice drink?", budget_tokens=25)
    assert plain["left_out"] is None  # only with explain


async def test_left_out_names_a_used_up_type_share(client: AsyncTestClient[Any]) -> None:
    await write(client, [{**FACTS[0], "content": LONG_TEA}, *CHATTER_TURNS])
    # No floor: the chatter turns must fill the episodic share, or its unused tokens would flow to
    # the semantic share and the tea's line would fit after all.
    query = {
        "query": "Does Alice like green tea or coffee?",
        "types": ["semantic", "episodic"],
        "explain": True,
        "min_confidence": 0,
    }
    body = await retrieve(client, **query, budget_tokens=120, allocation={"semantic": 0.05, "episodic": 0.95})
    assert LONG_TEA not in body["context"]  # the semantic share (6 tokens) cannot hold its line
    [tea] = [m for m in body["left_out"] if m["content"] == LONG_TEA]
    assert tea["reason"] == "type_share", tea
    lower = [m for m in body["memories"] if m["type"] == "episodic" and m["score"] < tea["score"]]
    assert lower  # a lower-scored turn was packed in the episodic share
    assert "semantic share (6 tokens" in tea["detail"]
    # It names the lowest turn packed within the episodic share (a turn packed with the tokens the
    # semantic share left unused may score lower still).
    assert any(f"{m['score']:.3f}" in tea["detail"] for m in lower)
    # With the shares the other way round, the same memory is packed.
    swapped = await retrieve(
        client, **query, budget_tokens=120, allocation={"semantic": 0.95, "episodic": 0.05}
    )
    assert LONG_TEA in swapped["context"]


async def test_min_score_is_a_floor_and_left_out_lists_what_it_cut(client: AsyncTestClient[Any]) -> None:
    await write(client, FACTS)
    # No confidence floor: only the score floor cuts here.
    ask = {"query": "green tea for Alice", "budget_tokens": 2000, "min_confidence": 0}
    everything = await retrieve(client, **ask, explain=True)
    scores = sorted(m["score"] for m in everything["memories"])
    assert len(scores) == len(FACTS)
    floor = (scores[-1] + scores[-2]) / 2  # only the best one clears it
    body = await retrieve(client, **ask, explain=True, min_score=floor)
    assert [m["content"] for m in body["memories"]] == [TEA]
    below = by_reason(body, "below_floor")
    assert len(below) == len(FACTS) - 1
    assert all(m["score"] < floor and str(floor) in m["detail"] for m in below)
    assert f"{floor}" not in body["context"] and body["metadata"]["trimmed_count"] == 0
    nothing = await retrieve(client, **ask, min_score=scores[-1] + 1)
    assert nothing["memories"] == [] and nothing["left_out"] is None


async def test_a_bad_floor_is_a_problem_naming_min_score(client: AsyncTestClient[Any]) -> None:
    for bad in ("high", 1e9, True, [0.5]):
        response = await client.post("/v1/retrieve", json={"query": "tea", "min_score": bad})
        assert response.status_code in (400, 422), response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "min_score" in response.text


async def test_search_finds_the_tenants_memories_best_first(client: AsyncTestClient[Any]) -> None:
    written = await write(
        client, [*FACTS, {**FACTS[0], "id": None, "scope": {"user_id": "bob"}}], dedup=False
    )
    response = await client.get("/v1/memories/search", params={"q": "green tea", "limit": 3})
    assert response.status_code == 200, response.text
    hits = response.json()["hits"]
    assert len(hits) == 3 and {h["memory"]["content"] for h in hits[:2]} == {TEA}  # alice's and bob's
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert "importance" in hits[0]["memory"] and "access_count" in hits[0]["memory"]

    alice = await client.get("/v1/memories/search", params={"q": "green tea", "user_id": "bob"})
    assert [h["memory"]["id"] for h in alice.json()["hits"]] == [written["results"][4]["id"]]
    typed = await client.get("/v1/memories/search", params={"q": "router", "type": "procedural"})
    assert [h["memory"]["type"] for h in typed.json()["hits"]] == ["procedural"]

    # A person searching is not a use: nothing is counted as an access.
    record = await client.get(f"/v1/memories/{hits[0]['memory']['id']}")
    assert record.json()["access_count"] == 0


async def test_search_refuses_bad_input_with_problem_details(client: AsyncTestClient[Any]) -> None:
    cases = [
        ({}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "x" * 9000}, "q"),
        ({"q": "tea", "limit": "0"}, "limit"),
        ({"q": "tea", "limit": "many"}, "limit"),
        ({"q": "tea", "type": "dreams"}, "type"),
        ({"q": "tea", "user_id": "a b/c"}, "user_id"),
    ]
    for params, field in cases:
        response = await client.get("/v1/memories/search", params=params)
        assert response.status_code in (400, 422), (params, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in response.text, (params, response.text)


async def test_search_sees_only_the_callers_tenant(tenants: AsyncTestClient[Any]) -> None:
    written = await tenants.post("/v1/memories", json={"memories": FACTS}, headers=A)
    assert written.status_code == 201, written.text
    mine = await tenants.get("/v1/memories/search", params={"q": "green tea"}, headers=A)
    assert mine.json()["hits"][0]["memory"]["content"] == TEA
    theirs = await tenants.get("/v1/memories/search", params={"q": "green tea"}, headers=B)
    assert theirs.status_code == 200 and theirs.json()["hits"] == []
    keyless = await tenants.get("/v1/memories/search", params={"q": "green tea"})
    assert keyless.status_code == 401
    assert keyless.headers["content-type"].startswith("application/problem+json")
