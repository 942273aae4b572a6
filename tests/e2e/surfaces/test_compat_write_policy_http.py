"""The other servers' protocols write through mnemo's own write use case, on the real app: the
service's item limit, the tenant's embedding allowance and a `reject` privacy policy refuse a
vendor's write as they refuse `POST /v1/memories` (422, or Zep's 400; 429 with Retry-After), each
refusal naming the vendor's field, and a refused write stores nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import AppFactory

MEM0 = {"Authorization": "Token key-a"}
AMS = {"Authorization": "Bearer key-a"}
ZEP = {"Authorization": "Api-Key key-a"}
NATIVE = {"Authorization": "Bearer key-a"}
CARD = "4111 1111 1111 1111"


def mem0_add(*texts: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": t} for t in texts], "user_id": "u1", "infer": False}


def ams_memories(*texts: str) -> list[dict[str, Any]]:
    return [{"id": f"m{n}", "text": t, "user_id": "u1"} for n, t in enumerate(texts)]


# Every vendor write of several memories: (method, path, headers, body of these texts, its items' field).
LIST_WRITES = [
    ("POST", "/mem0/v3/memories/add/", MEM0, mem0_add, "messages"),
    ("POST", "/ams/v1/long-term-memory/", AMS, lambda *t: {"memories": ams_memories(*t)}, "memories"),
    ("PUT", "/ams/v1/working-memory/s-1", AMS, lambda *t: {"memories": ams_memories(*t)}, "memories"),
]
# Zep's writes store one memory each (its messages are thread turns, as mnemo's own threads').
ZEP_GRAPH = ("POST", "/zep/api/v2/graph", ZEP, lambda t: {"user_id": "u1", "type": "text", "data": t})


def assert_refused(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["code"], body
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body
    return body


async def stored(client: Any) -> int:
    """The tenant's memories of every type, as mnemo's own listing reads them."""
    listed = await client.get("/v1/memories", headers=NATIVE, params={"limit": 100})
    assert listed.status_code == 200, listed.text
    return len(listed.json()["memories"])


@pytest.mark.parametrize(("method", "path", "headers", "body", "field"), LIST_WRITES)
async def test_a_vendor_write_over_the_item_limit_is_refused_naming_its_field(
    app_client: AppFactory, method: str, path: str, headers: dict[str, str], body: Any, field: str
) -> None:
    async with app_client(api_keys="key-a:alpha", max_items_per_request=3) as c:
        texts = [f"Note {n} about the kite festival on the beach." for n in range(4)]
        assert_refused(await c.request(method, path, headers=headers, json=body(*texts)), 422, field)
        assert await stored(c) == 0
        ok = await c.request(method, path, headers=headers, json=body(*texts[:3]))
        assert ok.status_code < 300, ok.text


@pytest.mark.parametrize(("method", "path", "headers", "body", "field"), [*LIST_WRITES, (*ZEP_GRAPH, "data")])
async def test_a_vendor_write_spends_the_tenants_embedding_allowance(
    app_client: AppFactory, method: str, path: str, headers: dict[str, str], body: Any, field: str
) -> None:
    async with app_client(
        api_keys="key-a:alpha,key-b:beta", embed_chars_per_s=1_000, embed_chars_burst=6_000
    ) as c:
        first = await c.request(method, path, headers=headers, json=body("First note. " + "x" * 4_000))
        assert first.status_code < 300, first.text
        again = await c.request(method, path, headers=headers, json=body("Second note. " + "y" * 4_000))
        assert_refused(again, 429)
        assert int(again.headers["retry-after"]) >= 1
        # The allowance is the tenant's whatever the protocol: the native route is refused too.
        native = {"memories": [{"type": "semantic", "content": "Third note. " + "z" * 4_000}]}
        assert (await c.post("/v1/memories", headers=NATIVE, json=native)).status_code == 429
        as_beta = {k: v.replace("key-a", "key-b") for k, v in headers.items()}
        beta = await c.request(method, path, headers=as_beta, json=body("Beta's note. " + "w" * 4_000))
        assert beta.status_code < 300, beta.text


async def test_more_than_a_request_may_embed_is_bad_input_in_each_vendors_status(
    app_client: AppFactory,
) -> None:
    async with app_client(api_keys="key-a:alpha", embed_chars_burst=6_000) as c:
        for method, path, headers, body, field in LIST_WRITES:
            texts = ["A long note. " + "x" * 3_500, "Another long note. " + "y" * 3_500]
            assert_refused(await c.request(method, path, headers=headers, json=body(*texts)), 422, field)
        method, path, headers, one = ZEP_GRAPH
        refused = await c.request(method, path, headers=headers, json=one("A long fact. " + "x" * 7_000))
        assert_refused(refused, 400, "data")  # Zep's client reads bad input as a 400
        assert await stored(c) == 0


@pytest.fixture
async def rejecting(app_client: AppFactory, tmp_path: Path) -> Any:
    config = tmp_path / "mnemo.yaml"
    config.write_text("tenants:\n  alpha: {privacy: reject}\n")
    async with app_client(api_keys="key-a:alpha", config=str(config)) as c:
        yield c


async def test_under_a_reject_policy_a_vendor_write_with_a_card_number_stores_nothing(rejecting: Any) -> None:
    c = rejecting
    add = {
        "messages": [
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": "I like kites."},
            {"role": "user", "content": f"My card is {CARD}."},
        ],
        "user_id": "u1",
        "infer": False,
    }
    # The system message is not stored, yet the refusal names the message as the body numbers it.
    assert_refused(await c.post("/mem0/v3/memories/add/", headers=MEM0, json=add), 422, "messages.2.content")
    texts = ("I like kites.", f"My card is {CARD}.")
    ams = {"memories": ams_memories(*texts)}
    refused = await c.post("/ams/v1/long-term-memory/", headers=AMS, json=ams)
    assert_refused(refused, 422, "memories.1.text")
    refused = await c.put("/ams/v1/working-memory/s-1", headers=AMS, json={**ams, "context": "kites"})
    assert_refused(refused, 422, "memories.1.text")
    assert (await c.get("/ams/v1/working-memory/s-1", headers=AMS)).status_code == 404  # left as it was
    method, path, headers, one = ZEP_GRAPH
    assert_refused(await c.request(method, path, headers=headers, json=one(f"Card {CARD}.")), 400, "data")
    user = {"user_id": "u1", "email": "dana.kowalski@example.org"}
    assert_refused(await c.post("/zep/api/v2/users", headers=ZEP, json=user), 400, "user")
    assert await stored(c) == 0


async def test_under_a_reject_policy_an_ams_session_refuses_a_card_number(rejecting: Any) -> None:
    """A session's messages are working memory: screened as mnemo's own working-memory appends are."""
    c = rejecting
    said = [{"role": "user", "content": "I like kites."}, {"role": "user", "content": f"Card {CARD}."}]
    refused = await c.put("/ams/v1/working-memory/s-2", headers=AMS, json={"messages": said})
    assert_refused(refused, 422, "messages.1.content")
    assert (await c.get("/ams/v1/working-memory/s-2", headers=AMS)).status_code == 404
    kept = await c.put("/ams/v1/working-memory/s-2", headers=AMS, json={"messages": said[:1]})
    assert kept.status_code == 200 and len(kept.json()["messages"]) == 1, kept.text


async def test_a_mem0_update_goes_through_the_policy_too(rejecting: Any) -> None:
    c = rejecting
    added = await c.post("/mem0/v3/memories/add/", headers=MEM0, json=mem0_add("I like kites."))
    memory_id = added.json()["results"][0]["id"]
    refused = await c.put(f"/mem0/v1/memories/{memory_id}/", headers=MEM0, json={"text": f"Card {CARD}."})
    assert_refused(refused, 422, "text")
    batch = {"memories": [{"memory_id": memory_id, "text": f"Card {CARD}."}]}
    assert_refused(await c.put("/mem0/v1/batch/", headers=MEM0, json=batch), 422, "memories.0.text")
    kept = await c.get(f"/mem0/v1/memories/{memory_id}/", headers=MEM0)
    assert kept.json()["memory"] == "I like kites."
