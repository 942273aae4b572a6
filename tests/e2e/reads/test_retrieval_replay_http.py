"""Retrievals replayed on one fixed store answer alike with and without the serving path's changes.

The store is written once; a few hundred retrievals (questions × budgets × types × explain × floors)
are asked over HTTP of a fresh app on it as the service answered before (the "before" pass: full
collections as they were, `gc.freeze()` at start-up only, no page-cache prefetch at open), then of
a fresh app as it is. Each answer's body, less `metadata.timings_ms`, is hashed: the serving path's
changes (when the collector runs, what is frozen, what is prefetched) may not change a byte, an
order or a score.

The read path is a function of the store, the request and its `now` (list depths are sized from the
store's counts alone: retrieval/stages/sizing.py), so every answer is byte-identical. For hybrid
answers that takes the stored tie-break number: candidates found by BM25 alone tie on relevance when
their BM25 scores are equal, and Qdrant Edge keeps tied candidates in an order that changes between
processes and between apps in one process; the tie-break orders them. Scores are float32, so two
tie-break numbers can still round to one score: a rare hybrid answer may differ, and a change of
encoding, content or order changes nearly every one. (Answers depend on the write times too, so no
recording carries across stores: both passes run here, on the one store.) The store, the questions
and their variants are those of `python -m mnemo.benchmarks.quality.repeatability`, which measures
where hybrid answers differ.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from mnemo.api.config.garbage_collection import FreezeAfterFullCollections
from mnemo.backends.qdrant_edge import index as edge_index
from mnemo.benchmarks.quality.repeatability import TIMINGS, bodies, store_and_questions
from tests.e2e.conftest import AppFactory

# Hybrid answers two tie-break numbers rounded to one float32 score may change between two fresh
# apps: above what that does, far below what untied candidates or a change of encoding, content or
# order do.
MAX_UNLIKE = 0.02


async def _replay(app_client: AppFactory, data_dir: Path, requests: list[dict[str, Any]]) -> list[str]:
    digests = []
    async with app_client(data_dir=data_dir) as client:
        for body in requests:
            response = await client.post("/v1/retrieve", json=body)
            assert response.status_code == 200, response.text
            assert TIMINGS.search(response.text), "the answer's timings were not found to leave out"
            digests.append(hashlib.sha256(TIMINGS.sub("", response.text).encode()).hexdigest())
    return digests


@pytest.mark.slow
async def test_replayed_retrievals_answer_as_before(
    app_client: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memories, queries = store_and_questions(1_600, seed=5)
    dense, hybrid = bodies(queries, "dense"), bodies(queries, "hybrid")
    requests = dense + hybrid
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
        then = await _replay(app_client, data_dir, requests)
    now = await _replay(app_client, data_dir, requests)

    unlike = [n for n, (a, b) in enumerate(zip(now, then, strict=True)) if a != b]
    assert [n for n in unlike if n < len(dense)] == [], "dense-searched answers unlike before"
    unlike_hybrid = [n - len(dense) for n in unlike if n >= len(dense)]
    assert len(unlike_hybrid) <= MAX_UNLIKE * len(hybrid), f"hybrid answers unlike before: {unlike_hybrid}"
