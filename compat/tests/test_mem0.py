"""mem0's own clients (`mem0ai`'s MemoryClient and AsyncMemoryClient) against a real mnemo serve,
pointed at it by `host=`: one test per method an application calls, and the 501s of the rest."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from calls import call_with_placeholders
from conftest import Server
from mem0 import AsyncMemoryClient, MemoryClient
from mem0.exceptions import AuthenticationError, MemoryError, MemoryNotFoundError, ValidationError


@pytest.fixture(scope="module")
def client(mnemo: Server) -> Iterator[MemoryClient]:
    yield MemoryClient(api_key=mnemo.key, host=f"{mnemo.url}/mem0")


@pytest.fixture(scope="module")
def other_tenant(mnemo: Server) -> MemoryClient:
    return MemoryClient(api_key=mnemo.other_key, host=f"{mnemo.url}/mem0")


def _add(client: MemoryClient, user: str, text: str, **kwargs: object) -> str:
    added = client.add(text, user_id=user, infer=False, **kwargs)
    (result,) = added["results"]
    assert result["event"] == "ADD", result
    return str(result["id"])


def test_construction_pings_and_a_wrong_key_is_refused(mnemo: Server) -> None:
    MemoryClient(api_key=mnemo.key, host=f"{mnemo.url}/mem0")  # pings /v1/ping/
    with pytest.raises(ValueError, match="Error"):
        MemoryClient(api_key="not-a-key", host=f"{mnemo.url}/mem0")


def test_add_messages_with_scope_and_metadata_then_get(client: MemoryClient, user: str) -> None:
    messages = [
        {"role": "user", "content": "I am allergic to peanuts and I live in Lisbon."},
        {"role": "assistant", "content": "Noted: no peanuts, and Lisbon is your home."},
    ]
    added = client.add(messages, user_id=user, agent_id="chef", run_id="r1", metadata={"source": "chat"})
    assert [r["event"] for r in added["results"]] == ["ADD", "ADD"]
    assert "verbatim" in added["note"]  # infer defaults to true: what mnemo did instead is said
    memory = client.get(added["results"][0]["id"])
    assert memory["memory"] == messages[0]["content"]
    assert (memory["user_id"], memory["agent_id"], memory["run_id"]) == (user, "chef", "r1")
    assert memory["metadata"] == {"source": "chat", "role": "user"}


def test_add_keeps_a_backfilled_timestamp(client: MemoryClient, user: str) -> None:
    memory_id = _add(client, user, "We moved to Porto in the spring of 2019.", timestamp=1_556_668_800)
    assert client.get(memory_id)["created_at"].startswith("2019-05-01")


def test_add_with_infer_merges_an_exact_repeat(client: MemoryClient, user: str) -> None:
    text = "My favourite tea is a smoky lapsang souchong."
    client.add(text, user_id=user)
    again = client.add(text, user_id=user)
    assert [r["event"] for r in again["results"]] == ["NONE"]


def test_get_all_filters_and_pages(client: MemoryClient, user: str) -> None:
    for n in range(5):
        _add(client, user, f"Fact number {n} about the garden: plant {n} needs water weekly.")
    _add(client, f"{user}-other", "Someone else's note about bicycles and chains.")
    page1 = client.get_all(filters={"user_id": user}, page=1, page_size=2)
    page3 = client.get_all(filters={"AND": [{"user_id": user}]}, page=3, page_size=2)
    assert page1["count"] == 5 and len(page1["results"]) == 2 and page1["next"]
    assert len(page3["results"]) == 1 and page3["next"] is None
    assert all(m["user_id"] == user for m in page1["results"] + page3["results"])


def test_search_ranks_by_meaning_within_the_filter(client: MemoryClient, user: str) -> None:
    _add(client, user, "Alice plays the cello in a string quartet on Fridays.")
    _add(client, user, "The boiler was serviced in March; the next service is due in a year.")
    found = client.search("which instrument does Alice play?", filters={"user_id": user}, top_k=1)
    (best,) = found["results"]
    assert "cello" in best["memory"] and best["score"] > 0
    assert client.search("cello", filters={"user_id": f"{user}-nobody"})["results"] == []


def test_update_changes_text_and_keeps_the_id(client: MemoryClient, user: str) -> None:
    memory_id = _add(client, user, "The team meeting is on Mondays at nine.")
    updated = client.update(memory_id, text="The team meeting moved to Tuesdays at ten.")
    assert updated["id"] == memory_id
    assert client.get(memory_id)["memory"] == "The team meeting moved to Tuesdays at ten."
    client.update(memory_id, metadata={"checked": True})
    assert client.get(memory_id)["metadata"] == {"checked": True}


def test_history_lists_the_events(client: MemoryClient, user: str) -> None:
    memory_id = _add(client, user, "The car's tyres were changed in October.")
    client.update(memory_id, text="The car's tyres were changed in November.")
    events = [h["event"] for h in client.history(memory_id)]
    assert events[:2] == ["ADD", "UPDATE"]


def test_delete_then_get_raises_mem0s_not_found(client: MemoryClient, user: str) -> None:
    memory_id = _add(client, user, "A note that is about to be deleted, about kites.")
    assert "deleted" in client.delete(memory_id)["message"]
    with pytest.raises(MemoryNotFoundError):
        client.get(memory_id)
    with pytest.raises(MemoryNotFoundError):
        client.get(str(uuid.uuid4()))


def test_delete_all_needs_a_filter_and_deletes_only_its_scope(client: MemoryClient, user: str) -> None:
    _add(client, user, "Delete-all target: the blue notebook is in the drawer.")
    kept = _add(client, f"{user}-kept", "Not a target: the red notebook is on the shelf.")
    with pytest.raises(ValidationError):
        client.delete_all()
    client.delete_all(user_id=user)
    assert client.get_all(filters={"user_id": user})["count"] == 0
    assert client.get(kept)["memory"].startswith("Not a target")


def test_users_lists_entities_and_delete_users_forgets_one(client: MemoryClient, user: str) -> None:
    _add(client, user, "Entity test: this user likes long walks by the river.")
    names = {(e["type"], e["name"]) for e in client.users()["results"]}
    assert ("user", user) in names
    client.delete_users(user_id=user)
    assert client.get_all(filters={"user_id": user})["count"] == 0


def test_batch_update_and_batch_delete(client: MemoryClient, user: str) -> None:
    first = _add(client, user, "Batch one: the plumber comes on Thursday.")
    second = _add(client, user, "Batch two: the electrician comes on Friday.")
    client.batch_update([{"memory_id": first, "text": "Batch one: the plumber comes on Wednesday."}])
    assert client.get(first)["memory"].endswith("Wednesday.")
    client.batch_delete([{"memory_id": first}, {"memory_id": second}])
    assert client.get_all(filters={"user_id": user})["count"] == 0


def test_invalid_input_raises_mem0s_validation_error(client: MemoryClient, user: str) -> None:
    with pytest.raises(ValidationError):
        client.add("bad scope", user_id="has spaces and !")


# Every method of MemoryClient that mnemo does not serve: each a 501 whose body names it.
NOT_SERVED = [
    "create_memory_export", "get_memory_export", "get_summary", "get_profile", "generate_profile",
    "get_profile_settings", "update_profile_settings", "sample_profiles", "get_profile_job", "get_project",
    "get_webhooks", "create_webhook", "update_webhook", "delete_webhook", "feedback", "project.get",
    "project.create", "project.delete", "project.get_members", "project.add_member", "project.remove_member",
]  # fmt: skip


@pytest.mark.parametrize("method", NOT_SERVED)
def test_every_method_mnemo_does_not_serve_is_a_501(client: MemoryClient, method: str) -> None:
    with pytest.raises(MemoryError) as raised:
        call_with_placeholders(client, method)
    assert raised.value.debug_info["status_code"] == 501, raised.value.message


def test_project_updates_and_an_or_filter_are_501s_naming_them(client: MemoryClient) -> None:
    with pytest.raises(MemoryError) as raised:
        client.update_project(custom_instructions="extract only preferences")
    assert raised.value.debug_info["status_code"] == 501 and "update_project" in raised.value.message
    for call in (
        lambda: client.project.update(custom_instructions="extract only preferences"),
        lambda: client.project.update_member("ops@example.com", role="OWNER"),
    ):
        with pytest.raises(MemoryError) as raised:
            call()
        assert raised.value.debug_info["status_code"] == 501
    with pytest.raises(MemoryError) as raised:
        client.search("q", filters={"OR": [{"user_id": "a"}, {"user_id": "b"}]})
    assert raised.value.debug_info["status_code"] == 501 and "filters: OR" in raised.value.message


def test_tenants_are_kept_apart_on_every_route(
    client: MemoryClient, other_tenant: MemoryClient, user: str
) -> None:
    memory_id = _add(client, user, "Tenant A's secret: the vault code is in the blue envelope.")
    with pytest.raises(MemoryNotFoundError):
        other_tenant.get(memory_id)
    with pytest.raises(MemoryNotFoundError):
        other_tenant.update(memory_id, text="overwritten by tenant B")
    with pytest.raises(MemoryNotFoundError):
        other_tenant.delete(memory_id)
    assert other_tenant.get_all(filters={"user_id": user})["count"] == 0
    assert other_tenant.search("vault code", filters={"user_id": user})["results"] == []
    assert user not in {e["name"] for e in other_tenant.users()["results"]}
    other_tenant.delete_all(user_id=user)
    other_tenant.delete_users(user_id=user)
    assert client.get(memory_id)["memory"].startswith("Tenant A's secret")


def test_a_wrong_key_on_a_call_raises_mem0s_authentication_error(mnemo: Server) -> None:
    response = httpx.get(f"{mnemo.url}/mem0/v1/entities/", headers={"Authorization": "Token wrong"})
    assert response.status_code == 401 and response.headers["content-type"].startswith("application/json")
    assert response.json()["detail"]
    client = MemoryClient(api_key=mnemo.key, host=f"{mnemo.url}/mem0")
    client.client.headers["Authorization"] = "Token wrong"
    with pytest.raises(AuthenticationError):
        client.users()


async def test_the_async_client_adds_searches_and_deletes(mnemo: Server, user: str) -> None:
    client = AsyncMemoryClient(api_key=mnemo.key, host=f"{mnemo.url}/mem0")
    added = await client.add("Bob's cat is called Miso and is afraid of thunder.", user_id=user, infer=False)
    memory_id = added["results"][0]["id"]
    found = await client.search("what is the cat's name?", filters={"user_id": user})
    assert found["results"][0]["id"] == memory_id
    assert (await client.get_all(filters={"user_id": user}))["count"] == 1
    await client.delete(memory_id)
    assert (await client.get_all(filters={"user_id": user}))["count"] == 0


def test_the_open_source_servers_rest_shape(mnemo: Server, user: str) -> None:
    """mem0's self-hosted server (`POST /memories`, `POST /search`, …), as its REST users call it."""
    http = httpx.Client(base_url=f"{mnemo.url}/mem0", headers={"Authorization": f"Bearer {mnemo.key}"})
    added = http.post(
        "/memories",
        json={
            "messages": [{"role": "user", "content": "Carol runs marathons in Berlin."}],
            "user_id": user,
            "infer": False,
        },
    )
    assert added.status_code == 200, added.text
    memory_id = added.json()["results"][0]["id"]
    assert http.get("/memories", params={"user_id": user}).json()["results"][0]["id"] == memory_id
    assert (
        http.post("/search", json={"query": "who runs marathons?", "user_id": user}).json()["results"][0][
            "id"
        ]
        == memory_id
    )
    assert (
        http.put(f"/memories/{memory_id}", json={"text": "Carol runs marathons in Vienna."}).status_code
        == 200
    )
    assert http.get(f"/memories/{memory_id}").json()["memory"] == "Carol runs marathons in Vienna."
    assert [h["event"] for h in http.get(f"/memories/{memory_id}/history").json()][:2] == ["ADD", "UPDATE"]
    assert http.delete(f"/memories/{memory_id}").status_code == 200
    assert http.delete("/memories").status_code == 422  # never without a filter
    reset = http.post("/reset")
    assert reset.status_code == 501 and reset.json()["method"] == "reset"


def test_reset_deletes_every_entity_of_the_keys_tenant_only(
    client: MemoryClient, other_tenant: MemoryClient, user: str
) -> None:
    kept = _add(client, user, "Tenant A keeps this through tenant B's reset.")
    _add(other_tenant, user, "Tenant B's note, about to be reset.")
    other_tenant.reset()
    assert other_tenant.users()["results"] == []
    assert client.get(kept)["memory"].startswith("Tenant A keeps")
