"""The edge of the other servers' protocols (compat/), on the real app: each vendor's key scheme is
read as mnemo's key (and only under its prefix), errors come as each vendor's client reads them,
hostile bodies on every vendor route are 4xx problems and never a 500, a body key named like a
dependency is never taken for one, and an unknown path is a 501 naming it. The vendors' own clients
drive these routes in compat/tests (make test-compat)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import AppFactory

KEYS = {"alpha": "key-a", "beta": "key-b"}
MEM0 = {"Authorization": "Token key-a"}
AMS = {"Authorization": "Bearer key-a"}
ZEP = {"Authorization": "Api-Key key-a"}
# Every vendor route that takes a body, with the headers its client sends.
BODY_ROUTES = [
    ("POST", "/mem0/v3/memories/add/", MEM0),
    ("POST", "/mem0/memories", MEM0),
    ("POST", "/mem0/v3/memories/", MEM0),
    ("POST", "/mem0/v3/memories/search/", MEM0),
    ("POST", "/mem0/search", MEM0),
    ("PUT", "/mem0/v1/memories/00000000-0000-4000-8000-000000000000/", MEM0),
    ("PUT", "/mem0/v1/batch/", MEM0),
    ("DELETE", "/mem0/v1/batch/", MEM0),
    ("PUT", "/ams/v1/working-memory/s-1", AMS),
    ("POST", "/ams/v1/long-term-memory/", AMS),
    ("PATCH", "/ams/v1/long-term-memory/m-1", AMS),
    ("POST", "/ams/v1/long-term-memory/search", AMS),
    ("POST", "/ams/v1/memory/prompt", AMS),
    ("POST", "/zep/api/v2/users", ZEP),
    ("PATCH", "/zep/api/v2/users/u-1", ZEP),
    ("POST", "/zep/api/v2/threads", ZEP),
    ("POST", "/zep/api/v2/threads/t-1/messages", ZEP),
    ("POST", "/zep/api/v2/graph/search", ZEP),
    ("POST", "/zep/api/v2/graph", ZEP),
]
HOSTILE: list[Any] = [
    [],
    "text",
    None,
    {"messages": [{"role": "user", "content": ""}], "memories": [{"id": "", "text": ""}]},
    {"messages": "x" * 10, "query": 5, "text": ["a"], "data": {"x": 1}, "user_id": {"$ne": 1}},
    {"messages": [{"role": "user", "content": "hi"}], "metadata": {"k" * 40: "v" * 20_000}, "user_id": "a"},
    {"memories": [{"id": "x", "text": "t", "memory_type": "procedure"}], "query": "q", "user_id": "bad id!"},
    {
        "query": "q",
        "filters": {"AND": "nope"},
        "session_id": {"in_": ["a"]},
        "scope": "nodes",
        "user_id": "u",
    },
]


@pytest.fixture
async def client(app_client: AppFactory) -> Any:
    async with app_client(api_keys=",".join(f"{k}:{t}" for t, k in KEYS.items())) as c:
        yield c


async def test_each_vendors_scheme_is_its_key_under_its_prefix_only(client: Any) -> None:
    assert (await client.get("/mem0/v1/ping/", headers=MEM0)).json()["org_id"] == "alpha"
    assert (
        await client.get("/ams/v1/working-memory/", headers=AMS, params={"user_id": "u"})
    ).status_code == 200
    assert (await client.get("/zep/api/v2/users-ordered", headers=ZEP)).status_code == 200
    refused = await client.get("/mem0/v1/ping/", headers={"Authorization": "Token wrong"})
    assert refused.status_code == 401 and refused.headers["content-type"].startswith("application/json")
    assert (
        await client.get("/zep/api/v2/users-ordered", headers={"Authorization": "Token key-a"})
    ).status_code == 401
    assert (await client.get("/v1/memories", headers=MEM0)).status_code == 401  # not mnemo's own scheme


async def test_bad_input_has_the_status_each_client_expects(client: Any) -> None:
    assert (
        await client.post("/mem0/v3/memories/add/", headers=MEM0, json={"messages": []})
    ).status_code == 422
    zep = await client.post("/zep/api/v2/users", headers=ZEP, json={"user_id": "not an id!"})
    assert (zep.status_code, zep.json()["status"]) == (400, 400)  # the problem body says so too
    assert zep.json()["errors"][0]["field"] == "user_id"


async def test_a_bad_id_is_named_as_the_vendors_body_names_it(client: Any) -> None:
    """mem0's run and app, AMS's session: mnemo's thread and namespace, named as the vendor's."""
    said = [{"role": "user", "content": "A note."}]
    for field in ("run_id", "app_id"):
        bad = await client.post("/mem0/v3/memories/add/", headers=MEM0, json={"messages": said, field: "a b"})
        assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, field), bad.text
    memory = {"id": "m1", "text": "A note.", "session_id": "a b"}
    bad = await client.post("/ams/v1/long-term-memory/", headers=AMS, json={"memories": [memory]})
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (422, "session_id"), bad.text


async def test_hostile_bodies_are_problems_never_a_500(client: Any) -> None:
    for method, path, headers in BODY_ROUTES:
        for body in HOSTILE:
            response = await client.request(method, path, headers=headers, json=body)
            assert response.status_code < 500 or response.status_code == 501, (path, body, response.text)
            if response.status_code >= 400:  # a problem; else fields the vendor's API may ignore were
                assert response.json()["code"], response.text
        garbled = await client.request(
            method, path, headers={**headers, "content-type": "application/json"}, content=b"{no"
        )
        assert garbled.status_code == 400, path


async def test_a_body_key_named_like_a_dependency_is_never_taken_for_it(client: Any) -> None:
    body = {"messages": [{"role": "user", "content": "Tenant alpha's note about kites."}], "user_id": "u1"}
    added = await client.post(
        "/mem0/v3/memories/add/", headers=MEM0, json={**body, "tenant": "beta", "infer": False}
    )
    memory_id = added.json()["results"][0]["id"]
    assert (await client.get(f"/mem0/v1/memories/{memory_id}/", headers=MEM0)).status_code == 200
    as_beta = {"Authorization": "Token key-b"}
    assert (await client.get(f"/mem0/v1/memories/{memory_id}/", headers=as_beta)).status_code == 404


async def test_an_unknown_path_under_a_prefix_is_a_501_naming_it(client: Any) -> None:
    response = await client.post("/mem0/v9/something/new", headers=MEM0, json={})
    assert response.status_code == 501
    assert (
        response.json()["method"] == "POST /mem0/v9/something/new"
        and response.json()["code"] == "not_supported"
    )
    named = await client.get("/ams/v1/summary-views", headers=AMS)
    assert (named.status_code, named.json()["method"]) == (501, "list_summary_views")


async def test_the_vendor_routes_stay_out_of_mnemos_schema(client: Any) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    assert not [p for p in paths if p.startswith(("/mem0", "/ams", "/zep"))]


def test_the_fair_share_lanes_and_the_reads_name_real_routes() -> None:
    """compat.HEAVY_ROUTES and the reads that store nothing are path templates of real vendor routes."""
    from litestar.routes import HTTPRoute

    from mnemo.api.http.app import create_app
    from mnemo.compat.edge import HEAVY_ROUTES, STORE_NOTHING

    served = {
        (method, route.path_format)
        for route in create_app().routes
        if isinstance(route, HTTPRoute)
        for method in route.methods
    }
    assert set(HEAVY_ROUTES) <= served and served >= STORE_NOTHING


async def test_below_the_storage_reserve_a_vendor_write_is_a_507_and_its_reads_go_on(
    app_client: AppFactory,
) -> None:
    async with app_client(api_keys="key-a:alpha", storage_reserve_mb=10**9) as c:
        add = {"messages": [{"role": "user", "content": "Full disk note."}], "user_id": "u1"}
        refused = await c.post("/mem0/v3/memories/add/", headers=MEM0, json=add)
        assert refused.status_code == 507, refused.text
        searched = await c.post(
            "/mem0/v3/memories/search/", headers=MEM0, json={"query": "note", "filters": {"user_id": "u1"}}
        )
        assert searched.status_code == 200, searched.text
        assert (
            await c.request("DELETE", "/mem0/v1/memories/", headers=MEM0, params={"user_id": "u1"})
        ).status_code == 200
