from __future__ import annotations

import pytest

from mnemo.memtypes.formula import evaluate, variable_defaults
from mnemo.memtypes.requests import TypeWeights
from mnemo.memtypes.types import DAY_SECONDS, POLICIES, MemoryType
from mnemo.retrieval.options import _weighted
from mnemo.retrieval.ranking.policy import RankingPolicy

NOW = 1_700_000_000.0


@pytest.mark.parametrize("memory_type", list(MemoryType))
def test_explanation_total_equals_formula(memory_type: MemoryType) -> None:
    policy = RankingPolicy(POLICIES[memory_type], NOW)
    payload = {
        "occurred_ts": NOW - 3 * DAY_SECONDS,
        "importance": 0.8,
        "use_count": 4,
        "due_ts": NOW - 3600,
        "status": "pending",
    }
    explanation = policy.explain(payload, 0.42)
    assert explanation.total == pytest.approx(evaluate(policy.formula(), payload, 0.42), abs=1e-12)
    assert explanation.components["relevance"].value == 0.42


def test_recency_halves_every_half_life() -> None:
    policy = RankingPolicy(POLICIES[MemoryType.EPISODIC], NOW)
    half_life = POLICIES[MemoryType.EPISODIC].half_life_days * DAY_SECONDS
    recent = policy.explain({"occurred_ts": NOW}, 0.5).components["recency"].value
    old = policy.explain({"occurred_ts": NOW - half_life}, 0.5).components["recency"].value
    assert recent == pytest.approx(1.0)
    assert old == pytest.approx(0.5)


def test_recent_important_beats_old_unimportant_at_equal_similarity() -> None:
    policy = RankingPolicy(POLICIES[MemoryType.SEMANTIC], NOW)
    fresh = policy.explain({"occurred_ts": NOW - DAY_SECONDS, "importance": 0.9}, 0.6).total
    stale = policy.explain({"occurred_ts": NOW - 400 * DAY_SECONDS, "importance": 0.1}, 0.6).total
    assert fresh > stale


def test_overdue_pending_items_come_first_and_done_ones_do_not() -> None:
    policy = RankingPolicy(POLICIES[MemoryType.PROSPECTIVE], NOW)
    overdue = policy.explain({"due_ts": NOW - 3600, "status": "pending"}, 0.3).total
    done = policy.explain({"due_ts": NOW - 3600, "status": "done"}, 0.3).total
    far = policy.explain({"due_ts": NOW + 60 * DAY_SECONDS, "status": "pending"}, 0.3).total
    undated = policy.explain({"status": "pending"}, 0.3)
    assert overdue > done > far
    assert undated.components["due"].value == 0.0


def test_defaults_cover_every_payload_variable() -> None:
    formula = RankingPolicy(POLICIES[MemoryType.PROCEDURAL], NOW).formula()
    assert set(variable_defaults(formula)) == {"importance", "use_count"}


def test_episodic_importance_does_not_rank_by_default_but_a_request_can_weight_it() -> None:
    # A long, keyword-rich assistant turn gets a high heuristic importance; the short user turn that
    # holds the answer a low one. At equal relevance they tie by default ...
    long_turn = {"occurred_ts": NOW - DAY_SECONDS, "importance": 0.9}
    answer = {"occurred_ts": NOW - DAY_SECONDS, "importance": 0.3}
    default = RankingPolicy(POLICIES[MemoryType.EPISODIC], NOW)
    assert default.explain(answer, 0.6).total == pytest.approx(default.explain(long_turn, 0.6).total)
    assert "importance" not in default.explain(answer, 0.6).components  # no zero-weight term runs
    # ... and a slightly more relevant answer is no longer overtaken by the long turn's importance.
    assert default.explain(answer, 0.62).total > default.explain(long_turn, 0.6).total
    weighted = RankingPolicy(_weighted(POLICIES[MemoryType.EPISODIC], TypeWeights(importance=0.1)), NOW)
    assert weighted.explain(answer, 0.62).total < weighted.explain(long_turn, 0.6).total
