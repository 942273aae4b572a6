"""Zep's own SDK (`zep-cloud` 3.x, Zep's API v3) against a real mnemo serve at `/zep/api/v2`: what a
chat application calls (users, threads, messages, the thread's context, its history, graph search
and add, deletes), tenants kept apart, errors as the SDK's exception types, and the 501s."""

from __future__ import annotations

import pytest
from calls import call_with_placeholders
from conftest import Server
from zep_cloud import AsyncZep, BadRequestError, Message, NotFoundError, Zep
from zep_cloud.core.api_error import ApiError


@pytest.fixture(scope="module")
def zep(mnemo: Server) -> Zep:
    return Zep(api_key=mnemo.key, base_url=f"{mnemo.url}/zep/api/v2", timeout=120)


@pytest.fixture(scope="module")
def other_tenant(mnemo: Server) -> Zep:
    return Zep(api_key=mnemo.other_key, base_url=f"{mnemo.url}/zep/api/v2", timeout=120)


def _chat(zep: Zep, user: str) -> str:
    zep.user.add(
        user_id=user, first_name="Jane", last_name="Smith", email="jane@example.com", metadata={"plan": "pro"}
    )
    thread = f"t-{user}"
    zep.thread.create(thread_id=thread, user_id=user)
    zep.thread.add_messages(
        thread,
        messages=[
            Message(role="user", name="Jane", content="My order #4411 arrived with a cracked screen."),
            Message(role="assistant", content="Sorry, Jane. I have started a replacement for order #4411."),
        ],
    )
    return thread


def test_users_add_get_update_list(zep: Zep, user: str) -> None:
    added = zep.user.add(user_id=user, first_name="Ada", email="ada@example.com", metadata={"tier": "gold"})
    assert added.user_id == user and added.first_name == "Ada"
    zep.user.update(user, last_name="Lovelace", metadata={"team": "math"})
    got = zep.user.get(user)
    assert (got.first_name, got.last_name, got.email) == ("Ada", "Lovelace", "ada@example.com")
    assert got.metadata == {"tier": "gold", "team": "math"}
    listed = zep.user.list_ordered(page_size=1000)
    assert user in {u.user_id for u in listed.users or []}


def test_threads_messages_history_and_context(zep: Zep, user: str) -> None:
    thread = _chat(zep, user)
    assert [t.thread_id for t in zep.user.get_threads(user)] == [thread]
    history = zep.thread.get(thread)
    assert [(m.role, m.content) for m in history.messages or []] == [
        ("user", "My order #4411 arrived with a cracked screen."),
        ("assistant", "Sorry, Jane. I have started a replacement for order #4411."),
    ]
    assert [m.content for m in zep.thread.get(thread, lastn=1).messages or []] == [
        "Sorry, Jane. I have started a replacement for order #4411."
    ]
    added = zep.thread.add_messages(
        thread, messages=[Message(role="user", content="What was wrong with my order?")], return_context=True
    )
    assert len(added.message_uuids or []) == 1 and "cracked screen" in (added.context or "")
    zep.thread.add_messages_batch(
        thread, messages=[Message(role="assistant", content="It was the March order.")]
    )
    assert len(zep.thread.get(thread).messages or []) == 4
    context = zep.thread.get_user_context(thread).context or ""
    # Like Zep's, the context says who the user is, whatever the messages are about.
    assert context.count("Jane Smith") == 1 and "cracked screen" in context


def test_graph_search_edges_and_episodes_and_graph_add(zep: Zep, user: str) -> None:
    thread = _chat(zep, user)
    zep.graph.add(user_id=user, type="text", data="Jane prefers to be contacted by email, never by phone.")
    edges = zep.graph.search(user_id=user, query="how should we contact Jane?", scope="edges", limit=3)
    assert "email" in (edges.edges or [])[0].fact
    episodes = zep.graph.search(user_id=user, query="cracked screen", scope="episodes", limit=2)
    best = (episodes.episodes or [])[0]
    assert "cracked screen" in best.content and best.thread_id == thread


def test_deletes(zep: Zep, user: str) -> None:
    thread = _chat(zep, user)
    zep.thread.delete(thread)
    with pytest.raises(NotFoundError):
        zep.thread.get(thread)
    assert zep.graph.search(user_id=user, query="cracked screen", scope="episodes").episodes == []
    zep.user.delete(user)
    with pytest.raises(NotFoundError):
        zep.user.get(user)


def test_bad_input_is_the_sdks_bad_request_error(zep: Zep, user: str) -> None:
    with pytest.raises(BadRequestError):
        zep.user.add(user_id="has spaces!")
    with pytest.raises(ApiError) as raised:  # the SDK declares no 404 here: its bare ApiError
        zep.thread.create(thread_id=f"t-{user}", user_id=f"{user}-never-added")
    assert raised.value.status_code == 404


@pytest.mark.parametrize(
    ("call", "method"),
    [
        (lambda z: z.thread.get_summary("any"), "thread.get_summary"),
        (lambda z: z.graph.search(graph_id="g", query="q"), "graph.search(graph_id)"),
        (lambda z: z.graph.search(user_id="u", query="q", scope="nodes"), "graph.search(scope=nodes)"),
        (lambda z: z.user.get_node("u"), "user.get_node"),
    ],
)
def test_what_mnemo_does_not_serve_is_a_501_naming_the_method(zep: Zep, call: object, method: str) -> None:
    with pytest.raises(ApiError) as raised:
        call(zep)  # type: ignore[operator]
    assert raised.value.status_code == 501 and raised.value.body["method"] == method


def test_tenants_are_kept_apart_on_every_route(zep: Zep, other_tenant: Zep, user: str) -> None:
    thread = _chat(zep, user)
    for call in (
        lambda: other_tenant.user.get(user),
        lambda: other_tenant.thread.get(thread),
        lambda: other_tenant.thread.get_user_context(thread),
        lambda: other_tenant.thread.add_messages(thread, messages=[Message(role="user", content="intruder")]),
        lambda: other_tenant.thread.create(thread_id=thread, user_id=user),
        lambda: other_tenant.thread.delete(thread),
        lambda: other_tenant.user.update(user, first_name="Mallory"),
        lambda: other_tenant.user.delete(user),
    ):
        with pytest.raises(ApiError) as raised:
            call()
        assert raised.value.status_code == 404
    assert other_tenant.user.get_threads(user) == []
    assert other_tenant.graph.search(user_id=user, query="cracked screen", scope="episodes").episodes == []
    assert user not in {u.user_id for u in other_tenant.user.list_ordered(page_size=1000).users or []}
    assert len(zep.thread.get(thread).messages or []) == 2
    assert zep.user.get(user).first_name == "Jane"


async def test_the_async_client(mnemo: Server, user: str) -> None:
    zep = AsyncZep(api_key=mnemo.key, base_url=f"{mnemo.url}/zep/api/v2", timeout=120)
    await zep.user.add(user_id=user, first_name="Omar")
    await zep.thread.create(thread_id=f"a-{user}", user_id=user)
    await zep.thread.add_messages(
        f"a-{user}", messages=[Message(role="user", content="I am training for a triathlon in June.")]
    )
    assert "triathlon" in ((await zep.thread.get_user_context(f"a-{user}")).context or "")


# Every method of the SDK that mnemo does not serve: each a 501 whose body names it.
NOT_SERVED = [
    "user.list_user_summary_instructions", "user.add_user_summary_instructions",
    "user.delete_user_summary_instructions", "user.get_node", "user.warm",
    "thread.list_all", "thread.get_episodes", "thread.get_summary", "thread.message.update",
    "graph.list_custom_instructions", "graph.add_custom_instructions", "graph.delete_custom_instructions",
    "graph.list_entity_types", "graph.set_entity_types_internal", "graph.add_batch", "graph.add_fact_triple",
    "graph.clone", "graph.create", "graph.get_episodes_for_document", "graph.list_all", "graph.add_nodes",
    "graph.detect_patterns", "graph.get_subgraph", "graph.get", "graph.delete", "graph.update", "graph.warm",
    "graph.edge.get_by_graph_id", "graph.edge.get_by_user_id", "graph.edge.get", "graph.edge.delete",
    "graph.edge.update", "graph.episode.get_by_graph_id", "graph.episode.list_by_graph_id",
    "graph.episode.get_by_user_id", "graph.episode.list_by_user_id", "graph.episode.get",
    "graph.episode.delete", "graph.episode.update", "graph.episode.get_nodes_and_edges",
    "graph.node.get_by_graph_id", "graph.node.get_by_user_id", "graph.node.get_edges",
    "graph.node.get_episodes", "graph.node.get_neighbors", "graph.node.get", "graph.node.delete",
    "graph.node.update", "project.get", "task.get", "context.list_context_templates", "batch.list",
    "user_group.list",
]  # fmt: skip


@pytest.mark.parametrize("method", NOT_SERVED)
def test_every_method_mnemo_does_not_serve_is_a_501(zep: Zep, method: str) -> None:
    with pytest.raises(ApiError) as raised:
        call_with_placeholders(zep, method)
    assert raised.value.status_code == 501, raised.value.body
    assert raised.value.body["code"] == "not_supported"
