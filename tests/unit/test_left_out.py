"""Why a candidate is left out (stages/left_out.py), on packings built by hand: the reason follows
from what the packer did, not from a guess after the fact."""

from __future__ import annotations

from typing import Any

from mnemo.backends.tokenizer import TokenizerRegistry
from mnemo.memtypes.queries import ScoredPoint
from mnemo.memtypes.types import MemoryType as T
from mnemo.retrieval.stages.left_out import MAX_LEFT_OUT, left_out
from mnemo.retrieval.stages.pack import Candidate, LinePrices, Points, pack
from mnemo.retrieval.stages.rank import Duplicate, suppress_near_duplicates

HEADERS = {t: 5 for t in T}


def points(*candidates: Candidate) -> Points:
    return {
        c.key: (c.memory_type, ScoredPoint(c.key, c.score, {"content": f"memory {c.key}"}), "")
        for c in candidates
    }


def reasons(packing: Any, found: Points, **more: Any) -> dict[str, str]:
    chosen = sorted(packing.selected(), key=lambda c: -c.score)
    prices = LinePrices(TokenizerRegistry(), "cl100k_base")
    below = [(c, f"score {c.score:.3f} is below the floor") for c in more.get("below", [])]
    kept = left_out(packing, chosen, found, below, more.get("dups", {}), prices)
    return {m.id: m.reason.value for m in kept}


def test_a_lower_scored_memory_holding_its_own_share_makes_it_a_type_share() -> None:
    best = Candidate("best", T.SEMANTIC, 0.9, 30)  # too big for the semantic share of 10
    turn = Candidate("turn", T.EPISODIC, 0.2, 20)  # fits the episodic share of 30 (with its header)
    packing = pack({T.SEMANTIC: [best], T.EPISODIC: [turn]}, {T.SEMANTIC: 10, T.EPISODIC: 30}, HEADERS, 40)
    assert [c.key for c in packing.selected()] == ["turn"]
    assert packing.usage[T.EPISODIC].in_share == {"turn"}
    assert reasons(packing, points(best, turn)) == {"best": "type_share"}


def test_a_cheaper_memory_taken_from_what_was_left_is_no_type_share() -> None:
    # Nothing fits a share; from the pooled budget the best-first walk skips `big` and takes `small`.
    big = Candidate("big", T.EPISODIC, 0.9, 30)
    small = Candidate("small", T.SEMANTIC, 0.3, 10)
    packing = pack({T.EPISODIC: [big], T.SEMANTIC: [small]}, {T.EPISODIC: 5, T.SEMANTIC: 5}, HEADERS, 20)
    assert [c.key for c in packing.selected()] == ["small"] and packing.usage[T.SEMANTIC].in_share == set()
    assert reasons(packing, points(big, small)) == {"big": "over_budget"}


def test_duplicates_and_floor_are_listed_best_first_and_capped() -> None:
    hits = [
        ScoredPoint("a", 0.9, {"content": "Alice prefers green tea over coffee"}),
        ScoredPoint("b", 0.8, {"content": "Alice prefers green tea over coffee!"}),
    ]
    dropped: list[Duplicate] = []
    assert [h.id for h in suppress_near_duplicates(hits, 0.8, dropped)] == ["a"]
    assert [(d.point.id, d.of, d.overlap) for d in dropped] == [("b", "a", 1.0)]
    many = [Candidate(f"m{i}", T.SEMANTIC, i / 1000, 5) for i in range(MAX_LEFT_OUT + 10)]
    packing = pack({T.SEMANTIC: []}, {T.SEMANTIC: 100}, HEADERS, 100)
    found = reasons(packing, points(*many), below=many, dups={T.SEMANTIC: dropped})
    assert len(found) == MAX_LEFT_OUT and found["b"] == "duplicate"
    assert "m0" not in found  # the lowest scored are the ones cut off
