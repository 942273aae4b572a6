"""Every bad input is a 4xx problem-details response naming the field; never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import AppFactory

OK = {"type": "semantic", "content": "A valid memory."}


@pytest.fixture
async def client(app_client: AppFactory) -> Any:
    async with app_client(max_items_per_request=5, max_request_bytes=200_000) as c:
        yield c


def assert_problem(response: Any, status: int, field: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"] and body["code"]
    assert "Traceback" not in response.text
    if field:
        assert any(field in e["field"] for e in body["errors"]), body


@pytest.mark.parametrize(
    ("memory", "field"),
    [
        ({"type": "nope", "content": "x"}, "type"),
        ({"type": "semantic", "content": ""}, "content"),
        ({"type": "semantic", "content": "   "}, "content"),
        ({"type": "semantic", "content": "x" * 40_000}, "content"),
        ({"type": "semantic", "content": "x", "occurred_at": "last tuesday"}, "occurred_at"),
        ({"type": "semantic", "content": "x", "due_at": "2025-13-45T00:00:00Z"}, "due_at"),
        ({"type": "semantic", "content": "x", "importance": 7}, "importance"),
        ({"type": "semantic", "content": "x", "scope": {"user_id": "a*b"}}, "user_id"),
        ({"content": "x"}, "type"),
    ],
)
async def test_bad_memories(client: Any, memory: dict[str, Any], field: str) -> None:
    assert_problem(await client.post("/v1/memories", json={"memories": [memory]}), 422, field)


async def test_too_many_items(client: Any) -> None:
    assert_problem(await client.post("/v1/memories", json={"memories": [OK] * 6}), 422, "memories")
    assert_problem(await client.post("/v1/memories", json={"memories": []}), 422, "memories")


async def test_malformed_json_and_wrong_shapes(client: Any) -> None:
    headers = {"content-type": "application/json"}
    assert_problem(await client.post("/v1/memories", content=b'{"memories": [', headers=headers), 400)
    assert_problem(await client.post("/v1/retrieve", content=b"not json", headers=headers), 400)
    assert_problem(await client.post("/v1/memories", json=[OK]), 422)


async def test_oversized_body(client: Any) -> None:
    response = await client.post(
        "/v1/memories", content=b"x" * 300_000, headers={"content-type": "application/json"}
    )
    assert_problem(response, 413)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"query": ""}, "query"),
        ({"query": "q", "budget_tokens": 0}, "budget_tokens"),
        ({"query": "q", "budget_tokens": -5}, "budget_tokens"),
        ({"query": "q", "budget_tokens": 10**9}, "budget_tokens"),
        ({"query": "q", "model": "gpt-99"}, "model"),
        ({"query": "q", "model": "gpt-4o", "budget_tokens": 100}, "budget_tokens"),
        ({"query": "q", "types": ["episodic", "dreams"]}, "types"),
        ({"query": "q", "types": []}, "types"),
        ({"query": "q", "now": "soon"}, "now"),
        ({"query": "q", "timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"query": "q", "timezone": "+15:00"}, "timezone"),
        ({"query": "q", "timezone": "../../etc/passwd"}, "timezone"),
        ({"query": "q", "timezone": 5}, "timezone"),
        ({"query": "q", "allocation": {"semantic": 3}}, "allocation"),
        ({"query": "q", "allocation": {"working": 0.5}}, "allocation"),
        ({"query": "q", "surprise": True}, "surprise"),
    ],
)
async def test_bad_retrievals(client: Any, body: dict[str, Any], field: str) -> None:
    assert_problem(await client.post("/v1/retrieve", json=body), 422, field)


@pytest.mark.parametrize(
    "path", ["/v1/memories/not-a-uuid", "/v1/memories/00000000-0000-0000-0000-000000000000"]
)
async def test_bad_and_unknown_ids(client: Any, path: str) -> None:
    response = await client.get(path)
    assert response.status_code in (404, 422)
    assert_problem(response, response.status_code)


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 100_000}, {"type": "dreams"}, {"cursor": "garbage!"}, {"user_id": "a b"}],
)
async def test_bad_listings(client: Any, params: dict[str, Any]) -> None:
    response = await client.get("/v1/memories", params=params)
    assert 400 <= response.status_code < 500
    assert_problem(response, response.status_code)


# The reads that take a scope in the query string, each with the other parameters it needs.
SCOPE_READS = [
    ("/v1/memories", {}),
    ("/v1/memories/search", {"q": "tea"}),
    ("/v1/memories/stale", {}),
    ("/v1/scopes/live", {}),
    ("/v1/prospective/due", {}),
]


@pytest.mark.parametrize(("path", "params"), SCOPE_READS)
async def test_a_bad_scope_field_in_the_query_is_a_problem_naming_it(
    client: Any, path: str, params: dict[str, str]
) -> None:
    fields = ["user_id", "agent_id", "thread_id"] + ([] if path == "/v1/prospective/due" else ["namespace"])
    for field in fields:
        for bad in ["a b", "-leading-dash", "x" * 300]:
            assert_problem(await client.get(path, params={**params, field: bad}), 422, field)
    assert (await client.get(path, params={**params, "user_id": "alice"})).status_code == 200


async def test_unknown_route_is_a_problem_too(client: Any) -> None:
    assert_problem(await client.get("/v1/nothing-here"), 404)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/memories", {"memories": [OK], "dedup": 0}, "dedup"),  # a JSON number is not a boolean
        ("/v1/memories", {"memories": [OK], "prefilter": "true"}, "prefilter"),
        ("/v1/memories", {"memories": [{**OK, "importance": "0.5"}]}, "importance"),
        (
            "/v1/memories",
            {"memories": [{**OK, "occurred_at": 1700000000}]},
            "occurred_at",
        ),  # not epoch seconds
        ("/v1/retrieve", {"query": "q", "budget_tokens": "100"}, "budget_tokens"),
        ("/v1/retrieve", {"query": "q", "explain": 1}, "explain"),
        ("/v1/retrieve", {"query": "q", "now": 0.5}, "now"),
    ],
)
async def test_only_the_documented_json_types_are_accepted(
    client: Any, path: str, body: Any, field: str
) -> None:
    assert_problem(await client.post(path, json=body), 422, field)


async def test_a_missing_body_is_a_400(client: Any) -> None:
    response = await client.post("/v1/retrieve", headers={"content-type": "application/json"})
    assert_problem(response, 400)
    assert response.json()["detail"] == "a JSON body is required"


@pytest.mark.parametrize("now", ["0.5", "2025-03-02T12:00:00", "tomorrow"])
async def test_due_listing_wants_an_aware_iso_instant(client: Any, now: str) -> None:
    assert_problem(await client.get("/v1/prospective/due", params={"now": now}), 422, "now")


async def test_options_lists_every_method_of_a_path(client: Any) -> None:
    allow = (await client.options("/v1/memories/00000000-0000-0000-0000-000000000000")).headers["allow"]
    assert set(allow.split(", ")) == {"DELETE", "GET", "OPTIONS"}
    assert set((await client.options("/v1/memories")).headers["allow"].split(", ")) == {
        "GET",
        "OPTIONS",
        "POST",
    }


async def test_error_responses_are_documented(client: Any) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    responses = schema["paths"]["/v1/memories/{memory_id}"]["get"]["responses"]
    assert {"401", "404", "422"} <= set(responses)
    assert "application/problem+json" in responses["404"]["content"]
