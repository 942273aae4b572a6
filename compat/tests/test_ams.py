"""Redis Agent Memory Server's own client (`agent-memory-client`'s MemoryAPIClient) against a real
mnemo serve at `/ams`: working memory per session, long-term memory and its filters, the memory
prompt, tenants kept apart, errors as its exception types, and the 501s of what mnemo does not serve."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from agent_memory_client import MemoryAPIClient, MemoryClientConfig
from agent_memory_client.exceptions import MemoryNotFoundError, MemoryServerError
from agent_memory_client.filters import MemoryType, SessionId, Topics, UserId
from agent_memory_client.models import (
    ClientMemoryRecord,
    CreateSummaryViewRequest,
    ForgetPolicy,
    MemoryMessage,
    WorkingMemory,
)
from calls import call_with_placeholders
from conftest import Server


def _client(mnemo: Server, key: str) -> MemoryAPIClient:
    client = MemoryAPIClient(MemoryClientConfig(base_url=f"{mnemo.url}/ams", timeout=120))
    # The client has no key option: AMS's token auth is the httpx client's bearer header.
    client._client.headers["Authorization"] = f"Bearer {key}"
    return client


@pytest.fixture
async def ams(mnemo: Server) -> AsyncIterator[MemoryAPIClient]:
    client = _client(mnemo, mnemo.key)
    yield client
    await client.close()


@pytest.fixture
async def other_tenant(mnemo: Server) -> AsyncIterator[MemoryAPIClient]:
    client = _client(mnemo, mnemo.other_key)
    yield client
    await client.close()


async def _put_user_message(ams: MemoryAPIClient, session: str, user: str, content: str) -> None:
    """The session's working memory: one message of the user's."""
    messages = [MemoryMessage(role="user", content=content)]
    await ams.put_working_memory(session, WorkingMemory(session_id=session, user_id=user, messages=messages))


async def test_health_check(ams: MemoryAPIClient) -> None:
    assert (await ams.health_check()).now > 0


async def test_working_memory_put_get_append_list_delete(ams: MemoryAPIClient, user: str) -> None:
    session = f"s-{user}"
    created, memory = await ams.get_or_create_working_memory(session, user_id=user)
    assert created and memory.messages == []
    memory = WorkingMemory(
        session_id=session,
        user_id=user,
        messages=[MemoryMessage(role="user", content="I need a hotel in Kyoto for March.")],
        context="Planning a spring trip to Japan.",
        data={"budget_eur": 1200},
    )
    await ams.put_working_memory(session, memory, user_id=user)
    await ams.append_messages_to_working_memory(
        session, [{"role": "assistant", "content": "Ryokan Sakura has rooms from March 3rd."}], user_id=user
    )
    created, held = await ams.get_or_create_working_memory(session, user_id=user)
    assert not created
    assert [(m.role, m.content) for m in held.messages] == [
        ("user", "I need a hotel in Kyoto for March."),
        ("assistant", "Ryokan Sakura has rooms from March 3rd."),
    ]
    assert held.context == "Planning a spring trip to Japan." and held.data == {"budget_eur": 1200}
    assert held.user_id == user
    assert (await ams.list_sessions(user_id=user)).sessions == [session]
    await ams.delete_working_memory(session)
    created, cleared = await ams.get_or_create_working_memory(session, user_id=user)
    assert created and cleared.messages == []  # deleted: a new, empty session


async def test_long_term_create_search_get_edit_delete(ams: MemoryAPIClient, user: str) -> None:
    facts = [
        ClientMemoryRecord(id=f"{user}-{n}", text=text, user_id=user, topics=[topic], memory_type="semantic")
        for n, text, topic in (
            (1, "User prefers aisle seats on trains", "travel"),
            (2, "User adopted a beagle named Pretzel", "pets"),
        )
    ]
    race = ClientMemoryRecord(
        id=f"{user}-3",
        text="User ran the Lisbon half marathon",
        user_id=user,
        session_id="race",
        memory_type="episodic",
        event_date="2024-03-17T09:00:00Z",
    )
    await ams.create_long_term_memory([*facts, race])
    found = await ams.search_long_term_memory(
        "what pet does the user have?", user_id=UserId(eq=user), limit=1
    )
    assert found.memories[0].id == f"{user}-2" and found.memories[0].dist < 1
    by_topic = await ams.search_long_term_memory(
        "seats", user_id=UserId(eq=user), topics=Topics(any=["travel"])
    )
    assert [m.id for m in by_topic.memories] == [f"{user}-1"]
    events = await ams.search_long_term_memory(
        "", user_id=UserId(eq=user), memory_type=MemoryType(eq="episodic"), session_id=SessionId(eq="race")
    )
    assert [m.id for m in events.memories] == [f"{user}-3"] and events.memories[0].event_date.year == 2024
    memory = await ams.get_long_term_memory(f"{user}-1")
    assert memory.text == "User prefers aisle seats on trains"
    edited = await ams.edit_long_term_memory(f"{user}-1", {"text": "User prefers window seats on trains"})
    assert edited.id == f"{user}-1" and (await ams.get_long_term_memory(f"{user}-1")).text.endswith(
        "window seats on trains"
    )
    await ams.delete_long_term_memories([f"{user}-1", f"{user}-2"])
    with pytest.raises(MemoryNotFoundError):
        await ams.get_long_term_memory(f"{user}-2")


async def test_memory_prompt_holds_long_term_context_session_messages_and_the_query(
    ams: MemoryAPIClient, user: str
) -> None:
    await ams.create_long_term_memory(
        [ClientMemoryRecord(text="User is allergic to shellfish", user_id=user)]
    )
    session = f"p-{user}"
    await _put_user_message(ams, session, user, "Suggest a dinner place.")
    prompt = await ams.memory_prompt(
        "what should I avoid ordering?",
        session_id=session,
        user_id=user,
        long_term_search={"user_id": {"eq": user}},
    )
    texts = [m["content"]["text"] for m in prompt["messages"]]
    assert "shellfish" in texts[0]
    assert texts[1:] == ["Suggest a dinner place.", "what should I avoid ordering?"]


async def test_invalid_input_raises_the_clients_server_error(ams: MemoryAPIClient) -> None:
    with pytest.raises(MemoryServerError) as raised:
        await ams.put_working_memory(
            "bad session id!",
            WorkingMemory(session_id="x", messages=[MemoryMessage(role="user", content="hi")]),
        )
    assert raised.value.status_code == 422


# Every method of MemoryAPIClient that mnemo does not serve: each a 501 whose body names it.
NOT_SERVED = [
    "list_summary_views", "get_summary_view",
    "delete_summary_view", "run_summary_view_partition", "list_summary_view_partitions", "run_summary_view",
    "get_task",
]  # fmt: skip


@pytest.mark.parametrize("method", NOT_SERVED)
async def test_every_method_mnemo_does_not_serve_is_a_501(ams: MemoryAPIClient, method: str) -> None:
    with pytest.raises(MemoryServerError) as raised:
        await call_with_placeholders(ams, method)
    assert raised.value.status_code == 501


async def test_forget_and_summary_views_are_501s_naming_them(ams: MemoryAPIClient) -> None:
    response = await ams._client.get("/v1/summary-views")
    assert response.status_code == 501 and response.json()["method"] == "list_summary_views"
    for call in (
        ams.forget_long_term_memories(ForgetPolicy(max_age_days=30), user_id="u"),
        ams.create_summary_view(CreateSummaryViewRequest(source="long_term", group_by=["user_id"])),
    ):
        with pytest.raises(MemoryServerError) as raised:
            await call
        assert raised.value.status_code == 501


async def test_tenants_are_kept_apart_on_every_route(
    ams: MemoryAPIClient, other_tenant: MemoryAPIClient, user: str
) -> None:
    session = f"t-{user}"
    await ams.create_long_term_memory(
        [ClientMemoryRecord(id=f"{user}-secret", text="The safe code is 4711", user_id=user)]
    )
    await _put_user_message(ams, session, user, "tenant A's message")
    with pytest.raises(MemoryNotFoundError):
        await other_tenant.get_long_term_memory(f"{user}-secret")
    assert (await other_tenant.search_long_term_memory("safe code", user_id=UserId(eq=user))).memories == []
    assert (await other_tenant.list_sessions(user_id=user)).sessions == []
    created, theirs = await other_tenant.get_or_create_working_memory(session, user_id=user)
    assert created and theirs.messages == []
    await other_tenant.delete_long_term_memories([f"{user}-secret"])
    await other_tenant.delete_working_memory(session)
    prompt = await other_tenant.memory_prompt("safe code", session_id=session, user_id=user)
    assert all(
        "4711" not in m["content"]["text"] and "tenant A" not in m["content"]["text"]
        for m in prompt["messages"]
    )
    assert (await ams.get_long_term_memory(f"{user}-secret")).text == "The safe code is 4711"
    assert (await ams.get_or_create_working_memory(session, user_id=user))[1].messages[
        0
    ].content == "tenant A's message"


async def test_the_clients_convenience_methods_over_the_same_routes(ams: MemoryAPIClient, user: str) -> None:
    """Methods the client builds from the routes above: session data, memories put in a session,
    promotion, bulk creation, paging through every result, the search tool, the hydrated prompt."""
    session = f"c-{user}"
    await ams.put_working_memory(
        session, WorkingMemory(session_id=session, user_id=user, messages=[]), user_id=user
    )
    await ams.set_working_memory_data(session, {"plan": "gold"})
    await ams.update_working_memory_data(session, {"seats": 2}, user_id=user)
    assert (await ams.get_or_create_working_memory(session, user_id=user))[1].data == {
        "plan": "gold",
        "seats": 2,
    }
    record = ClientMemoryRecord(id=f"{user}-w", text="User collects vintage fountain pens", user_id=user)
    await ams.add_memories_to_working_memory(session, [record])
    await ams.promote_working_memories_to_long_term(session)
    assert (await ams.get_long_term_memory(f"{user}-w")).text == "User collects vintage fountain pens"
    batches = [
        [ClientMemoryRecord(id=f"{user}-b{i}", text=f"Bulk fact {i}: shelf {i} holds jars", user_id=user)]
        for i in range(3)
    ]
    await ams.bulk_create_long_term_memories(batches, delay_between_batches=0)
    every = [
        m
        async for m in ams.search_all_long_term_memories(
            "jars on shelves", user_id=UserId(eq=user), batch_size=2
        )
    ]
    assert {f"{user}-b{i}" for i in range(3)} <= {m.id for m in every}
    tool = await ams.search_memory_tool("fountain pens", user_id=user)
    assert "fountain pens" in str(tool)
    hydrated = await ams.hydrate_memory_prompt("what does the user collect?", user_id={"eq": user})
    assert "fountain pens" in hydrated["messages"][0]["content"]["text"]
