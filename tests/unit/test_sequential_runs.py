"""How a batch is cut into runs that resolve as its items written one by one (pure: no engine), and
how stale memories are ranked a little lower."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import numpy as np

from mnemo.ingest.dedup import DedupConfig, sequential_runs
from mnemo.memtypes.queries import ScoredPoint
from mnemo.memtypes.records import MemoryRecord, Scope
from mnemo.memtypes.types import MemoryType
from mnemo.retrieval.ranking.model import DEFAULT_MODEL
from mnemo.retrieval.stages.validity import StaleLower

AT = datetime(2026, 1, 1, tzinfo=UTC)


def record(n: int, content: str, user: str = "sam", **fields: Any) -> MemoryRecord:
    return MemoryRecord(
        id=f"id-{n}", type=MemoryType.SEMANTIC, tenant="t", scope=Scope(user_id=user), content=content,
        content_hash=f"h-{content}", token_count=5, token_counts={}, importance=0.5, occurred_at=AT,
        created_at=AT, **fields,
    )  # fmt: skip


def apart(n: int) -> list[list[float]]:
    """n vectors, each orthogonal to the others (nothing is a near-duplicate)."""
    return [list(row) for row in np.eye(n, 8)]


def runs(records: list[MemoryRecord], vectors: list[list[float]], names: list[set[str]] | None = None) -> Any:
    return sequential_runs(records, vectors, DedupConfig(), names or [set() for _ in records])


def test_unrelated_items_are_one_run() -> None:
    batch = [record(0, "Sam lives in Leeds."), record(1, "Bob likes tea."), record(2, "Ana has a cat.")]
    assert runs(batch, apart(3)) == [[0, 1, 2]]


def test_each_kind_of_judgement_between_items_starts_a_run() -> None:
    same_key = [
        record(0, "Sam lives in Leeds.", fact_key="sam.home"),
        record(1, "Sam lives in York.", fact_key="sam.home"),
    ]
    assert runs(same_key, apart(2)) == [[0], [1]]
    negation = [record(0, "Bob is allergic to peanuts."), record(1, "Bob is not allergic to peanuts.")]
    assert runs(negation, apart(2)) == [[0], [1]]
    near = [
        record(0, "Alice drinks green tea every morning."),
        record(1, "Alice drinks green tea each morning."),
    ]
    assert runs(near, [apart(1)[0]] * 2) == [[0], [1]]
    named = [record(0, "Meetings are on Mondays.", external_id="m1"), record(1, "Meetings are on Thursdays.")]
    assert runs(named, apart(2), [set(), {"m1"}]) == [[0], [1]]
    copy = [record(0, "Sam lives in Leeds.", user="a"), record(1, "Sam lives in Leeds.", user="a")]
    assert runs(copy, apart(2)) == [[0], [1]]


def test_other_scopes_and_unmergeable_look_alikes_stay_together() -> None:
    other_scope = [
        record(0, "Sam lives in Leeds.", user="a", fact_key="k"),
        record(1, "Sam lives in York.", user="b", fact_key="k"),
    ]
    assert runs(other_scope, apart(2)) == [[0, 1]]
    # Close in meaning, but another account: never merged, so never judged against each other.
    accounts = [
        record(0, "Account 17 uses the enterprise plan."),
        record(1, "Account 42 uses the enterprise plan."),
    ]
    assert runs(accounts, [apart(1)[0]] * 2) == [[0, 1]]


def test_a_run_restarts_at_each_judged_item() -> None:
    batch = [
        record(0, "Sam lives in Leeds.", fact_key="sam.home"),
        record(1, "Bob likes tea."),
        record(2, "Sam lives in York.", fact_key="sam.home"),
        record(3, "Ana has a cat."),
        record(4, "Sam lives in Hull.", fact_key="sam.home"),
    ]
    assert runs(batch, apart(5)) == [[0, 1], [2, 3], [4]]


def test_stale_memories_rank_a_little_lower() -> None:
    fresh = ScoredPoint("fresh", 0.80, {"stale": False})
    stale = ScoredPoint("stale", 0.85, {"stale": True, "stale_cause": "depends on x: superseded by y"})
    far_behind = ScoredPoint("far", 0.50, {})
    hits = {MemoryType.SEMANTIC: [stale, fresh, far_behind]}
    stage = StaleLower()
    demotion = DEFAULT_MODEL.stale.demotion
    changed = asyncio.run(stage.apply(None, hits, demotion))  # type: ignore[arg-type]
    assert [p.id for p in hits[MemoryType.SEMANTIC]] == ["fresh", "stale", "far"]
    assert hits[MemoryType.SEMANTIC][1].score == 0.85 * (1 - demotion)
    assert set(changed) == {"stale"}
