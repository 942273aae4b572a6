"""MnemoStore inside a LangGraph graph: `compile(store=...)`, `get_store()` in a node, semantic
search with scores, the async forms, and bad input in LangGraph's own shape. LangGraph's own store
tests run against it in vendor/test_langgraph_store_suite.py."""

from __future__ import annotations

from typing import Any, TypedDict

import pytest
from langgraph.config import get_store
from langgraph.graph import END, START, StateGraph
from langgraph.store.base import InvalidNamespaceError, SearchItem

from mnemo_client import MnemoError
from mnemo_client.langgraph import MAX_VALUE_CHARS, MnemoStore, caller_id, encode_namespace


class State(TypedDict):
    user: str
    question: str
    answer: str


def remember(state: State) -> dict[str, Any]:
    store = get_store()
    store.put(("memories", state["user"]), "drink", {"text": "Alice drinks green tea every morning"})
    store.put(("memories", state["user"]), "pet", {"text": "Alice has a cat called Mochi"})
    return {}


def answer(state: State) -> dict[str, Any]:
    hits = get_store().search(("memories", state["user"]), query=state["question"], limit=1)
    return {"answer": hits[0].value["text"] if hits else "I don't know"}


def test_a_graph_compiled_with_the_store_remembers_across_runs(mnemo: Any, user: str) -> None:
    store = MnemoStore(mnemo.url, api_key=mnemo.api_key, user_id=user)
    builder = StateGraph(State)
    builder.add_node("remember", remember)
    builder.add_node("answer", answer)
    builder.add_edge(START, "remember")
    builder.add_edge("remember", "answer")
    builder.add_edge("answer", END)
    graph = builder.compile(store=store)

    out = graph.invoke({"user": "alice", "question": "what pet does Alice have?", "answer": ""})
    assert out["answer"] == "Alice has a cat called Mochi"

    # A second graph, a second store object: what the first wrote is in mnemo, not in memory.
    reader = StateGraph(State)
    reader.add_node("answer", answer)
    reader.add_edge(START, "answer")
    fresh = MnemoStore(mnemo.url, api_key=mnemo.api_key, user_id=user)
    again = reader.compile(store=fresh).invoke({"user": "alice", "question": "morning drink?", "answer": ""})
    assert again["answer"] == "Alice drinks green tea every morning"

    hits = fresh.search(("memories",), query="cat")
    assert isinstance(hits[0], SearchItem) and hits[0].key == "pet" and hits[0].score is not None
    assert hits[0].namespace == ("memories", "alice")
    assert fresh.list_namespaces() == [("memories", "alice")]


async def test_async_forms_and_filters(mnemo: Any, user: str) -> None:
    store = MnemoStore(mnemo.url, api_key=mnemo.api_key, user_id=user)
    ns = ("projects", "a b/c+é")  # labels outside the scope alphabet are escaped, not refused
    await store.aput(ns, "p1", {"name": "Apollo", "status": "active", "stars": 5})
    await store.aput(ns, "p2", {"name": "Borealis", "status": "paused", "stars": 2})
    await store.aput(ns, "p3", {"name": "Cassini", "status": "active", "stars": 9}, index=False)
    item = await store.aget(ns, "p1")
    assert item is not None and item.value["name"] == "Apollo" and item.namespace == ns
    assert item.updated_at >= item.created_at  # never updated before it was created

    active = await store.asearch(("projects",), filter={"status": "active", "stars": {"$gte": 5}})
    assert sorted(i.key for i in active) == ["p1", "p3"]
    ranked = await store.asearch(("projects",), query="Borealis", filter={"status": "paused"})
    assert [i.key for i in ranked] == ["p2"] and ranked[0].score is not None
    # index=False: found by filters, never by a query
    assert "p3" not in [i.key for i in await store.asearch(("projects",), query="Cassini")]
    assert await store.alist_namespaces(prefix=("projects",)) == [ns]

    await store.aput(ns, "p1", {"name": "Apollo", "status": "done", "stars": 5})
    updated = await store.aget(ns, "p1")
    assert updated is not None and updated.value["status"] == "done" and updated.updated_at >= item.updated_at
    await store.adelete(ns, "p1")
    assert await store.aget(ns, "p1") is None
    await store.aclose()


def test_two_users_stores_keep_their_own_item_under_one_key(mnemo: Any, user: str) -> None:
    # mnemo names a memory by its caller id across the tenant: a bare key as that id would let
    # bob's put overwrite alice's item and move it to bob.
    alice = MnemoStore(mnemo.url, api_key=mnemo.api_key, user_id=f"{user}-alice")
    bob = MnemoStore(mnemo.url, api_key=mnemo.api_key, user_id=f"{user}-bob")
    alice.put(("prefs",), "seat", {"text": "Alice wants the aisle"})
    bob.put(("prefs",), "seat", {"text": "Bob wants the window"})
    alice_item, bob_item = alice.get(("prefs",), "seat"), bob.get(("prefs",), "seat")
    assert alice_item is not None and alice_item.value == {"text": "Alice wants the aisle"}
    assert bob_item is not None and bob_item.value == {"text": "Bob wants the window"}
    bob.delete(("prefs",), "seat")
    assert bob.get(("prefs",), "seat") is None and alice.get(("prefs",), "seat") is not None


def test_caller_ids_are_the_typescript_stores() -> None:
    # The same derivation as client-ts's MnemoStore (its value computed there): both reach one item.
    assert caller_id({"user_id": "mei"}, ("memories", "prefs"), "café") == (
        "lg-97b5c541e0f74b2b2e3d92ac5d4296bf8ecafa32427072765ada8fd4b5608f7d"
    )


def test_bad_input_keeps_langgraphs_shape(mnemo: Any, user: str) -> None:
    store = MnemoStore(mnemo.url, api_key=mnemo.api_key, user_id=user)
    with pytest.raises(InvalidNamespaceError):
        store.put(("has.period",), "k", {"v": 1})
    with pytest.raises(InvalidNamespaceError):
        store.put(("x" * 300,), "k", {"v": 1})  # longer than a mnemo scope id
    with pytest.raises(ValueError, match="at most"):  # a value over the documented size
        store.put(("ok",), "k", {"v": "x" * (MAX_VALUE_CHARS + 1)})
    with pytest.raises(ValueError, match="JSON document"):
        store.put(("ok",), "k", {"v": float("nan")})
    stranger = MnemoStore(mnemo.url, api_key="not-a-key", user_id=user)
    with pytest.raises(MnemoError) as denied:
        stranger.search(("ok",))
    assert denied.value.status == 401


def test_namespaces_encode_injectively() -> None:
    assert encode_namespace(("a", "b")) != encode_namespace(("a/b",))
    assert encode_namespace(("a+2F",)) != encode_namespace(("a/",))
    assert encode_namespace(("users", "alice")) == "lg/users/alice"
