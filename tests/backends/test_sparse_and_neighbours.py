"""BM25 vectors, fused searches, neighbour lookups and old data dirs, on both backends."""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from qdrant_client import AsyncQdrantClient, models
from qdrant_edge import Distance, EdgeConfig, EdgeShard, EdgeVectorParams, Point, UpdateOperation

from mnemo.backends.embedding.sparse import Bm25Encoder
from mnemo.backends.qdrant_edge.index import EdgeVectorIndex
from mnemo.backends.qdrant_edge.vocabulary import EDGE_PLANNER
from mnemo.backends.qdrant_server.index import QdrantClientVectorIndex
from mnemo.backends.qdrant_server.vocabulary import PLAN as CLIENT_PLANNER
from mnemo.memtypes.formula import SCORE, Var
from mnemo.memtypes.ports import VectorIndex
from mnemo.memtypes.queries import Fusion, MemoryFilter, NeighbourRequest, SearchRequest, VectorPoint
from mnemo.memtypes.records import TIE_BREAK_FIELD, Scope
from mnemo.memtypes.types import POLICIES, MemoryType
from mnemo.retrieval.options import RetrievalConfig, resolve_tuning
from mnemo.retrieval.ranking.policy import RankingPolicy
from mnemo.retrieval.ranking.terms.stored import relevance_expr
from tests.backends.conftest import DIMENSION, PREFIX
from tests.backends.test_vector_index import NOW, payload, unit_vectors

EPISODIC = MemoryType.EPISODIC
BM25 = Bm25Encoder()
TEXTS = [
    "the invoice for order 4471 was paid",
    "Bob likes hiking in the Alps",
    "the order of the meeting agenda changed",
    "Alice paid the big invoice very late yesterday",  # no two equal BM25 scores below
    "hiking boots on sale",
    "quarterly invoice review",
]


def sparse_points(seed: int) -> list[VectorPoint]:
    vectors = unit_vectors(len(TEXTS), seed)
    return [
        VectorPoint(str(uuid.uuid4()), [float(x) for x in v], payload(content=t), s)
        for v, t, s in zip(vectors, TEXTS, BM25.documents(TEXTS), strict=True)
    ]


async def test_sparse_search_ranks_by_bm25(index: VectorIndex) -> None:
    pts = sparse_points(seed=80)
    await index.upsert(EPISODIC, pts)
    query = SearchRequest(EPISODIC, None, MemoryFilter("acme"), 10, 50, sparse=BM25.query("invoice 4471"))
    [hits] = await index.search([query])
    assert hits[0].id == pts[0].id  # both words
    assert {h.id for h in hits} == {pts[0].id, pts[3].id, pts[5].id}  # only documents with a word


async def test_past_its_payload_limit_a_search_returns_ids_and_scores_only(index: VectorIndex) -> None:
    # What a retrieval keeps in reserve: most of it is never used, so its payloads are not read.
    await index.upsert(EPISODIC, sparse_points(seed=81))
    query = SearchRequest(EPISODIC, None, MemoryFilter("acme"), 10, 50, sparse=BM25.query("invoice 4471"))
    [full] = await index.search([query])
    [limited] = await index.search([replace(query, payload_limit=1)])
    assert [(h.id, h.score) for h in limited] == [(h.id, h.score) for h in full]
    assert len(full) == 3 and all(h.payload for h in full)
    assert limited[0].payload == full[0].payload
    assert [h.payload for h in limited[1:]] == [{}, {}]


@pytest.mark.parametrize("fusion", [Fusion.RRF, Fusion.DBSF, Fusion.LINEAR])
async def test_fused_formula_scores_are_explained_by_the_stage_run_alone(
    index: VectorIndex, fusion: Fusion
) -> None:
    pts = sparse_points(seed=81)
    await index.upsert(EPISODIC, pts)
    tuning = resolve_tuning(RetrievalConfig(fusion=fusion), None)
    policy = RankingPolicy(POLICIES[EPISODIC], NOW, relevance=relevance_expr(tuning, fused=True))
    dense, sparse = [float(x) for x in unit_vectors(1, seed=82)[0]], BM25.query("invoice hiking")
    ranked = SearchRequest(
        EPISODIC, dense, MemoryFilter("acme"), 6, 20, policy.formula(), sparse=sparse, fusion=fusion
    )
    if fusion is Fusion.LINEAR:
        stages = [
            SearchRequest(EPISODIC, dense, MemoryFilter("acme"), 20, 20),
            SearchRequest(EPISODIC, None, MemoryFilter("acme"), 20, 20, sparse=sparse),
        ]
    else:
        stages = [SearchRequest(EPISODIC, dense, MemoryFilter("acme"), 20, 20, sparse=sparse, fusion=fusion)]
    [hits, *alone] = await index.search([ranked, *stages])
    per_list = [{p.id: p.score for p in found} for found in alone]
    assert len(hits) == 6
    for hit in hits:
        scores = tuple(found.get(hit.id, 0.0) for found in per_list)
        assert policy.explain(hit.payload, scores).total == pytest.approx(hit.score, abs=1e-4)


async def test_fused_rankings_agree_across_backends(both: tuple[VectorIndex, VectorIndex]) -> None:
    edge, client = both
    pts = sparse_points(seed=83)
    for idx in (edge, client):
        await idx.upsert(EPISODIC, pts)
    dense, sparse = (
        [float(x) for x in unit_vectors(1, seed=84)[0]],
        BM25.query("invoice hiking"),
    )  # no equal BM25 scores: ties may come in either order
    requests = [
        SearchRequest(EPISODIC, dense, MemoryFilter("acme"), 6, 20, sparse=sparse, fusion=Fusion.RRF),
        SearchRequest(EPISODIC, None, MemoryFilter("acme"), 6, 20, sparse=sparse),
    ]
    for e_hits, c_hits in zip(await edge.search(requests), await client.search(requests), strict=True):
        e_scores, c_scores = {h.id: h.score for h in e_hits}, {h.id: h.score for h in c_hits}
        assert len(e_hits) >= 5 and e_scores.keys() == c_scores.keys()  # equal RRF scores tie: per point
        for pid, score in e_scores.items():
            assert score == pytest.approx(c_scores[pid], rel=1e-4)


async def test_neighbours_are_the_nearest_writes_of_the_same_scope_and_session(index: VectorIndex) -> None:
    t0 = NOW - 86_400
    rows = [  # (seq, user, occurred)
        (10, "u1", t0), (11, "u2", t0), (12, "u1", t0), (13, "u1", t0), (14, "u2", t0),
        (15, "u1", t0), (16, "u1", t0 + 30 * 86_400),  # a later session
    ]  # fmt: skip
    pts = [
        VectorPoint(
            str(uuid.uuid4()), [float(x) for x in v], payload(seq=float(seq), user_id=u, occurred_ts=ts)
        )
        for v, (seq, u, ts) in zip(unit_vectors(len(rows), seed=85), rows, strict=True)
    ]
    await index.upsert(EPISODIC, pts)
    session = MemoryFilter("acme", Scope(user_id="u1"), occurred_from=t0 - 3600, occurred_until=t0 + 3600)
    before, after = await index.neighbours(
        [
            NeighbourRequest(EPISODIC, session, 13.0, True, 2),
            NeighbourRequest(EPISODIC, session, 13.0, False, 5),
        ]
    )
    assert [p.payload["seq"] for p in before] == [12.0, 10.0]
    assert [p.payload["seq"] for p in after] == [15.0]  # not u2's 14, not the later session's 16


def test_a_neighbour_lookup_walks_the_sequence_from_the_turn_itself() -> None:
    # Not from the index's far end, past every later (or earlier) memory of every scope: at 1M
    # memories that walk cost many times a lookup from the turn.
    session = MemoryFilter("acme", Scope(user_id="u1"))
    before = NeighbourRequest(EPISODIC, session, 13.0, True, 2)
    after = replace(before, before=False)
    for request, start in ((before, 13.0), (after, 13.5)):
        assert EDGE_PLANNER.neighbours(request).query.start_from == start
        assert CLIENT_PLANNER.neighbours(request).query.order_by.start_from == start


async def test_edge_searches_neighbour_lookups_and_small_reads_run_on_the_callers_thread(
    both: tuple[VectorIndex, VectorIndex], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The binding holds the GIL for a whole call: a worker thread would run nothing else meanwhile,
    # and only add two thread wake-ups a call.
    edge, _ = both
    assert isinstance(edge, EdgeVectorIndex)
    points = sparse_points(seed=3)
    await edge.upsert(EPISODIC, points)
    shard = edge._shard(EPISODIC)
    threads: list[int] = []

    class Watched:  # the real shard, each query batch's and payload read's thread noted
        def query_batch(self, batch: object) -> object:
            threads.append(threading.get_ident())
            return shard.query_batch(batch)

        def retrieve(self, *args: object) -> object:
            threads.append(threading.get_ident())
            return shard.retrieve(*args)

        def __getattr__(self, name: str) -> object:
            return getattr(shard, name)

    monkeypatch.setattr(edge, "_shard", lambda memory_type: Watched())
    flt = MemoryFilter("acme")
    [hits] = await edge.search([SearchRequest(EPISODIC, None, flt, 3, 3, sparse=BM25.query("invoice"))])
    await edge.neighbours([NeighbourRequest(EPISODIC, flt, 2.0, True, 1)])
    edge.payloads.invalidate(EPISODIC)  # so that the read below reaches the engine
    [read] = await edge.get(EPISODIC, [points[-1].id])
    # The newer-first lift's read: the vectors from the engine, the payloads from the cache.
    [with_vector] = await edge.get(EPISODIC, [points[0].id], with_vector=True)
    assert hits and read.payload == points[-1].payload
    assert with_vector.payload == points[0].payload and with_vector.vector is not None
    assert len(threads) >= 4 and set(threads) == {threading.get_ident()}


async def test_an_edge_dir_written_before_hybrid_search_still_opens_and_gains_bm25(tmp_path: Path) -> None:
    old_config = EdgeConfig(vectors={"dense": EdgeVectorParams(size=DIMENSION, distance=Distance.Cosine)})
    old_vector = [float(x) for x in unit_vectors(1, seed=86)[0]]
    old_id = str(uuid.uuid4())
    for memory_type in MemoryType:
        shard = EdgeShard.create(str(tmp_path / f"{PREFIX}_{memory_type.value}"), old_config)
        if memory_type is EPISODIC:
            shard.update(UpdateOperation.upsert_points([Point(old_id, {"dense": old_vector}, payload())]))
        shard.close()
    for _ in range(2):  # the second open finds the sparse vector in place
        index = EdgeVectorIndex(tmp_path, PREFIX, DIMENSION)
        await index.open()
        await check_upgraded(index, old_id, old_vector)
        await index.close()


async def test_a_collection_created_before_hybrid_search_gains_bm25() -> None:
    client = AsyncQdrantClient(location=":memory:")
    old_vector = [float(x) for x in unit_vectors(1, seed=87)[0]]
    old_id = str(uuid.uuid4())
    for memory_type in MemoryType:
        name = f"{PREFIX}_{memory_type.value}"
        dense = models.VectorParams(size=DIMENSION, distance=models.Distance.COSINE)
        await client.create_collection(name, vectors_config={"dense": dense})
    point = models.PointStruct(id=old_id, vector={"dense": old_vector}, payload=payload())
    await client.upsert(f"{PREFIX}_{EPISODIC.value}", [point])
    index = QdrantClientVectorIndex(client, PREFIX, DIMENSION)
    await index.open()
    await check_upgraded(index, old_id, old_vector)
    await index.close()


async def check_upgraded(index: VectorIndex, old_id: str, old_vector: list[float]) -> None:
    new = sparse_points(seed=88)[:2]
    await index.upsert(EPISODIC, new)
    flt = MemoryFilter("acme")
    hybrid = SearchRequest(EPISODIC, old_vector, flt, 10, 20, Var(SCORE), sparse=BM25.query("invoice"))
    [found] = await index.search([hybrid])
    ids = {h.id for h in found}
    assert old_id in ids and new[0].id in ids  # the old point by its vector, the new one by both


async def test_two_stage_ranking_equals_one_stage_when_the_cut_keeps_every_candidate(
    index: VectorIndex,
) -> None:
    pts = sparse_points(seed=83)
    await index.upsert(EPISODIC, pts)
    relevance = relevance_expr(resolve_tuning(RetrievalConfig(fusion=Fusion.LINEAR), None), fused=True)
    policy = RankingPolicy(POLICIES[EPISODIC], NOW, relevance=relevance)
    dense, sparse = [float(x) for x in unit_vectors(1, seed=84)[0]], BM25.query("invoice hiking order")
    one = SearchRequest(
        EPISODIC, dense, MemoryFilter("acme"), 6, 20, policy.formula(), sparse=sparse, fusion=Fusion.LINEAR
    )
    two_stage = {"stage_formula": relevance, "formula": policy.formula(relevance=Var(SCORE))}
    wide = replace(one, stage_limit=20, **two_stage)
    narrow = replace(one, stage_limit=2, **two_stage)  # only the two most relevant reach the formula
    by_relevance = replace(one, formula=relevance)
    [one_hits, wide_hits, narrow_hits, relevant] = await index.search([one, wide, narrow, by_relevance])
    assert [(h.id, pytest.approx(h.score, abs=1e-5)) for h in wide_hits] == [
        (h.id, h.score) for h in one_hits
    ]
    assert {h.id for h in narrow_hits} == {h.id for h in relevant[:2]}
    # The formula still ranks what the cut let through, with the first stage's score as its `$score`.
    for hit in narrow_hits:
        assert hit.score == pytest.approx(next(h.score for h in one_hits if h.id == hit.id), abs=1e-5)


async def test_a_stage_cut_among_tied_candidates_keeps_those_with_the_highest_tie_break(
    index: VectorIndex,
) -> None:
    # Copies of one text that only BM25 finds tie on relevance; the engine would keep whichever it
    # met first, in an order that changes between processes.
    query = [float(x) for x in unit_vectors(1, seed=85)[0]]
    near = [[q + 0.05 * float(x) for q, x in zip(query, v, strict=True)] for v in unit_vectors(10, seed=86)]
    fillers = [VectorPoint(str(uuid.uuid4()), v, payload(content="weather notes")) for v in near]
    copies = []  # numbers far enough apart that no two round to one float32 score
    for n, sparse in zip([5, 2, 7, 0, 3, 6, 1, 4], BM25.documents(["the invoice was paid"] * 8), strict=True):
        fields = {"content": "the invoice was paid", TIE_BREAK_FIELD: (n + 0.5) / 8}
        copies.append(VectorPoint(str(uuid.uuid4()), [-q for q in query], payload(**fields), sparse))
    await index.upsert(EPISODIC, fillers + copies)
    relevance = relevance_expr(resolve_tuning(RetrievalConfig(fusion=Fusion.LINEAR), None), fused=True)
    request = SearchRequest(
        EPISODIC, query, MemoryFilter("acme"), 13, 10, Var(SCORE), sparse=BM25.query("invoice"),
        fusion=Fusion.LINEAR, stage_formula=relevance, stage_limit=13,
    )  # fmt: skip
    [hits] = await index.search([request])
    assert {h.id for h in hits[:10]} == {p.id for p in fillers}  # the dense list, all above the ties
    by_tie_break = sorted(copies, key=lambda p: p.payload[TIE_BREAK_FIELD], reverse=True)
    assert [h.id for h in hits[10:]] == [p.id for p in by_tie_break[:3]]


def test_a_stage_formula_needs_a_formula_and_a_limit() -> None:
    with pytest.raises(ValueError, match="stage formula"):
        SearchRequest(EPISODIC, [1.0] * DIMENSION, MemoryFilter("acme"), 5, 10, stage_formula=Var(SCORE))


async def test_count_estimate_is_near_the_exact_count(index: VectorIndex) -> None:
    await index.upsert(EPISODIC, sparse_points(seed=85))
    flt = MemoryFilter("acme")
    assert await index.count(EPISODIC, flt) == len(TEXTS)
    # An estimate from the payload indexes: only sizes candidate lists, so near is enough.
    assert len(TEXTS) / 2 <= await index.count(EPISODIC, flt, exact=False) <= 2 * len(TEXTS)
    assert await index.count(EPISODIC, MemoryFilter("someone-else"), exact=False) == 0
