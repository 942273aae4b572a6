"""Agents and their memory resources (MNEMO_CONFIG) over HTTP on the real app: the three binding
levels resolve to the right namespaces, keys isolate conversations, tenants stay apart, read-only is
enforced, and bad contexts are 422s naming the variable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import TWO_TENANTS, A, AppFactory, B, semantic

CONFIG = """\
resources:
  - id: support
    types: [episodic, semantic]
    budget: 600
    key: "support-{conversation_id}"
  - id: prefs
    types: [semantic]
    budget: 300
    key: "user-{user_id}"
  - id: runbooks
    types: [procedural]
    key: shared
  - id: scratch
    types: [working]
    key: "support-{conversation_id}"
    working: {max_tokens: 20, ttl_s: 60, budget_tokens: 50}
agents:
  - name: bot                # level 1
    memory: support
  - name: manager            # level 2
    memories: [support, prefs]
    memory_key: "customer-{customer_id}"
  - name: triage             # level 3
    memories:
      - {id: support, mode: read-write}
      - {id: prefs, mode: read-only}
      - {id: runbooks, mode: read-only}
      - {id: scratch, mode: read-only}
  - name: worker             # level 2, each resource with its own key
    memories: [support, scratch]
  - name: librarian
    memories: [runbooks]
  - name: profiler
    memories: [{id: prefs, key: "user-{user_id}"}]
"""
TEA = "The customer in this conversation prefers green tea and wants no sugar in it at all."
COFFEE = "The customer in this conversation prefers black coffee, brewed strong, every single morning."
RESET = "To reset the router, hold its rear button for ten seconds until the light blinks twice."


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "mnemo.yaml"
    path.write_text(CONFIG)
    return path


@pytest.fixture
async def client(app_client: AppFactory, config_file: Path) -> Any:
    async with app_client(config=config_file, api_keys=TWO_TENANTS) as c:
        yield c


async def write(client: Any, headers: dict[str, str], expect: int = 201, **body: Any) -> dict[str, Any]:
    response = await client.post("/v1/memories", json=body, headers=headers)
    assert response.status_code == expect, response.text
    result: dict[str, Any] = response.json()
    return result


async def contents(client: Any, headers: dict[str, str], **body: Any) -> list[str]:
    """Every memory the request may read, relevant to the query or not (no confidence floor)."""
    query = {"query": "what does the customer drink?", "min_confidence": 0}
    response = await client.post("/v1/retrieve", json={**query, **body}, headers=headers)
    assert response.status_code == 200, response.text
    return [m["content"] for m in response.json()["memories"]]


async def test_level_1_one_resource_keyed_by_context(client: Any) -> None:
    await write(client, A, agent="bot", context={"conversation_id": "c1"}, memories=[semantic(TEA)])
    await write(client, A, agent="bot", context={"conversation_id": "c2"}, memories=[semantic(COFFEE)])
    assert await contents(client, A, agent="bot", context={"conversation_id": "c1"}) == [TEA]
    assert await contents(client, A, agent="bot", context={"conversation_id": "c2"}) == [COFFEE]
    # The namespace is an ordinary scope component: listed, and filterable without an agent.
    page = (await client.get("/v1/memories?namespace=support/support-c1", headers=A)).json()
    assert [(m["content"], m["scope"]["namespace"]) for m in page["memories"]] == [
        (TEA, "support/support-c1")
    ]
    # The budget is the resource's, split among the types it holds.
    response = await client.post(
        "/v1/retrieve", json={"query": "tea", "agent": "bot", "context": {"conversation_id": "c1"}}, headers=A
    )
    meta = response.json()["metadata"]
    assert meta["budget"] == 600 and set(meta["per_type"]) == {"episodic", "semantic"}


async def test_level_2_shared_key_and_an_explicit_resource(client: Any) -> None:
    ctx = {"customer_id": "k1"}
    # Two writable resources hold semantic memories: the write must say which.
    ambiguous = await write(client, A, expect=422, agent="manager", context=ctx, memories=[semantic(TEA)])
    assert [e["field"] for e in ambiguous["errors"]] == ["memory"]
    await write(client, A, agent="manager", context=ctx, memory="prefs", memories=[semantic(TEA)])
    await write(
        client,
        A,
        agent="manager",
        context=ctx,
        memories=[{"type": "episodic", "content": "Asked for a refund."}],
    )
    page = (await client.get("/v1/memories", headers=A)).json()
    assert {m["scope"]["namespace"] for m in page["memories"]} == {"prefs/customer-k1", "support/customer-k1"}
    found = await contents(client, A, agent="manager", context=ctx, budget_tokens=500)
    assert set(found) == {TEA, "Asked for a refund."}
    # Another customer, and a level-1 agent on the same resource with another key, see none of it.
    assert await contents(client, A, agent="manager", context={"customer_id": "k2"}) == []
    assert await contents(client, A, agent="bot", context={"conversation_id": "customer-k1"}) == []


async def test_level_3_modes_and_keys(client: Any) -> None:
    ctx = {"conversation_id": "c1", "user_id": "u1"}
    await write(client, A, agent="librarian", memories=[{"type": "procedural", "content": RESET}])
    await write(client, A, agent="profiler", context={"user_id": "u1"}, memories=[semantic(COFFEE)])
    # Semantic goes to the one writable resource holding it (prefs is read-only here).
    await write(client, A, agent="triage", context=ctx, memories=[semantic(TEA)])
    for body in (
        {"memories": [{"type": "procedural", "content": RESET + " Then wait."}]},
        {"memory": "prefs", "memories": [semantic(COFFEE + " Really.")]},
    ):
        refused = await write(client, A, expect=403, agent="triage", context=ctx, **body)
        assert refused["code"] == "read_only_memory" and refused["status"] == 403
    # Read-only resources are still read: the shared runbook, and prefs under the user's key.
    found = await contents(client, A, agent="triage", context=ctx, budget_tokens=800)
    assert set(found) == {TEA, RESET, COFFEE}
    found = await contents(client, A, agent="triage", context={**ctx, "user_id": "u2"}, budget_tokens=800)
    assert set(found) == {TEA, RESET}
    # `types` narrows what the agent holds.
    assert await contents(client, A, agent="triage", context=ctx, types=["procedural"]) == [RESET]


async def test_same_agent_config_in_two_tenants_is_two_memories(client: Any) -> None:
    ctx = {"conversation_id": "c1"}
    await write(client, A, agent="bot", context=ctx, memories=[semantic(TEA)])
    await write(client, B, agent="bot", context=ctx, memories=[semantic(COFFEE)])
    assert await contents(client, A, agent="bot", context=ctx) == [TEA]
    assert await contents(client, B, agent="bot", context=ctx) == [COFFEE]


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"agent": "bot"}, "invalid_input", "context.conversation_id"),
        ({"agent": "bot", "context": {"user_id": "u1"}}, "invalid_input", "context.conversation_id"),
        (
            {"agent": "bot", "context": {"conversation_id": "../../alpha"}},
            "invalid_input",
            "context.conversation_id",
        ),
        ({"agent": "bot", "context": {"conversation_id": "a b"}}, "invalid_input", "context.conversation_id"),
        (
            {"agent": "bot", "context": {"conversation_id": "x" * 200}},
            "invalid_input",
            "context.conversation_id",
        ),
        ({"agent": "nobody", "context": {}}, "unknown_agent", "agent"),
        (
            {"agent": "bot", "context": {"conversation_id": "c1"}, "scope": {"user_id": "u"}},
            "invalid_input",
            "scope",
        ),
        ({"context": {"conversation_id": "c1"}}, "invalid_input", "context"),
        ({"agent": "librarian", "types": ["semantic"]}, "invalid_input", "types"),
    ],
)
async def test_bad_agent_requests_are_422_naming_the_field(
    client: Any, body: dict[str, Any], code: str, field: str
) -> None:
    response = await client.post("/v1/retrieve", json={"query": "tea", **body}, headers=A)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert problem["code"] == code and field in [e["field"] for e in problem["errors"]]


async def test_agent_writes_refuse_scopes_and_unheld_types(client: Any) -> None:
    ctx = {"conversation_id": "c1"}
    item = {**semantic(TEA), "scope": {"user_id": "u1"}}
    problem = await write(client, A, expect=422, agent="bot", context=ctx, memories=[item])
    assert problem["errors"][0]["field"] == "memories[0].scope"
    problem = await write(
        client, A, expect=422, agent="bot", context=ctx, memories=[{"type": "procedural", "content": RESET}]
    )
    assert problem["errors"][0]["field"] == "memories[0].type"
    problem = await write(client, A, expect=422, agent="bot", memories=[semantic(TEA)])
    assert problem["errors"][0]["field"] == "context.conversation_id"


async def test_without_a_config_naming_an_agent_is_a_422(app_client: AppFactory) -> None:
    async with app_client() as client:
        response = await client.post("/v1/retrieve", json={"query": "tea", "agent": "bot"})
        assert response.status_code == 422 and response.json()["code"] == "unknown_agent"


async def test_working_memory_takes_the_resource_limits(client: Any) -> None:
    ctx = {"conversation_id": "c1"}
    item = {"content": "The customer is on the phone right now.", "agent": "worker", "context": ctx}
    response = await client.post("/v1/working/t1/items", json=item, headers=A)
    assert response.status_code == 201, response.text
    assert response.json()["max_tokens"] == 20  # the resource's, not the service's 4000
    too_long = {**item, "content": "word " * 30}
    assert (await client.post("/v1/working/t1/items", json=too_long, headers=A)).status_code == 422
    refused = await client.post("/v1/working/t1/items", json={**item, "agent": "triage"}, headers=A)
    assert refused.status_code == 403 and refused.json()["code"] == "read_only_memory"
    unheld = await client.post("/v1/working/t1/items", json={**item, "agent": "bot"}, headers=A)
    assert unheld.status_code == 422 and unheld.json()["errors"][0]["field"] == "item.type"
    body = {"query": "who is on the phone?", "agent": "worker", "context": ctx, "task_id": "t1"}
    found = (await client.post("/v1/retrieve", json=body, headers=A)).json()
    assert found["metadata"]["working_budget"] == 50
    assert "The customer is on the phone right now." in found["context"]
