"""GET /metrics on the real app: after a few writes, retrievals and working-memory calls, every series
is there with bounded labels and values that match what the responses said."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from litestar.testing import AsyncTestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import copy_sparse
from tests.e2e.conftest import AppFactory

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(client: AsyncTestClient[Any]) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for s in family.samples:
            samples[(s.name, frozenset(s.labels.items()))] = s.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sum over every sample of `name` whose labels include `labels`."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and wanted <= ls)


def label_values(samples: Samples, name: str, label: str) -> set[str]:
    return {dict(ls)[label] for (n, ls) in samples if n == name and label in dict(ls)}


MEMORIES = [
    {"type": "semantic", "content": "Alice prefers green tea over coffee, and drinks it without sugar.",
     "importance": 0.9},
    {"type": "semantic", "content": "Alice is allergic to peanuts, so she avoids Thai takeaway food."},
    {"type": "episodic", "content": "Alice asked about flights to Lisbon in March.",
     "occurred_at": "2025-03-01T10:00:00Z"},
    {"type": "episodic", "content": "Alice booked a table at the Lisbon harbour restaurant.",
     "occurred_at": "2025-03-02T10:00:00Z"},
    {"type": "procedural", "content": "To book a flight: compare three fares, hold the best, then pay."},
    {"type": "episodic", "content": "Bob: thanks!"},  # filler
    {"type": "semantic", "content": "\u200b\u200b"},  # no word character (a short fact would be kept)
]  # fmt: skip


async def test_metrics_show_every_series_after_a_few_requests(client: AsyncTestClient[Any]) -> None:
    written = await client.post("/v1/memories", json={"memories": MEMORIES})
    assert written.status_code == 201, written.text
    results = written.json()["results"]
    assert (
        await client.post("/v1/working/trip-42/items", json={"content": "Window seat, aisle if not."})
    ).status_code == 201
    assert (await client.get("/v1/working/trip-42")).status_code == 200

    tokens: dict[str, int] = defaultdict(int)
    trimmed: dict[str, int] = defaultdict(int)
    bodies = []
    for query, budget in (("What does Alice drink?", 2000), ("Lisbon trip plans", 30)):
        response = await client.post(
            "/v1/retrieve", json={"query": query, "budget_tokens": budget, "task_id": "trip-42"}
        )
        assert response.status_code == 200, response.text
        bodies.append(response.json())
        for memory_type, usage in response.json()["metadata"]["per_type"].items():
            tokens[memory_type] += usage["tokens"]
            trimmed[memory_type] += usage["trimmed"]
    assert (await client.get("/v1/memories/00000000-0000-4000-8000-000000000000")).status_code == 404

    m = await scrape(client)

    # Request latency by route: templates, never raw ids.
    assert value(m, "mnemo_requests_total", path="/v1/retrieve", method="POST", status_code="200") == 2
    assert value(m, "mnemo_request_duration_seconds_count", path="/v1/retrieve") == 2
    assert value(m, "mnemo_request_duration_seconds_count", path="/v1/memories", method="POST") == 1
    paths = label_values(m, "mnemo_requests_total", "path")
    assert "/v1/working/{task_id}/items" in paths and "/v1/memories/{memory_id}" in paths
    assert not any("trip-42" in p or "00000000" in p for p in paths)
    assert value(m, "mnemo_requests_total", path="/v1/memories/{memory_id}", status_code="404") == 1

    # Retrieval stages, as the responses timed them.
    for stage in ("embed", "search", "pack", "working"):
        assert value(m, "mnemo_retrieval_stage_seconds_count", stage=stage) == 2, stage
    assert value(m, "mnemo_retrieval_stage_seconds_sum", stage="embed") > 0

    # Tokens and trimmed items per type equal what the two responses reported.
    assert sum(tokens.values()) > 0 and sum(trimmed.values()) > 0  # the 30-token budget trims
    for memory_type in tokens:
        assert value(m, "mnemo_retrieved_tokens_total", type=memory_type) == tokens[memory_type]
        assert value(m, "mnemo_retrieval_trimmed_items_total", type=memory_type) == trimmed[memory_type]
    assert tokens["working"] > 0
    returned = sum(len(b["memories"]) for b in bodies)
    assert value(m, "mnemo_retrieved_items_total") == returned

    # Write outcomes, pre-filter drops by reason, importance tiers.
    statuses = [r["status"] for r in results]
    assert value(m, "mnemo_memory_writes_total", status="created") == statuses.count("created") == 5
    assert value(m, "mnemo_memory_writes_total", status="skipped") == 2
    assert value(m, "mnemo_prefilter_drops_total", reason="filler") == 1
    assert value(m, "mnemo_prefilter_drops_total", reason="no_words") == 1
    assert value(m, "mnemo_importance_tier_total", tier="caller") == 1
    tiers = [r["importance_tier"] for r in results if r["importance_tier"] not in (None, "caller")]
    assert value(m, "mnemo_importance_tier_total") - 1 == len(tiers) == 4

    # Engines: Redis is up, so its breaker is closed and nothing failed.
    assert m[("mnemo_circuit_breaker_state", frozenset({("engine", "redis")}))] == 0
    assert value(m, "mnemo_engine_errors_total") == 0
    assert ("mnemo_working_evicted_items_total", frozenset()) in m


async def test_redis_outage_shows_as_errors_an_open_breaker_and_degraded_retrievals(
    app_client: AppFactory,
) -> None:
    # Nothing listens on port 1: every Redis call fails at once with a connection error.
    async with app_client(redis={"url": "redis://127.0.0.1:1/0", "breaker_reset_s": 60.0}) as client:
        for _ in range(4):
            response = await client.post("/v1/working/t1/items", json={"content": "a note for the task"})
            assert response.status_code == 503
        response = await client.post("/v1/retrieve", json={"query": "anything", "task_id": "t1"})
        assert response.status_code == 200 and response.json()["metadata"]["degraded"] == ["working_memory"]
        m = await scrape(client)
    assert m[("mnemo_circuit_breaker_state", frozenset({("engine", "redis")}))] == 2  # open
    assert value(m, "mnemo_engine_errors_total", engine="redis", kind="ConnectionError") >= 2
    assert value(m, "mnemo_retrieval_degraded_total", part="working_memory") == 1
    assert value(m, "mnemo_requests_total", path="/v1/working/{task_id}/items", status_code="503") == 4


async def test_two_apps_in_one_process_keep_their_own_counts(
    app_client: AppFactory, tmp_path: Path, empty_data_dir: Path
) -> None:
    other_dir = tmp_path / "other"
    copy_sparse(empty_data_dir, other_dir)
    async with app_client() as first, app_client(data_dir=other_dir) as second:
        await first.post("/v1/retrieve", json={"query": "tea"})
        for _ in range(2):
            await second.post("/v1/retrieve", json={"query": "coffee"})
        first_m, second_m = await scrape(first), await scrape(second)
    for m, n in ((first_m, 1), (second_m, 2)):
        assert value(m, "mnemo_requests_total", path="/v1/retrieve") == n
        assert value(m, "mnemo_retrieval_stage_seconds_count", stage="embed") == n


async def test_metrics_stay_out_of_the_openapi_schema(client: AsyncTestClient[Any]) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/metrics" not in schema["paths"]


async def test_vector_store_failures_count_as_qdrant_errors(client: AsyncTestClient[Any]) -> None:
    await client.app.state.services.index.close()  # the store goes away under the running service
    response = await client.post("/v1/retrieve", json={"query": "tea"})
    assert response.status_code == 503
    m = await scrape(client)
    assert value(m, "mnemo_engine_errors_total", engine="qdrant", kind="Unavailable") == 1
    assert value(m, "mnemo_engine_errors_total", engine="redis") == 0
