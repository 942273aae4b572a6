"""What the frameworks' own base classes promise, held by the adapters on a real server with API
keys: a store search is a ranking of every matching item (`limit` after `offset`, however alike the
items are), any JSON value of a megabyte round-trips exactly, thousands of concurrent async
operations on one store complete, a framework's parallel writes get through the tenant's limits,
and a session's pops are atomic. The limits the adapters' docs state are checked here too."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from operator import add
from typing import Annotated, Any, TypedDict

import pytest
from langgraph.config import get_store
from langgraph.graph import END, START, StateGraph

from mnemo_client.langgraph import MAX_TEXT_CHARS, MnemoStore
from mnemo_client.openai_agents import MnemoSession


def _store(mnemo: Any, user: str) -> MnemoStore:
    return MnemoStore(mnemo.url, api_key=mnemo.api_key, user_id=user)


def test_a_search_pages_through_every_matching_item_however_alike(mnemo: Any, user: str) -> None:
    store = _store(mnemo, user)
    for i in range(5):  # near-copies of each other: a packed retrieval keeps one or two of them
        store.put(("test",), f"doc{i}", {"text": f"test document number {i}"})
    store.put(("other",), "far", {"text": "test document number 0"})  # outside the prefix

    first, second, last = (store.search(("test",), query="test", limit=2, offset=o) for o in (0, 2, 4))
    assert [len(first), len(second), len(last)] == [2, 2, 1]
    keys = [i.key for i in first + second + last]
    assert sorted(keys) == [f"doc{i}" for i in range(5)]
    scores = [i.score for i in first + second + last]
    assert all(s is not None for s in scores) and scores == sorted(scores, reverse=True)
    assert len(store.search(("test",), query="test", limit=10)) == 5


def test_one_matching_item_among_many_others_is_found(mnemo: Any, user: str) -> None:
    store = _store(mnemo, user)
    for i in range(60):
        store.put(("docs",), f"noise{i}", {"text": f"unrelated note {i} about the weather", "kind": "n"})
    store.put(("docs",), "needle", {"text": "quarterly revenue report", "kind": "wanted"})
    hits = store.search(("docs",), query="revenue", filter={"kind": "wanted"}, limit=10)
    assert [h.key for h in hits] == ["needle"]
    page = store.search(("docs",), query="weather", limit=10, offset=50)
    assert len(page) == 10  # 61 items: a full page at offset 50


def test_a_megabyte_value_of_any_json_shape_round_trips_exactly(mnemo: Any, user: str) -> None:
    store = _store(mnemo, user)
    deep: Any = "bottom"
    for _ in range(100):  # deeper than mnemo's metadata allows as structure
        deep = {"d": deep}
    value = {
        "rows": [{"i": i, "name": f"row {i}", "tags": ["a", "b"], "score": i / 7} for i in range(14_000)],
        "deep": deep,
        "big": 2**80,
        "": {"\x00key": None, "é": [True, False, [], {}]},
    }
    assert len(json.dumps(value)) > 1_000_000
    store.put(("big",), "one", value)
    got = store.get(("big",), "one")
    assert got is not None and got.value == value
    hits = store.search(("big",), query="row 17")
    assert hits and hits[0].value == value


async def test_ten_thousand_concurrent_async_operations_complete(mnemo: Any, user: str) -> None:
    store = _store(mnemo, user)
    ops: list[Any] = []
    for m in range(10):
        ns = ("test", "foo", "bar", str(m % 2))
        for i in range(200):
            ops.append(store.aput(ns, f"key{i}", {"foo": f"bar{i}"}))
            ops.append(store.aget(ns, f"key{i}"))
            ops.append(store.alist_namespaces(prefix=None, max_depth=m + 1))
            ops.append(store.asearch(("test",), limit=5))
            ops.append(store.adelete(ns, f"key{i}" if i % 2 else f"gone{i}"))
    assert len(ops) == 10_000
    started = time.monotonic()
    results = await asyncio.wait_for(asyncio.gather(*ops), timeout=300)
    took = time.monotonic() - started
    print(f"10,000 concurrent async store operations: {took:.1f} s")
    assert len(results) == 10_000
    assert (await store.aget(("test", "foo", "bar", "0"), "key0")) is not None  # even keys stay
    assert (await store.aget(("test", "foo", "bar", "0"), "key1")) is None  # odd keys were deleted
    await store.aclose()


class Fanout(TypedDict):
    done: Annotated[list[int], add]


def _writer(n: int) -> Any:
    def write(_: Fanout) -> dict[str, list[int]]:
        get_store().put(("superstep",), f"node{n}", {"text": f"written by node {n}"})
        return {"done": [n]}

    return write


def test_a_superstep_of_51_nodes_writes_under_api_keys(mnemo: Any, user: str) -> None:
    builder = StateGraph(Fanout)
    for n in range(51):  # one superstep: LangGraph runs them in parallel threads
        builder.add_node(f"n{n}", _writer(n))
        builder.add_edge(START, f"n{n}")
        builder.add_edge(f"n{n}", END)
    store = _store(mnemo, user)
    # As many threads as nodes, as on a machine with many cores (the default pool has cores + 4).
    out = builder.compile(store=store).invoke({"done": []}, {"max_concurrency": 51})
    assert sorted(out["done"]) == list(range(51))
    assert len(store.search(("superstep",), limit=100)) == 51


def test_ten_writer_threads_under_api_keys(mnemo: Any, user: str) -> None:
    store = _store(mnemo, user)
    failures: list[BaseException] = []

    def write(t: int) -> None:
        try:
            for i in range(10):
                store.put(("threads", str(t)), f"k{i}", {"text": f"thread {t} item {i}"})
        except BaseException as exc:  # reported below
            failures.append(exc)

    workers = [threading.Thread(target=write, args=(t,)) for t in range(10)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert failures == []
    assert len(store.search(("threads",), limit=200)) == 100


async def test_concurrent_pops_pop_different_items(mnemo: Any, user: str) -> None:
    session = MnemoSession(f"pops-{user}", url=mnemo.url, api_key=mnemo.api_key, user_id=user)
    await session.add_items([{"role": "user", "content": f"message {i}"} for i in range(6)])
    popped = await asyncio.gather(*(session.pop_item() for _ in range(4)))
    contents = sorted(p["content"] for p in popped if p is not None)
    assert contents == ["message 2", "message 3", "message 4", "message 5"]
    assert [i["content"] for i in await session.get_items()] == ["message 0", "message 1"]


# --- the limits and differences the docs state ------------------------------------------------


def test_only_the_first_characters_of_an_items_text_are_searched(mnemo: Any, user: str) -> None:
    store = _store(mnemo, user)
    filler = "lorem ipsum " * (MAX_TEXT_CHARS // 12 + 10)
    store.put(("long",), "tail", {"text": filler + " the zebra hides at the very end"})
    store.put(("long",), "head", {"text": "a zebra stands here"})
    got = store.get(("long",), "tail")
    assert got is not None and got.value["text"].endswith("very end")  # the value is kept whole
    assert [h.key for h in store.search(("long",), query="zebra", limit=1)] == ["head"]


def test_ttl_is_not_supported(mnemo: Any, user: str) -> None:
    store = _store(mnemo, user)
    assert store.supports_ttl is False
    with pytest.raises(NotImplementedError):
        store.put(("ttl",), "k", {"text": "x"}, ttl=5)


def test_scores_are_cosine_similarities(mnemo: Any, user: str) -> None:
    store = _store(mnemo, user)
    store.put(("s",), "same", {"text": "green tea in the morning"})
    store.put(("s",), "other", {"text": "quarterly tax filing deadline"})
    same, other = store.search(("s",), query="green tea in the morning")
    assert same.key == "same" and same.score is not None and same.score == pytest.approx(1.0, abs=1e-3)
    assert other.score is not None and -1.0 <= other.score < same.score
