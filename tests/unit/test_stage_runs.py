"""`explain` re-runs each formula-ranked search's relevance stage alone; for linear hybrid fusion that
is one run per list (dense, BM25). Found by the schemathesis run: it used to build an invalid request."""

from __future__ import annotations

from dataclasses import replace

from mnemo.memtypes.formula import Const
from mnemo.memtypes.queries import Fusion, MemoryFilter, SearchRequest, SparseVector
from mnemo.memtypes.types import MemoryType
from mnemo.retrieval.stages.search_plan import stage_runs

LINEAR_HYBRID = SearchRequest(
    memory_type=MemoryType.SEMANTIC,
    vector=[1.0, 0.0],
    filter=MemoryFilter(tenant="t"),
    limit=5,
    prefetch_limit=20,
    formula=Const(1.0),
    sparse=SparseVector((1, 2), (0.5, 0.5)),
    fusion=Fusion.LINEAR,
)


def test_linear_hybrid_stage_is_one_run_per_list() -> None:
    search = LINEAR_HYBRID
    [[dense, sparse]] = stage_runs([search], Fusion.LINEAR)
    assert dense.sparse is None and dense.vector == [1.0, 0.0] and dense.formula is None
    assert sparse.vector is None and sparse.sparse == search.sparse and sparse.limit == 20
    assert dense.payload_limit == sparse.payload_limit == 0  # only scores are read from a run


def test_a_two_stage_search_is_explained_by_its_lists_at_full_depth() -> None:
    search = replace(LINEAR_HYBRID, stage_formula=Const(0.5), stage_limit=10)
    [[dense, sparse]] = stage_runs([search], Fusion.LINEAR)
    for run in (dense, sparse):  # no cut: the explanation needs every score the first stage saw
        assert run.stage_formula is None and run.stage_limit is None and run.limit == 20


def test_equal_scores_come_out_in_one_order_whatever_order_the_engine_returned_them_in() -> None:
    from mnemo.memtypes.queries import ScoredPoint
    from mnemo.retrieval.stages.search_plan import SearchPlan

    search = replace(LINEAR_HYBRID, limit=3)
    points = [ScoredPoint(i, s, {"content": i}) for i, s in (("b", 0.9), ("a", 0.9), ("d", 0.5), ("c", 0.5))]
    head_tail = [*points[:3], ScoredPoint("e", 0.5, {})]  # past the head: no payload
    plan = SearchPlan([search], [search], 1, [])
    answers = [plan.hits([order]) for order in (head_tail, [points[1], points[0], points[2], head_tail[3]])]
    for answer in answers:
        assert [p.id for p in answer.hits[MemoryType.SEMANTIC]] == ["a", "b", "d"]
        # The reserve keeps the head first: a tie across its end does not pull in a point without payload.
        assert [p.id for p in answer.reserve[MemoryType.SEMANTIC]] == ["a", "b", "d", "e"]
