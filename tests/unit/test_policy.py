from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mnemo.memtypes.formula import evaluate, variable_defaults
from mnemo.memtypes.requests import TypeWeights
from mnemo.memtypes.types import DAY_SECONDS, POLICIES, SPECS, MemoryType
from mnemo.retrieval.options import RetrievalConfig, _weighted, resolve_tuning
from mnemo.retrieval.ranking.model import DEFAULT_MODEL
from mnemo.retrieval.ranking.policy import RankingPolicy, ranking_policies

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


def test_recent_beats_old_at_equal_similarity() -> None:
    policy = RankingPolicy(POLICIES[MemoryType.SEMANTIC], NOW)
    fresh = policy.explain({"occurred_ts": NOW - DAY_SECONDS}, 0.6).total
    stale = policy.explain({"occurred_ts": NOW - 400 * DAY_SECONDS}, 0.6).total
    assert fresh > stale


def _policies(query: str, now: float = NOW) -> dict[MemoryType, RankingPolicy]:
    config = RetrievalConfig()
    at = datetime.fromtimestamp(now, UTC)
    return ranking_policies(query, list(MemoryType), at, resolve_tuning(config, None), config, True)


@pytest.mark.parametrize("query", ["what's the dog called?", "anything I need to do?", "how do I reset it?"])
def test_types_compete_on_one_scale(query: str) -> None:
    # One relevance weight for every searched type, and no constant offset: a memory with nothing
    # special about it (fresh, unused, no importance given, nothing due) scores its relevance, give
    # or take the recency lift, whatever its type; a question that asks how lifts steps only.
    policies = _policies(query)
    searched = [t for t in MemoryType if SPECS[t].searched_by_default]
    assert len({POLICIES[t].w_similarity for t in searched}) == 1
    neutral = {"occurred_ts": NOW, "status": "pending"}
    totals = {t: policies[t].explain(neutral, 0.5).total for t in searched}
    how = DEFAULT_MODEL.how_to.weight if "how" in query else 0.0
    assert totals[MemoryType.PROCEDURAL] - how == pytest.approx(totals[MemoryType.PROSPECTIVE], abs=1e-9)
    totals[MemoryType.PROCEDURAL] -= how
    assert max(totals.values()) - min(totals.values()) <= max(POLICIES[t].w_recency for t in searched)


def test_overdue_items_come_first_only_for_a_question_about_what_to_do() -> None:
    overdue = {"due_ts": NOW - 3600, "status": "pending", "occurred_ts": NOW}
    done = {"due_ts": NOW - 3600, "status": "done", "occurred_ts": NOW}
    far = {"due_ts": NOW + 60 * DAY_SECONDS, "status": "pending", "occurred_ts": NOW}
    todo = _policies("anything I need to do?")[MemoryType.PROSPECTIVE]
    assert todo.explain(overdue, 0.3).total > todo.explain(done, 0.3).total > todo.explain(far, 0.3).total
    assert todo.explain({"status": "pending"}, 0.3).components["due"].value == 0.0
    # Any other question: past due is no reason to come first, and an unclosed reminder keeps only
    # part of its relevance (never a negative score); a closed one is not touched.
    other = _policies("what's the dog called?")[MemoryType.PROSPECTIVE]
    assert "due" not in other.explain(overdue, 0.3).components
    assert "overdue" not in other.explain(overdue, 0.3).components
    assert 0.0 < other.explain(overdue, 0.3).total < other.explain(done, 0.3).total
    assert other.explain(overdue, 0.0).total == 0.0


def test_a_due_window_lifts_the_items_due_in_it_and_no_others() -> None:
    # Friday 20 November 2026: "next week" is Monday 23 to Sunday 29.
    now = datetime(2026, 11, 20, 9, tzinfo=UTC).timestamp()
    policy = _policies("what's on my plate next week?", now)[MemoryType.PROSPECTIVE]

    def lift(due: datetime) -> float:
        payload = {"due_ts": due.timestamp(), "status": "pending"}
        return policy.explain(payload, 0.1).components["due_window"].contribution

    assert lift(datetime(2026, 11, 25, 12, tzinfo=UTC)) == DEFAULT_MODEL.due_window.weight
    assert lift(datetime(2026, 11, 21, 12, tzinfo=UTC)) == 0.0  # this weekend
    assert lift(datetime(2026, 11, 30, 0, tzinfo=UTC)) == 0.0  # the Monday after


def test_defaults_cover_every_payload_variable() -> None:
    formula = RankingPolicy(POLICIES[MemoryType.PROCEDURAL], NOW).formula()
    assert set(variable_defaults(formula)) == {"use_count"}  # importance weighs nothing by default


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


def test_a_schedule_is_lifted_for_a_when_question_about_now_not_about_the_past() -> None:
    """ "When do I usually call mamá?" is answered by "calls with my parents: Sundays at 17:00";
    "when did I start with Kenji?" is not answered by "Kenji: Fridays 09:00"."""
    now = datetime(2027, 2, 11, 20, 45, tzinfo=UTC).timestamp()
    schedule = {"tells_time": False, "tells_schedule": True}
    dated_schedule = {"tells_time": True, "tells_schedule": True}

    def lifted(query: str, payload: dict[str, object]) -> float:
        components = _policies(query, now)[MemoryType.SEMANTIC].explain(payload, 0.5).components
        return components["tells_time"].contribution if "tells_time" in components else 0.0

    assert lifted("when do i usually call mamá and papá", schedule) == pytest.approx(0.1)
    assert lifted("when did i start with kenji", schedule) == 0
    assert lifted("when are sup mtgs now", dated_schedule) == pytest.approx(0.1)  # once, not twice


def test_leave_asked_for_a_time_lifts_no_event_of_a_past_such_day() -> None:
    """ "a party on Sunday, can I say yes?" names the time of what is planned; "what did Leo do on
    Sunday?" asks about the one just past. Nor does advice on when ("when's the best time to …?") lift
    what states a time: a preference answers it."""
    now = datetime(2027, 2, 11, 20, 45, tzinfo=UTC).timestamp()
    last_sunday = {"occurred_ts": datetime(2027, 2, 7, 15, tzinfo=UTC).timestamp(), "tells_time": True}

    def lifted(query: str) -> float:
        components = _policies(query, now)[MemoryType.EPISODIC].explain(last_sunday, 0.5).components
        return sum(components[name].contribution for name in ("time", "tells_time") if name in components)

    assert lifted("what did Leo do on Sunday?") > 0
    assert lifted("a friend has asked Leo to a party on Sunday at 3, can I say yes") == 0
    assert lifted("when did Leo go to the party?") > 0
    assert lifted("when's the best time to remind me about school stuff like PE kit") == 0
