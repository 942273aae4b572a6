"""Leave-one-out folds and paired tests of the benchmarks, on small constructed cases whose answers
are worked out by hand."""

from __future__ import annotations

import pytest

from mnemo.benchmarks.dataset import BenchQuery
from mnemo.benchmarks.quality.folds import leave_one_out, paired, sign_test, units
from mnemo_client.models import Scope


def test_units_are_conversations_or_categories() -> None:
    queries = [
        BenchQuery(id="a", query="q", scope=Scope(user_id="conv-1"), relevant_ids=["x"], category="temporal"),
        BenchQuery(id="b", query="q", scope=Scope(user_id="conv-2"), relevant_ids=["x"], category="temporal"),
    ]
    assert units(queries, "scope") == ["user_id=conv-1", "user_id=conv-2"]
    assert units(queries, "category") == ["temporal", "temporal"]
    with pytest.raises(ValueError, match="fold by"):
        units(queries, "speaker")


def test_leave_one_out_chooses_on_the_rest_and_scores_on_the_held_out_unit() -> None:
    # "fitted" is best on units A and B (where it was tuned) and bad on C; "plain" is steady.
    unit_of = ["A", "A", "B", "B", "C", "C"]
    values = {
        "plain": [0.6, 0.6, 0.6, 0.6, 0.6, 0.6],
        "fitted": [1.0, 1.0, 1.0, 1.0, 0.0, 0.0],
    }
    loo = leave_one_out(values, unit_of, "recall@10")
    by_unit = {f.held_out: f for f in loo.folds}
    # Held out A: on B + C fitted has 0.5, plain 0.6 → plain is chosen, and scores 0.6 on A.
    assert by_unit["A"].chosen == "plain" and by_unit["A"].chosen_score == pytest.approx(0.6)
    assert by_unit["A"].rest_scores == {"plain": pytest.approx(0.6), "fitted": pytest.approx(0.5)}
    # Held out C: on A + B fitted has 1.0 → fitted is chosen, and scores 0.0 on C.
    assert by_unit["C"].chosen == "fitted" and by_unit["C"].chosen_score == 0.0
    assert loo.chosen_mean == pytest.approx((0.6 * 2 + 0.6 * 2 + 0.0 * 2) / 6)
    assert loo.held_out_means == {"plain": pytest.approx(0.6), "fitted": pytest.approx(4 / 6)}
    assert loo.worst_unit["fitted"] == ("C", 0.0)


def test_leave_one_out_rejects_misaligned_values() -> None:
    with pytest.raises(ValueError, match="3 values for 2 questions"):
        leave_one_out({"a": [1, 2, 3]}, ["x", "y"])


def test_sign_test_matches_the_binomial_tails() -> None:
    assert sign_test(0, 0) == 1.0
    assert sign_test(5, 0) == pytest.approx(2 / 32)  # one-sided 1/32, doubled
    assert sign_test(9, 1) == pytest.approx(2 * (1 + 10) / 1024)
    assert sign_test(3, 3) == 1.0


def test_a_one_question_wiggle_is_not_significant_and_a_broad_gain_is() -> None:
    base = [0.5] * 383
    wiggle = [1.0] + [0.5] * 382  # one question of 383 better
    result = paired("new", wiggle, "old", base)
    assert result.wins == 1 and result.losses == 0 and result.ties == 382
    assert result.diff == pytest.approx(0.5 / 383)
    assert result.sign_p == 1.0 and not result.significant

    broad = [0.6 if i % 4 else 0.45 for i in range(383)]  # better on 3 in 4 questions, worse on 1
    result = paired("new", broad, "old", base, seed=1)
    assert result.wins == 287 and result.losses == 96
    assert result.low > 0 and result.sign_p < 1e-6 and result.significant
    reverse = paired("old", base, "new", broad, seed=1)
    assert reverse.diff == pytest.approx(-result.diff) and reverse.high < 0 and reverse.significant


def test_paired_needs_equal_lengths() -> None:
    with pytest.raises(ValueError, match="equally long"):
        paired("a", [1.0, 0.0], "b", [1.0])
