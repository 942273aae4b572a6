from __future__ import annotations

import pytest

from mnemo.memtypes.errors import InvalidInput
from mnemo.memtypes.types import MemoryType as T
from mnemo.retrieval.stages.pack import Candidate, pack, split_budget
from mnemo.retrieval.stages.plan import normalize_allocation
from mnemo.retrieval.stages.sizing import type_allocations

HEADERS = {t: 5 for t in T}


def c(key: str, memory_type: T, score: float, tokens: int) -> Candidate:
    return Candidate(key, memory_type, score, tokens)


def test_each_type_fills_its_share_best_first() -> None:
    packing = pack(
        {T.SEMANTIC: [c("a", T.SEMANTIC, 0.9, 10), c("b", T.SEMANTIC, 0.8, 10), c("c", T.SEMANTIC, 0.7, 10)]},
        shares={T.SEMANTIC: 25},
        header_tokens=HEADERS,
        budget=25,
    )
    # header 5 + a 10 + b 10 = 25 fills the share exactly; c no longer fits.
    assert [x.key for x in packing.selected()] == ["a", "b"]
    assert packing.usage[T.SEMANTIC].tokens == 25
    assert packing.trimmed == 1


def test_an_item_that_does_not_fit_is_skipped_not_cut_and_smaller_ones_still_fit() -> None:
    packing = pack(
        {T.EPISODIC: [c("big", T.EPISODIC, 0.9, 100), c("small", T.EPISODIC, 0.5, 10)]},
        shares={T.EPISODIC: 30},
        header_tokens=HEADERS,
        budget=30,
    )
    assert [x.key for x in packing.selected()] == ["small"]
    assert packing.trimmed == 1
    assert packing.tokens == 15


def test_unused_share_flows_to_other_types() -> None:
    packing = pack(
        {
            T.SEMANTIC: [c("s1", T.SEMANTIC, 0.9, 10)],
            T.EPISODIC: [c(f"e{i}", T.EPISODIC, 0.5 - i / 100, 10) for i in range(10)],
        },
        shares={T.SEMANTIC: 50, T.EPISODIC: 50},
        header_tokens=HEADERS,
        budget=100,
    )
    episodic = packing.usage[T.EPISODIC]
    assert episodic.redistributed > 0
    assert episodic.tokens <= episodic.share + episodic.redistributed
    assert packing.tokens <= 100
    assert len(episodic.selected) == 8  # 5 header + 8*10 = 85; semantic used 15


def test_allocation_is_normalized_over_requested_types() -> None:
    weights = normalize_allocation([T.SEMANTIC, T.EPISODIC], {t: 0.5 for t in T}, {"semantic": 0.75})
    assert weights[T.SEMANTIC] == pytest.approx(0.6)
    assert sum(weights.values()) == pytest.approx(1.0)
    assert sum(split_budget(1001, weights).values()) <= 1001


@pytest.mark.parametrize("override", [{"nope": 0.5}, {"working": 0.5}, {"semantic": 1.5}, {"semantic": -0.1}])
def test_bad_allocations_name_the_field(override: dict[str, float]) -> None:
    with pytest.raises(InvalidInput) as err:
        normalize_allocation([T.SEMANTIC, T.EPISODIC], {t: 0.5 for t in T}, override)
    assert err.value.problems[0].field.startswith("allocation.")


def test_a_group_header_is_paid_for_once_by_its_first_item() -> None:
    e = T.EPISODIC
    items = [
        Candidate("a", e, 0.9, 10, "g1"),
        Candidate("b", e, 0.8, 10, "g1"),
        Candidate("c", e, 0.7, 10, "g2"),
    ]
    # header 3 + group g1 5 + a 10 + b 10 = 28; c would need its own group header: 28 + 5 + 10 > 40
    packing = pack({e: items}, {e: 40}, {e: 3}, 40, {"g1": 5, "g2": 5})
    assert [c.key for c in packing.usage[e].selected] == ["a", "b"]
    assert packing.tokens == 28 and packing.trimmed == 1


def test_candidate_lists_are_sized_for_each_types_share() -> None:
    weights = {T.EPISODIC: 0.5, T.SEMANTIC: 0.3, T.PROCEDURAL: 0.2}
    plenty = {t: 1e9 for t in weights}
    assert type_allocations(1000, weights, plenty) == pytest.approx(
        {T.EPISODIC: 500, T.SEMANTIC: 300, T.PROCEDURAL: 200}
    )


def test_a_type_that_cannot_fill_its_share_passes_the_rest_on_in_proportion() -> None:
    weights = {T.EPISODIC: 0.5, T.SEMANTIC: 0.3, T.PROCEDURAL: 0.2}
    # Semantic holds 60 tokens' worth: its other 240 go to episodic and procedural, 5:2.
    allocation = type_allocations(1000, weights, {T.EPISODIC: 1e9, T.SEMANTIC: 60, T.PROCEDURAL: 1e9})
    assert allocation == pytest.approx(
        {T.EPISODIC: 500 + 240 * 5 / 7, T.SEMANTIC: 60, T.PROCEDURAL: 200 + 240 * 2 / 7}
    )
    # A cascade: once semantic's share moves on, procedural cannot fill its larger share either.
    allocation = type_allocations(1000, weights, {T.EPISODIC: 1e9, T.SEMANTIC: 0, T.PROCEDURAL: 250})
    assert allocation == pytest.approx({T.EPISODIC: 750, T.SEMANTIC: 0, T.PROCEDURAL: 250})
    assert sum(allocation.values()) == pytest.approx(1000)


def test_allocations_never_exceed_the_budget_when_every_type_is_small() -> None:
    weights = {T.EPISODIC: 0.0, T.SEMANTIC: 1.0}
    allocation = type_allocations(1000, weights, {T.EPISODIC: 10, T.SEMANTIC: 20})
    assert allocation == {T.EPISODIC: 10, T.SEMANTIC: 20}
    # A type given no share still gets what is left over once the others are sized.
    assert type_allocations(100, weights, {T.EPISODIC: 1e9, T.SEMANTIC: 20}) == pytest.approx(
        {T.EPISODIC: 80, T.SEMANTIC: 20}
    )


def test_what_is_packed_after_takes_only_what_the_candidates_leave() -> None:
    """An `after` item never takes the place of a candidate, however high it scores; nor is one
    that does not fit counted as trimmed (it was not asked for by itself)."""
    semantic = [c("s1", T.SEMANTIC, 0.9, 10), c("s2", T.SEMANTIC, 0.2, 10)]
    after = [c("a1", T.EPISODIC, 0.8, 10), c("a2", T.EPISODIC, 0.7, 10)]
    packing = pack(
        {T.SEMANTIC: semantic, T.EPISODIC: []},
        shares={T.SEMANTIC: 20, T.EPISODIC: 20},
        header_tokens=HEADERS,
        budget=40,
        after=after,
    )
    # s1 fills the semantic share (5 + 10), s2 is then taken from what is left (10 of 25), a1 after
    # it with its header (15 of 15); a2 no longer fits.
    assert [x.key for x in packing.selected()] == ["s1", "s2", "a1"]
    assert packing.tokens == 40
    assert packing.trimmed == 0
