"""The benchmark metrics on hand-made cases, where the right answer is known."""

from __future__ import annotations

import math

import pytest

from mnemo.benchmarks.metrics import (
    ann_recall,
    hit_at,
    mean_by_group,
    ndcg_at,
    percentiles,
    ranked_sessions,
    recall_at,
    session_metrics,
    session_of,
    set_recall,
    update_order,
    update_pairs,
)
from mnemo.benchmarks.quality.baselines import pack_ranked, reciprocal_rank_fusion
from mnemo_client.models import MemoryType

RANKED = ["a", "b", "c", "d", "e"]


def test_recall_counts_relevant_ids_in_the_top_k() -> None:
    assert recall_at(RANKED, {"b", "d"}, 1) == 0.0
    assert recall_at(RANKED, {"b", "d"}, 2) == 0.5
    assert recall_at(RANKED, {"b", "d"}, 4) == 1.0
    assert recall_at(RANKED, {"b", "z"}, 20) == 0.5  # a relevant id never retrieved stays missing


def test_hit_is_any_relevant_id_in_the_top_k() -> None:
    assert hit_at(RANKED, {"c", "z"}, 2) == 0.0
    assert hit_at(RANKED, {"c", "z"}, 3) == 1.0


def test_ndcg_discounts_by_log_rank_and_normalizes_by_the_ideal() -> None:
    assert ndcg_at(["a", "b"], {"a", "b"}, 2) == pytest.approx(1.0)
    assert ndcg_at(["x", "a"], {"a"}, 2) == pytest.approx(1 / math.log2(3))
    # Two relevant, one found at rank 3: DCG 1/log2(4) over IDCG 1 + 1/log2(3).
    assert ndcg_at(["x", "y", "a"], {"a", "b"}, 3) == pytest.approx(0.5 / (1 + 1 / math.log2(3)))
    assert ndcg_at(["a", "a"], {"a", "b"}, 2) == pytest.approx(1 / (1 + 1 / math.log2(3)))  # no double count
    assert ndcg_at(RANKED, {"e"}, 3) == 0.0


def test_budget_recall_is_the_share_of_relevant_ids_inside_the_packed_set() -> None:
    assert set_recall(["c", "a"], {"a", "b", "c", "d"}) == 0.5
    with pytest.raises(ValueError):
        set_recall(["a"], set())


def test_mean_by_group_averages_overall_and_per_group() -> None:
    means = mean_by_group([("x", {"m": 1.0}), ("x", {"m": 0.0}), ("y", {"m": 1.0})])
    assert list(means) == ["all", "x", "y"]
    assert means["all"] == {"queries": 3, "m": pytest.approx(2 / 3)}
    assert means["x"] == {"queries": 2, "m": 0.5}


def test_percentiles_are_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentiles(values) == {"p50": 50.0, "p95": 95.0, "p99": 99.0, "mean": 50.5}
    assert percentiles([7.0])["p99"] == 7.0


def test_pack_ranked_takes_best_first_skips_what_does_not_fit_and_charges_headers_once() -> None:
    tokens = {"a": 5, "b": 50, "c": 4, "d": 3}
    types = {
        "a": MemoryType.EPISODIC,
        "b": MemoryType.EPISODIC,
        "c": MemoryType.SEMANTIC,
        "d": MemoryType.EPISODIC,
    }
    headers = {t: 10 for t in MemoryType}
    packed = pack_ranked(["a", "b", "c", "d"], tokens, types, headers, budget=33)
    # a: 10+5, b skipped (50), c: 10+4, d: 3 → 32 tokens.
    assert packed.ids == ["a", "c", "d"]
    assert packed.tokens == 32


def test_reciprocal_rank_fusion_rewards_agreement() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "a"]], depth=3)
    assert fused[0] == "b"
    assert set(fused) == {"a", "b", "c"}


def test_ann_recall_counts_ties_as_found() -> None:
    exact = [0.9, 0.8, 0.8, 0.5]
    assert ann_recall([0.9, 0.8, 0.8], exact, 3) == 1.0
    assert ann_recall([0.9, 0.8, 0.5], exact, 3) == pytest.approx(2 / 3)
    assert ann_recall([0.9], [0.9], 10) == 1.0  # fewer candidates than k: judged on what exists


def test_session_recall_all_counts_a_question_when_every_answer_session_is_in_the_first_k() -> None:
    assert session_of("q1:answer_ab_1:3") == "q1:answer_ab_1" and session_of("solo") == "solo"
    # A session ranks at its best turn: s1 first, then s2, s3, …
    ranked = ["q:s1:0", "q:s1:4", "q:s2:1", "q:s3:0", "q:s1:2", *(f"q:x{i}:0" for i in range(12))]
    sessions = ranked_sessions(ranked)
    assert sessions[:3] == ["q:s1", "q:s2", "q:s3"] and len(sessions) == 10
    assert session_metrics(sessions, ["q:s1:4", "q:s3:9"]) == {
        "session_recall_all@5": 1.0,
        "session_recall_all@10": 1.0,
    }
    late = ["q:s1:0", "q:x5:0"]  # x5 is the 9th session: within 10, not within 5
    assert session_metrics(sessions, late) == {"session_recall_all@5": 0.0, "session_recall_all@10": 1.0}
    assert session_metrics(sessions, ["q:never:0"])["session_recall_all@10"] == 0.0


def _row(relevant: list[str], hits: list[tuple[str, float, float]]) -> dict[str, object]:
    """A question's candidates in today's order, each with two features."""
    return {
        "relevant_ids": relevant,
        "hits": [{"id": i, "features": {"c:dense": a, "f:overlap": b}} for i, a, b in hits],
    }


def test_learned_rank_scores_todays_order_and_a_reordering_on_the_same_candidates() -> None:
    from mnemo.benchmarks.quality.learned_rank import reorder, score

    row = _row(["r"], [(f"n{i}", 0.0, 0.0) for i in range(10)] + [("r", 0.0, 1.0)])
    today = score([row], [[h["id"] for h in row["hits"]]])  # type: ignore[index]
    assert today["recall@10"] == 0.0  # the relevant one is 11th today
    import numpy as np

    # A ranker that reads only the overlap puts it first (ties keep today's order).
    order = reorder(row, ["c:dense", "f:overlap"], np.array([0.0, 0.0, 1.0]))
    assert order[0] == "r" and order[1:] == [f"n{i}" for i in range(10)]
    assert score([row], [order])["recall@10"] == 1.0
    assert score([row], [order])["ndcg@10"] == pytest.approx(1.0)


def test_learned_rank_fit_learns_the_feature_that_separates_and_judges_the_other_set() -> None:
    from mnemo.benchmarks.quality.learned_rank import compare

    # In both sets the relevant memory has the overlap, but today's order buries it under dense.
    def rows(n: int) -> list[dict[str, object]]:
        return [
            _row([f"r{q}"], [(f"n{q}-{i}", 0.9, 0.1 * (i % 2)) for i in range(12)] + [(f"r{q}", 0.5, 1.0)])
            for q in range(n)
        ]

    result = compare(rows(8), rows(5))
    assert result["today"]["recall@10"] == 0.0
    assert result["learned"]["recall@10"] == 1.0
    assert result["coefficients"]["f:overlap"] > 0 > result["coefficients"]["c:dense"]


def test_learned_rank_session_features_group_candidates_by_their_session() -> None:
    from mnemo.benchmarks.quality.learned_rank import session_features

    hits = [("c:s1:4", 0.9), ("c:s2:0", 0.8), ("c:s1:5", 0.5), ("c:s1:9", 0.4)]
    row = session_features(
        {"relevant_ids": [], "hits": [{"id": i, "features": {"total": t}} for i, t in hits]}
    )
    f = [h["features"] for h in row["hits"]]
    assert [x["s:before_in_session"] for x in f] == pytest.approx([0, 0, math.log(2), math.log(3)])
    assert [x["s:session_candidates"] for x in f] == pytest.approx(
        [math.log(4), math.log(2)] + [math.log(4)] * 2
    )
    assert [x["s:under_session_best"] for x in f] == pytest.approx([0.0, 0.0, 0.4, 0.5])
    assert [x["s:beside_found"] for x in f] == [1.0, 0.0, 1.0, 0.0]  # turns 4 and 5 of s1 found together


def test_learned_rank_boosted_trees_and_folds_judge_every_question_once() -> None:
    from mnemo.benchmarks.quality.learned_rank import compare, compare_in_folds, folds

    def rows(n: int, at: int = 0) -> list[dict[str, object]]:
        return [
            {
                "id": f"q{at + q}",
                **_row(
                    [f"r{q}"], [(f"n{q}-{i}", 0.9, 0.1 * (i % 2)) for i in range(12)] + [(f"r{q}", 0.5, 1.0)]
                ),
            }
            for q in range(n)
        ]

    result = compare(rows(40), rows(5, 40), model="boosted")
    assert result["today"]["recall@10"] == 0.0 and result["learned"]["recall@10"] == 1.0
    parts = folds(rows(12))
    assert len(parts) == 5 and sorted(r["id"] for p in parts for r in p) == sorted(f"q{q}" for q in range(12))
    held = compare_in_folds(rows(12))
    assert held["today"]["recall@10"] == 0.0 and held["learned"]["recall@10"] == 1.0


def test_update_pairs_count_a_pair_where_either_memory_is_ranked_and_the_newer_must_lead() -> None:
    ranked = ["new-a", "old-1", "x", "new-b", "old-2"]
    # new-a above old-1 and old-2; new-b below old-1, above old-2.
    assert update_pairs(ranked, ["new-a", "new-b"], ["old-1", "old-2"], depth=5) == (3, 4)
    # Cut at 3: old-2 and new-b are not ranked; (old-2, new-b) says nothing, (old-1, new-b) is wrong.
    assert update_pairs(ranked, ["new-a", "new-b"], ["old-1", "old-2"], depth=3) == (2, 3)
    # Only the older ranked: wrong; only the newer ranked: right; neither: not counted.
    assert update_pairs(["old"], ["new"], ["old"], depth=20) == (0, 1)
    assert update_pairs(["new"], ["new"], ["old"], depth=20) == (1, 1)
    assert update_pairs(["x"], ["new"], ["old"], depth=20) == (0, 0)


def test_update_order_sums_the_questions_pairs_and_says_none_without_a_pair() -> None:
    questions = [(["n", "o"], ["n"], ["o"]), (["o", "n"], ["n"], ["o"]), (["n2"], ["n2"], ["o1", "o2"])]
    assert update_order(questions, depth=20) == {"newer_above": 3, "pairs": 4, "share": 0.75}
    assert update_order([(["x"], ["n"], ["o"])], depth=20) == {"newer_above": 0, "pairs": 0, "share": None}
