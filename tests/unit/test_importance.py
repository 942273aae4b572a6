from __future__ import annotations

import asyncio

import pytest

from mnemo.ingest.importance import (
    IMPORTANT_AT,
    HeuristicReviewer,
    Tier,
    heuristic_importance,
    review_importance,
)
from mnemo.memtypes.ports import Review
from mnemo.memtypes.types import MemoryType

T = MemoryType.SEMANTIC


class Fixed:
    """A reviewer with a fixed opinion (a real implementation of the protocol, not an engine fake)."""

    def __init__(self, score: float, important: bool, delay: float = 0.0, fail: bool = False) -> None:
        self.name = f"fixed-{score}"
        self.score, self.important, self.delay, self.fail = score, important, delay, fail

    async def review(self, memory_type: MemoryType, content: str) -> Review:
        await asyncio.sleep(self.delay)
        if self.fail:
            raise RuntimeError("reviewer down")
        return Review(self.score, self.important)


@pytest.mark.parametrize(
    ("content", "at_least"),
    [
        ("Remember that Alice is allergic to peanuts.", 0.9),
        ("We decided to use Postgres 16 for billing.", 0.6),
        ("I prefer aisle seats on long flights.", 0.55),
        ("The report is due by Friday.", 0.55),
    ],
)
def test_heuristic_rewards_signals(content: str, at_least: float) -> None:
    assert heuristic_importance(T, content) >= at_least


def test_heuristic_scores_small_talk_low() -> None:
    assert heuristic_importance(MemoryType.EPISODIC, "it is a bit cloudy out there") < IMPORTANT_AT


async def test_two_or_more_answers_reach_consensus() -> None:
    result = await review_importance(T, "x", [Fixed(0.9, True), Fixed(0.7, True)], 1.0)
    assert result.tier is Tier.CONSENSUS and result.score == pytest.approx(0.8)  # the mean
    # The mean of these is 0.567, but 2 of 3 rate it important: the verdict lifts it to the threshold.
    result = await review_importance(T, "x", [Fixed(0.9, True), Fixed(0.7, True), Fixed(0.1, False)], 1.0)
    assert result.tier is Tier.CONSENSUS and result.score == IMPORTANT_AT


async def test_consensus_majority_bounds_the_score() -> None:
    result = await review_importance(T, "x", [Fixed(0.1, True), Fixed(0.2, True), Fixed(0.9, False)], 1.0)
    assert result.tier is Tier.CONSENSUS and result.score >= IMPORTANT_AT  # 2-of-3 said important
    result = await review_importance(T, "x", [Fixed(0.95, False), Fixed(0.9, False)], 1.0)
    assert result.score < IMPORTANT_AT  # both said unimportant


async def test_timeouts_and_failures_do_not_count() -> None:
    reviewers = [Fixed(0.8, True), Fixed(0.9, True, delay=5), Fixed(0.9, True, fail=True)]
    result = await review_importance(T, "x", reviewers, timeout_s=0.2)
    assert result.tier is Tier.SINGLE and result.score == 0.8


async def test_a_lone_unimportant_answer_falls_back_to_the_heuristic() -> None:
    content = "Remember: the VPN password rotates monthly."
    result = await review_importance(T, content, [Fixed(0.05, False), Fixed(0.9, True, fail=True)], 1.0)
    assert result.tier is Tier.HEURISTIC and result.score == heuristic_importance(T, content)


async def test_no_answers_means_heuristic() -> None:
    result = await review_importance(T, "We agreed to ship on May 3.", [Fixed(1, True, delay=5)], 0.1)
    assert result.tier is Tier.HEURISTIC
    assert (await review_importance(T, "x", [], 1.0)).tier is Tier.HEURISTIC


async def test_out_of_range_answers_are_ignored() -> None:
    result = await review_importance(T, "x", [Fixed(7.0, True), Fixed(0.7, True)], 1.0)
    assert result.tier is Tier.SINGLE and result.score == 0.7


async def test_heuristic_reviewer_votes() -> None:
    review = await HeuristicReviewer().review(T, "Remember the deploy freeze starts on 2025-12-20.")
    assert review.important
