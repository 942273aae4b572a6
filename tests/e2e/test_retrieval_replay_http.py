"""Retrievals replayed on one fixed store answer alike with and without the serving path's changes.

The store is written once; a few hundred retrievals (questions × budgets × types × explain × floors)
are asked over HTTP of a fresh app on it as the service answered before (the "before" pass: full
collections as they were, `gc.freeze()` at start-up only, no page-cache prefetch at open), then of
a fresh app as it is. Each answer's body, less `metadata.timings_ms`, is hashed: the serving path's
changes (when the collector runs, what is frozen, what is prefetched) may not change a byte, an
order or a score.

The read path is a function of the store, the request and its `now` (list depths are sized from the
store's counts alone: retrieval/stages/sizing.py), so every dense-searched answer is byte-identical.
A hybrid search's two-stage cut is not: candidates found by BM25 alone (their dense score the
formula's default) tie on relevance when their BM25 scores are equal, and Qdrant Edge keeps the tied
ones it meets first, in an order that changes between processes (the dense and BM25 lists themselves
repeat bit for bit: benchmarks/results/read-path-100k-profile). So a hybrid answer between two fresh
apps may differ (a candidate in the tail of `left_out`, a confidence); most hybrid answers, not all,
must be byte-identical, and a change of encoding, content or order changes nearly every one. (Answers depend on the write times too, so no recording carries across stores: both
passes run here, on the one store.)
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest

from mnemo.api.config.garbage_collection import FreezeAfterFullCollections
from mnemo.backends.qdrant_edge import index as edge_index
from mnemo.benchmarks.synthetic import generate
from tests.e2e.conftest import AppFactory

NOW = "2025-08-01T09:00:00Z"
# The only part of an answer that is a measurement rather than an answer.
TIMINGS = re.compile(rb'"timings_ms":\{[^{}]*\}')
# Hybrid answers the engine's tied cut may change between two fresh apps: well above what it
# does, far below what a change of encoding, content or order does (nearly every answer).
MAX_UNLIKE = 0.25
VARIANTS: list[dict[str, Any]] = [
    {"budget_tokens": 300},
    {"budget_tokens": 2000},
    {"budget_tokens": 120, "explain": True},
    {"budget_tokens": 800, "explain": True, "min_score": 0.3},
    {"budget_tokens": 600, "types": ["semantic", "procedural", "prospective"]},
    {"budget_tokens": 1000, "types": ["episodic"], "ranking": {"neighbours": 2}},
    {"budget_tokens": 500, "min_confidence": 0.2},
]


def _store_and_questions() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Generated memories with no two alike in a scope (same words or same time): two such can score
    exactly alike, and the engine orders exact ties as it finds them."""
    memories, queries = generate(1_600, seed=5)
    seen: set[tuple[str, str]] = set()
    unique = []
    for memory in memories:
        user = memory["scope"]["user_id"]
        if (user, memory["content"]) in seen or (user, memory["occurred_at"]) in seen:
            continue
        seen.update({(user, memory["content"]), (user, memory["occurred_at"])})
        unique.append(memory)
    return unique, queries


def _bodies(queries: list[dict[str, Any]], search: str) -> list[dict[str, Any]]:
    """Each question in its own scope, in every variant, searched `search`."""
    return [
        {
            "query": query["query"],
            "scope": query["scope"],
            "now": NOW,
            **variant,
            "ranking": {**variant.get("ranking", {}), "search": search},
        }
        for query in queries
        for variant in VARIANTS
    ]


async def _replay(app_client: AppFactory, data_dir: Path, bodies: list[dict[str, Any]]) -> list[str]:
    digests = []
    async with app_client(data_dir=data_dir) as client:
        for body in bodies:
            response = await client.post("/v1/retrieve", json=body)
            assert response.status_code == 200, response.text
            assert TIMINGS.search(response.content), "the answer's timings were not found to leave out"
            digests.append(hashlib.sha256(TIMINGS.sub(b"", response.content)).hexdigest())
    return digests


@pytest.mark.slow
async def test_replayed_retrievals_answer_as_before(
    app_client: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memories, queries = _store_and_questions()
    dense, hybrid = _bodies(queries, "dense"), _bodies(queries, "hybrid")
    bodies = dense + hybrid
    assert len(dense) >= 200
    data_dir = tmp_path / "data"
    async with app_client() as client:  # the default data dir: tmp_path / "data"
        for start in range(0, len(memories), 200):  # in order: write order is what neighbours follow
            batch = {"memories": memories[start : start + 200], "dedup": False}
            response = await client.post("/v1/memories", json=batch)
            assert response.status_code == 201, response.text
        found = await client.post("/v1/retrieve", json=hybrid[1])
        assert len(found.json()["memories"]) > 5  # the replay retrieves something

    with monkeypatch.context() as before:  # as the service ran before: no freeze, no prefetch
        before.setattr(FreezeAfterFullCollections, "__call__", lambda self, phase, info: None)
        before.setattr(edge_index, "prefetch_read_path", lambda shard_dirs: 0)
        then = await _replay(app_client, data_dir, bodies)
    now = await _replay(app_client, data_dir, bodies)

    unlike = [n for n, (a, b) in enumerate(zip(now, then, strict=True)) if a != b]
    assert [n for n in unlike if n < len(dense)] == [], "dense-searched answers unlike before"
    unlike_hybrid = [n - len(dense) for n in unlike if n >= len(dense)]
    assert len(unlike_hybrid) <= MAX_UNLIKE * len(hybrid), f"hybrid answers unlike before: {unlike_hybrid}"
