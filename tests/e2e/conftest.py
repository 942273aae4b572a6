from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pytest
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from mnemo.api.config.settings import Settings
from mnemo.api.guards.request_gate import LOOPBACK_BASE_URL
from mnemo.api.http.app import create_app
from mnemo.backends.qdrant_edge.index import EdgeVectorIndex
from mnemo.backends.redis.cluster import make_cluster_client
from mnemo.retrieval.ranking.model import varied
from tests.conftest import copy_sparse, with_test_redis
from tests.redis_cluster import LocalCluster

EMBEDDING_DIMENSION = 384  # all-MiniLM-L6-v2

AppFactory = Callable[..., AbstractAsyncContextManager[AsyncTestClient[Any]]]
SettingsFactory = Callable[..., Settings]


@pytest.fixture(scope="session")
async def empty_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with every shard and payload index created, closed: copying it is far faster
    than letting each test's app create five shards and their indexes."""
    path = tmp_path_factory.mktemp("e2e-template") / "data"
    index = EdgeVectorIndex(path / "qdrant", Settings().collection_prefix, EMBEDDING_DIMENSION)
    await index.open()
    await index.close()
    return path


@pytest.fixture
def app_settings(tmp_path: Path, empty_data_dir: Path, redis_url: str, redis_prefix: str) -> SettingsFactory:
    """The settings of a test's app on a data dir (default: a fresh copy of the empty one) with
    optional overrides; Redis is the test server under this test's own key prefix unless the overrides
    say otherwise. `app_client` and `live_app` both open their app on these."""

    def settings(data_dir: Path | None = None, **overrides: Any) -> Settings:
        if data_dir is None:
            data_dir = tmp_path / "data"
            if not data_dir.exists():
                copy_sparse(empty_data_dir, data_dir)
        return Settings(data_dir=data_dir, **with_test_redis(overrides, redis_url, redis_prefix))

    return settings


@pytest.fixture
def app_client(app_settings: SettingsFactory) -> AppFactory:
    """Open the real app in a test client, on `app_settings(data_dir, **overrides)`."""

    def open_client(data_dir: Path | None = None, **overrides: Any) -> AbstractAsyncContextManager[Any]:
        app = create_app(app_settings(data_dir, **overrides))
        return AsyncTestClient(app=app, base_url=LOOPBACK_BASE_URL)

    return open_client


@pytest.fixture
async def client(app_client: AppFactory) -> AsyncIterator[AsyncTestClient[Any]]:
    async with app_client() as c:
        yield c


# Two tenants by API key, and the headers of each one's requests.
TWO_TENANTS = "key-a:alpha,key-b:beta"
A = {"Authorization": "Bearer key-a"}
B = {"Authorization": "Bearer key-b"}


@pytest.fixture
async def tenants(app_client: AppFactory) -> AsyncIterator[AsyncTestClient[Any]]:
    """The real app with API keys for two tenants (`TWO_TENANTS`): a request says whose it is (`A`, `B`)."""
    async with app_client(api_keys=TWO_TENANTS) as c:
        yield c


def semantic(content: str, **fields: Any) -> dict[str, Any]:
    """A semantic memory to write: `content`, with the other fields given (`occurred_at`, `id`, `scope`)."""
    return {"type": "semantic", "content": content, **fields}


def instant(minute: str) -> str:
    """The timestamp a write takes for a time to the minute: UTC ("2027-03-24T20:30") unless it
    ends with its own offset ("2027-01-20T17:00+05:30", a time on the asker's clock)."""
    zoned = re.fullmatch(r"(.+T\d\d:\d\d)([+-]\d\d:\d\d)", minute)
    return f"{zoned[1]}:00{zoned[2]}" if zoned else f"{minute}:00Z"


def event(content: str, at: str, **fields: Any) -> dict[str, Any]:
    """An episodic memory to write: `content`, that happened `at` (a time to the minute, as
    `instant` reads it: "2027-03-24T20:30", "2026-11-29T18:00-06:00"), with the other fields given."""
    return {"type": "episodic", "content": content, "occurred_at": instant(at), **fields}


def reminder(content: str, due: str | None = None, **fields: Any) -> dict[str, Any]:
    """A prospective memory to write: `content`, due `due` (a time to the minute, as `event`'s)
    where one is given, with the other fields given (`trigger`)."""
    memory = {"type": "prospective", "content": content, **fields}
    return memory if due is None else {**memory, "due_at": instant(due)}


def reminders(due: dict[str, str]) -> list[dict[str, Any]]:
    """Prospective memories to write: each content of `due` due at its time (as `reminder`'s)."""
    return [reminder(content, at) for content, at in due.items()]


def procedure(content: str, **fields: Any) -> dict[str, Any]:
    """A procedural memory to write: the steps `content` tells, with the other fields given."""
    return {"type": "procedural", "content": content, **fields}


ALICE = {"user_id": "alice"}
FACTS = [
    semantic(
        "Alice prefers green tea over coffee, and drinks it without sugar.",
        scope=ALICE,
        id="fact-1",
        importance=0.8,
    ),
    event("Alice asked about flights to Lisbon.", "2025-03-01T10:00", scope=ALICE),
    procedure("To reset the router, hold the button for ten seconds.", scope=ALICE),
    reminder("Remind Alice to renew her passport.", "2025-04-01T09:00", scope=ALICE, trigger="passport"),
]


async def write(
    client: AsyncTestClient[Any], memories: list[dict[str, Any]], **options: Any
) -> dict[str, Any]:
    response = await client.post("/v1/memories", json={"memories": memories, **options})
    assert response.status_code == 201, response.text
    return response.json()


async def write_results(
    client: AsyncTestClient[Any], memories: list[dict[str, Any]], **options: Any
) -> list[dict[str, Any]]:
    """What the write did with each memory, in the order given."""
    results: list[dict[str, Any]] = (await write(client, memories, **options))["results"]
    return results


async def write_statuses(client: AsyncTestClient[Any], memories: list[dict[str, Any]]) -> list[str]:
    """What the write did with each memory, in the order given, as its status ("created", "merged" …)."""
    return [r["status"] for r in await write_results(client, memories)]


async def write_one(
    client: AsyncTestClient[Any], memory: dict[str, Any], headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """What the write did with one memory (a tenant's, where `headers` carry its key)."""
    response = await client.post("/v1/memories", json={"memories": [memory]}, headers=headers or {})
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()["results"][0]
    return result


@asynccontextmanager
async def holding(
    app_client: AppFactory, memories: list[dict[str, Any]], scope: dict[str, str] | None = None
) -> AsyncIterator[AsyncTestClient[Any]]:
    """A client of the real app whose store holds `memories` (each in `scope`, where one is given),
    written in one request, so that no time passes between them."""
    async with app_client() as client:
        await write(client, [{**m, "scope": scope} for m in memories] if scope else memories)
        yield client


@pytest.fixture
async def asked(
    request: pytest.FixtureRequest, app_client: AppFactory
) -> AsyncIterator[tuple[Asker, AsyncTestClient[Any]]]:
    """For a test parametrized indirectly with a person's name, a key of its module's `STORES` (name:
    their `Asker` and the memories of their store): the asker, and a client of the app holding that
    store in the asker's scope."""
    asker, memories = request.module.STORES[request.param]
    async with holding(app_client, memories, asker.scope) as client:
        yield asker, client


def store_holding(memories: list[dict[str, Any]], scope: dict[str, str] | None = None) -> Any:
    """A fixture: a client of the real app whose store `holding` makes."""

    @pytest.fixture
    async def fixture(app_client: AppFactory) -> AsyncIterator[AsyncTestClient[Any]]:
        async with holding(app_client, memories, scope) as client:
            yield client

    return fixture


@pytest.fixture
async def cluster_prefix(redis_cluster: LocalCluster) -> AsyncIterator[str]:
    """A key prefix of the test's own on the shared cluster; its keys are removed afterwards."""
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    yield prefix
    client = cast(Redis, make_cluster_client(redis_cluster.url, 5.0))
    async for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        await client.delete(key)
    await client.aclose()


async def retrieved(
    client: AsyncTestClient[Any], query: str, scope: dict[str, str], now: str, **options: Any
) -> list[dict[str, Any]]:
    """The memories a retrieval in `scope` at the fixed time `now` returns, each with its `explain`
    (the ranking's components), for tests that look at how the ranking placed them."""
    body = {"query": query, "scope": scope, "now": now, "explain": True, **options}
    response = await client.post("/v1/retrieve", json=body)
    assert response.status_code == 200, response.text
    return list(response.json()["memories"])


def contribution(memories: list[dict[str, Any]], content: str, component: str) -> float:
    """What one ranking component added to the score of the memory holding `content` (0 where it
    added nothing), from a retrieval's `explain`."""
    found = next(m for m in memories if m["content"] == content)
    return float(found["explain"]["components"].get(component, {}).get("contribution", 0.0))


def scored(memories: list[dict[str, Any]], component: str) -> set[str]:
    """The contents of the memories whose score one ranking component had a part in, from a
    retrieval's `explain`."""
    return {m["content"] for m in memories if component in m["explain"]["components"]}


@dataclass(frozen=True)
class Asker:
    """Who asks a test's store, and when: each question is a retrieval in `scope` at the fixed time
    `now`, with the request `options` every question of the test shares (`min_confidence`,
    `timezone`), so that a test names only its store and its question."""

    scope: dict[str, str]
    now: str
    options: dict[str, Any] = field(default_factory=dict)

    async def retrieved(
        self, client: AsyncTestClient[Any], query: str, **options: Any
    ) -> list[dict[str, Any]]:
        """`retrieved` in the asker's scope at its time; `options` add to (or override) its own."""
        return await retrieved(client, query, self.scope, self.now, **{**self.options, **options})

    async def contents(self, client: AsyncTestClient[Any], query: str, **options: Any) -> list[str]:
        """The contents of the memories `retrieved` returns, in rank order."""
        return [m["content"] for m in await self.retrieved(client, query, **options)]

    async def top(self, client: AsyncTestClient[Any], query: str, count: int, **options: Any) -> set[str]:
        """The contents of the first `count` memories `retrieved` returns, as a set: for tests that
        ask which memories lead, not in what order among themselves."""
        return set((await self.contents(client, query, **options))[:count])

    async def ranked(self, client: AsyncTestClient[Any], query: str) -> list[str]:
        """The contents of the facts and events the question finds, in rank order, whatever their
        confidence: for tests that ask which of two memories ranks first."""
        return await self.contents(client, query, types=["semantic", "episodic"], min_confidence=0)


def vary_ranking(
    client: AsyncTestClient[Any], monkeypatch: pytest.MonkeyPatch, changes: dict[str, Any]
) -> None:
    """Give the app's retriever a copy of its ranking model with `changes` (fitted constants or
    stages, not settings) until the test ends, so a test can show what one of them does."""
    retriever = client.app.state.services.retriever
    monkeypatch.setattr(retriever, "model", varied(retriever.model, changes))


async def in_app_loop(client: AsyncTestClient[Any], func: Callable[..., Any], *args: Any) -> Any:
    """Await `func(*args)` on the app's own event loop (the test client runs the app in a portal
    thread): what holds the app's Redis connections must be awaited there."""
    return await asyncio.to_thread(client.blocking_portal.call, func, *args)
