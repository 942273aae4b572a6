"""The `VectorIndex` contract, run unchanged against both backends (the `index` fixture is parametrized)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pytest

from mnemo.memtypes.formula import Expr
from mnemo.memtypes.ports import VectorIndex
from mnemo.memtypes.queries import MemoryFilter, SearchRequest, VectorPoint
from mnemo.memtypes.records import Scope
from mnemo.memtypes.types import DAY_SECONDS, POLICIES, MemoryType
from mnemo.retrieval.options import RetrievalConfig, resolve_tuning
from mnemo.retrieval.ranking.policy import RankingPolicy, ranking_policies
from tests.backends.congruence import compare_points

DIMENSION = 8  # the fixtures' indexes are built with this size
NOW = 1_750_000_000.0  # a fixed "now": realistic magnitude, so float precision is exercised
# Qdrant Edge stores dense vectors as float16 (backends/qdrant_edge/layout.py): a unit
# vector's component comes back within half a unit in the last place (2**-12 below 1).
STORED_ATOL = 2**-12
EPISODIC, SEMANTIC = MemoryType.EPISODIC, MemoryType.SEMANTIC


def unit_vectors(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = rng.normal(size=(n, DIMENSION))
    unit: np.ndarray = v / np.linalg.norm(v, axis=1, keepdims=True)
    return unit


def payload(tenant: str = "acme", **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "tenant": tenant,
        "superseded": False,
        "content": f"memory {uuid.uuid4().hex[:8]}",
        "importance": 0.5,
        "occurred_ts": NOW - DAY_SECONDS,
        "created_ts": NOW - DAY_SECONDS,
    }
    base.update(fields)
    return base


def points(vectors: np.ndarray, payloads: list[dict[str, Any]]) -> list[VectorPoint]:
    return [
        VectorPoint(str(uuid.uuid4()), [float(x) for x in v], p)
        for v, p in zip(vectors, payloads, strict=True)
    ]


def request(
    vector: np.ndarray | list[float],
    flt: MemoryFilter,
    memory_type: MemoryType = EPISODIC,
    limit: int = 10,
    formula: Expr | None = None,
    with_vector: bool = False,
) -> SearchRequest:
    return SearchRequest(
        memory_type, [float(x) for x in vector], flt, limit, max(limit, 50), formula, with_vector
    )


def ids_of(hits: list[Any]) -> list[str]:
    return [h.id for h in hits]


async def test_upsert_and_get_round_trip_payload_and_vector(index: VectorIndex) -> None:
    vecs = unit_vectors(2, seed=1)
    rich = payload(tags=["a", "b"], metadata={"k": {"n": 1, "f": 0.25}}, use_count=3, status="pending")
    [p1, p2] = points(vecs, [rich, payload()])
    await index.upsert(EPISODIC, [p1, p2])

    got = await index.get(EPISODIC, [p1.id, str(uuid.uuid4()), "not-a-uuid"], with_vector=True)
    assert [g.id for g in got] == [p1.id]
    assert got[0].payload == rich
    assert got[0].vector is not None
    np.testing.assert_allclose(got[0].vector, vecs[0], atol=STORED_ATOL)
    [without] = await index.get(EPISODIC, [p2.id])
    assert without.vector is None
    assert await index.get(SEMANTIC, [p1.id]) == []  # each type is its own collection


async def test_tenant_isolation_with_identical_vectors(index: VectorIndex) -> None:
    vecs = np.repeat(unit_vectors(1, seed=2), 6, axis=0)
    pts = points(vecs, [payload("acme") for _ in range(3)] + [payload("globex") for _ in range(3)])
    await index.upsert(EPISODIC, pts)
    acme_ids = {p.id for p in pts[:3]}
    acme = MemoryFilter("acme")

    [hits] = await index.search([request(vecs[0], acme)])
    assert set(ids_of(hits)) == acme_ids
    scrolled, _ = await index.scroll(EPISODIC, acme, limit=100)
    assert {p.id for p in scrolled} == acme_ids
    assert await index.count(EPISODIC, acme) == 3
    assert await index.count(EPISODIC, MemoryFilter("initech")) == 0
    [formula_hits] = await index.search(
        [request(vecs[0], acme, formula=RankingPolicy(POLICIES[EPISODIC], NOW).formula())]
    )
    assert set(ids_of(formula_hits)) == acme_ids


async def test_scope_filters(index: VectorIndex) -> None:
    scopes = [
        {"user_id": "u1", "agent_id": "a1", "thread_id": "t1"},
        {"user_id": "u1", "agent_id": "a1", "thread_id": "t2"},
        {"user_id": "u1", "agent_id": "a2"},
        {"user_id": "u2", "agent_id": "a1"},
        {},
    ]
    pts = points(unit_vectors(len(scopes), seed=3), [payload(**s) for s in scopes])
    await index.upsert(SEMANTIC, pts)
    cases = [
        (Scope(), {0, 1, 2, 3, 4}),
        (Scope(user_id="u1"), {0, 1, 2}),
        (Scope(agent_id="a1"), {0, 1, 3}),
        (Scope(user_id="u1", agent_id="a1"), {0, 1}),
        (Scope(thread_id="t2"), {1}),
        (Scope(user_id="u2", thread_id="t1"), set()),
    ]
    for scope, expected in cases:
        flt = MemoryFilter("acme", scope)
        want = {pts[i].id for i in expected}
        [hits] = await index.search([request(unit_vectors(1, seed=4)[0], flt, SEMANTIC)])
        assert set(ids_of(hits)) == want, scope
        scrolled, _ = await index.scroll(SEMANTIC, flt, limit=100)
        assert {p.id for p in scrolled} == want, scope
        assert await index.count(SEMANTIC, flt) == len(want), scope


async def test_superseded_points_are_hidden_unless_asked_for(index: VectorIndex) -> None:
    vecs = np.repeat(unit_vectors(1, seed=5), 3, axis=0)
    pts = points(vecs, [payload(), payload(superseded=True), payload()])
    await index.upsert(SEMANTIC, pts)
    live = {pts[0].id, pts[2].id}

    default, everything = MemoryFilter("acme"), MemoryFilter("acme", include_superseded=True)
    [hits, all_hits] = await index.search(
        [request(vecs[0], default, SEMANTIC), request(vecs[0], everything, SEMANTIC)]
    )
    assert set(ids_of(hits)) == live
    assert set(ids_of(all_hits)) == {p.id for p in pts}
    assert await index.count(SEMANTIC, default) == 2
    assert await index.count(SEMANTIC, everything) == 3
    scrolled, _ = await index.scroll(SEMANTIC, default, limit=10)
    assert {p.id for p in scrolled} == live


async def test_status_filter(index: VectorIndex) -> None:
    pv = MemoryType.PROSPECTIVE
    pts = points(
        unit_vectors(4, seed=6), [payload(status=s) for s in ("pending", "done", "pending", "cancelled")]
    )
    await index.upsert(pv, pts)
    pending = MemoryFilter("acme", status="pending")
    [hits] = await index.search([request(unit_vectors(1, seed=7)[0], pending, pv)])
    assert set(ids_of(hits)) == {pts[0].id, pts[2].id}
    assert await index.count(pv, pending) == 2
    assert await index.count(pv, MemoryFilter("acme", status="done")) == 1
    assert await index.count(pv, MemoryFilter("acme")) == 4


async def test_delete(index: VectorIndex) -> None:
    pts = points(unit_vectors(3, seed=8), [payload() for _ in range(3)])
    await index.upsert(EPISODIC, pts)
    await index.delete(EPISODIC, [pts[0].id, str(uuid.uuid4()), "not-a-uuid"])
    assert await index.get(EPISODIC, [p.id for p in pts]) != []
    assert {p.id for p in await index.get(EPISODIC, [p.id for p in pts])} == {pts[1].id, pts[2].id}
    assert await index.count(EPISODIC, MemoryFilter("acme")) == 2
    [hits] = await index.search([request(pts[0].vector, MemoryFilter("acme"))])
    assert pts[0].id not in ids_of(hits)


async def test_set_payload_merges_keys(index: VectorIndex) -> None:
    [p] = points(unit_vectors(1, seed=9), [payload(status="pending", importance=0.4)])
    await index.upsert(MemoryType.PROSPECTIVE, [p])
    await index.set_payload(MemoryType.PROSPECTIVE, [p.id], {"status": "done", "access_count": 2})
    [got] = await index.get(MemoryType.PROSPECTIVE, [p.id])
    assert got.payload == {**p.payload, "status": "done", "access_count": 2}
    assert await index.count(MemoryType.PROSPECTIVE, MemoryFilter("acme", status="done")) == 1
    assert await index.count(MemoryType.PROSPECTIVE, MemoryFilter("acme", status="pending")) == 0


async def test_scroll_pages_cover_every_point_once_and_count_is_exact(index: VectorIndex) -> None:
    # More points than one upsert chunk of the client backend, and a last page that is not full.
    pts = points(unit_vectors(557, seed=10), [payload() for _ in range(557)])
    await index.upsert(
        EPISODIC, pts + points(unit_vectors(5, seed=11), [payload("globex") for _ in range(5)])
    )
    flt = MemoryFilter("acme")
    seen: list[str] = []
    offset: str | None = None
    pages = 0
    while True:
        page, offset = await index.scroll(EPISODIC, flt, limit=100, offset=offset)
        seen.extend(p.id for p in page)
        pages += 1
        assert all(p.payload["tenant"] == "acme" for p in page)
        if offset is None:
            break
        assert isinstance(offset, str)
    assert pages == 6
    assert len(seen) == len(set(seen)) == 557
    assert set(seen) == {p.id for p in pts}
    assert await index.count(EPISODIC, flt) == 557


async def test_search_is_ordered_by_cosine_similarity(index: VectorIndex) -> None:
    vecs = unit_vectors(30, seed=12)
    pts = points(vecs, [payload() for _ in range(30)])
    await index.upsert(EPISODIC, pts)
    query = unit_vectors(1, seed=13)[0]
    [hits] = await index.search([request(query, MemoryFilter("acme"), limit=5, with_vector=True)])

    sims = vecs @ query
    expected = [pts[i].id for i in np.argsort(-sims)[:5]]
    assert ids_of(hits) == expected
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    np.testing.assert_allclose(scores, np.sort(sims)[::-1][:5], atol=DIMENSION * STORED_ATOL)
    assert hits[0].vector is not None
    np.testing.assert_allclose(hits[0].vector, vecs[np.argmax(sims)], atol=STORED_ATOL)
    assert hits[0].payload == pts[int(np.argmax(sims))].payload


async def test_mixed_batch_answers_each_request_in_order(index: VectorIndex) -> None:
    types = [EPISODIC, SEMANTIC, MemoryType.PROCEDURAL]
    stored: dict[MemoryType, list[VectorPoint]] = {}
    for n, mt in enumerate(types):
        stored[mt] = points(
            unit_vectors(10, seed=20 + n), [payload("acme" if i % 2 else "globex") for i in range(10)]
        )
        await index.upsert(mt, stored[mt])
    # Each request targets one stored point exactly, so its top hit is known.
    plan = [
        (SEMANTIC, 1, "acme"),
        (EPISODIC, 2, "globex"),
        (SEMANTIC, 4, "globex"),
        (MemoryType.PROCEDURAL, 3, "acme"),
        (EPISODIC, 5, "acme"),
    ]
    requests = [
        request(
            stored[mt][i].vector,
            MemoryFilter(tenant),
            mt,
            limit=3,
            formula=RankingPolicy(POLICIES[mt], NOW).formula() if k % 2 else None,
        )
        for k, (mt, i, tenant) in enumerate(plan)
    ]
    results = await index.search(requests)
    assert len(results) == len(plan)
    for (mt, i, tenant), hits, req in zip(plan, results, requests, strict=True):
        assert hits[0].id == stored[mt][i].id
        assert all(h.payload["tenant"] == tenant for h in hits)
        assert ids_of(hits) == ids_of((await index.search([req]))[0])
    assert await index.search([]) == []


def formula_payloads(memory_type: MemoryType, n: int, seed: int) -> list[dict[str, Any]]:
    """Payloads that vary every input the ranking formula reads (and sometimes leave one out)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        p = payload(occurred_ts=NOW - float(rng.uniform(0, 200)) * DAY_SECONDS)
        if i % 5 != 0:
            p["importance"] = float(rng.uniform(0, 1))
        else:
            del p["importance"]  # the formula's default (0.5) stands in
        if i % 3 != 0:
            p["use_count"] = int(rng.integers(0, 20))
        if i % 4 != 0:
            p["due_ts"] = NOW + float(rng.uniform(-10, 10)) * DAY_SECONDS
        p["status"] = "pending" if i % 2 else "done"
        out.append(p)
    return out


async def engine_similarities(index: VectorIndex, pts: list[VectorPoint], query: np.ndarray) -> np.ndarray:
    """The similarities the engine computes: of the vectors as it stored them, and, where it stores
    float16 (Edge), of the query rounded to float16 too."""
    kept = {p.id: p.vector for p in await index.get(EPISODIC, [p.id for p in pts], with_vector=True)}
    matrix = np.array([kept[p.id] for p in pts], dtype=np.float32)
    if np.array_equal(matrix, matrix.astype(np.float16).astype(np.float32)):
        query = query.astype(np.float16)
    return matrix @ query.astype(np.float32)


async def test_formula_score_equals_policy_explanation_for_every_type(index: VectorIndex) -> None:
    # Each type is its own collection, so one index holds every type's case without interference.
    vecs = unit_vectors(24, seed=30)
    query = unit_vectors(1, seed=32)[0]
    stored = {mt: points(vecs, formula_payloads(mt, 24, seed=31 + n)) for n, mt in enumerate(MemoryType)}
    for mt, pts in stored.items():
        await index.upsert(mt, pts)
    cosines = await engine_similarities(index, stored[MemoryType.EPISODIC], query)
    policies = {mt: RankingPolicy(POLICIES[mt], NOW) for mt in MemoryType}

    results = await index.search(
        [request(query, MemoryFilter("acme"), mt, 24, policies[mt].formula()) for mt in MemoryType]
    )
    for mt, hits in zip(MemoryType, results, strict=True):
        explained = {
            p.id: policies[mt].explain(p.payload, float(c)).total
            for p, c in zip(stored[mt], cosines, strict=True)
        }
        assert len(hits) == 24, mt
        for hit in hits:
            assert hit.score == pytest.approx(explained[hit.id], abs=1e-4), (mt, hit.payload)
        assert ids_of(hits) == sorted(explained, key=lambda pid: -explained[pid]), mt


async def test_recent_important_memory_outranks_old_unimportant_one(index: VectorIndex) -> None:
    types = [t for t in MemoryType if POLICIES[t].w_recency or POLICIES[t].w_importance]
    assert MemoryType.PROSPECTIVE not in types  # ranked by due time instead: see the next test
    vec = unit_vectors(1, seed=40)
    old = payload(occurred_ts=NOW - 400 * DAY_SECONDS, importance=0.1, use_count=0)
    new = payload(occurred_ts=NOW - 3600, importance=0.9, use_count=0)
    stored = {mt: points(np.repeat(vec, 2, axis=0), [old, new]) for mt in types}
    for mt, pair in stored.items():
        await index.upsert(mt, pair)  # the old one first: insertion order must not decide
    flt = MemoryFilter("acme")
    plain = await index.search([request(vec[0], flt, mt) for mt in types])
    ranked = await index.search(
        [request(vec[0], flt, mt, formula=RankingPolicy(POLICIES[mt], NOW).formula()) for mt in types]
    )
    for mt, plain_hits, ranked_hits in zip(types, plain, ranked, strict=True):
        [p_old, p_new] = stored[mt]
        assert plain_hits[0].score == pytest.approx(plain_hits[1].score, abs=1e-6), mt  # equal similarity
        assert ids_of(ranked_hits) == [p_new.id, p_old.id], mt
        # By what the formula's own terms say the two differ (episodic: recency alone).
        policy = RankingPolicy(POLICIES[mt], NOW)
        gap = policy.explain(new, 0.0).total - policy.explain(old, 0.0).total
        assert gap > 0.04, mt
        assert ranked_hits[0].score - ranked_hits[1].score == pytest.approx(gap, abs=1e-3), mt


async def test_overdue_pending_intention_comes_first(index: VectorIndex) -> None:
    pv = MemoryType.PROSPECTIVE
    vec = unit_vectors(1, seed=41)
    far = payload(due_ts=NOW + 60 * DAY_SECONDS, status="pending")
    overdue = payload(due_ts=NOW - 2 * DAY_SECONDS, status="pending")
    done = payload(due_ts=NOW - 2 * DAY_SECONDS, status="done")
    pts = points(np.repeat(vec, 3, axis=0), [far, done, overdue])
    await index.upsert(pv, pts)
    # For a question about what to do that names no time (for any other, past due is no reason).
    config = RetrievalConfig()
    at = datetime.fromtimestamp(NOW, UTC)
    policy = ranking_policies("anything I need to do?", [pv], at, resolve_tuning(config, None), config, False)
    [hits] = await index.search([request(vec[0], MemoryFilter("acme"), pv, formula=policy[pv].formula())])
    assert ids_of(hits) == [pts[2].id, pts[1].id, pts[0].id]


async def test_both_backends_return_the_same_ranking(both: tuple[VectorIndex, VectorIndex]) -> None:
    edge, client = both
    for n, mt in enumerate(MemoryType):
        vecs = unit_vectors(40, seed=50 + n)
        pays = formula_payloads(mt, 40, seed=60 + n)
        for p, i in zip(pays, range(40), strict=True):
            p["tenant"] = "acme" if i % 4 else "globex"
            p["user_id"] = "u1" if i % 3 else "u2"
            p["superseded"] = i % 7 == 0
        pts = points(vecs, pays)
        await edge.upsert(mt, pts)
        await client.upsert(mt, pts)
    queries = unit_vectors(4, seed=70)
    requests = [
        request(q, flt, mt, limit=8, formula=RankingPolicy(POLICIES[mt], NOW).formula() if ranked else None)
        for mt in MemoryType
        for q in queries
        for flt in (MemoryFilter("acme"), MemoryFilter("acme", Scope(user_id="u1"), include_superseded=True))
        for ranked in (False, True)
    ]
    edge_results, client_results = await edge.search(requests), await client.search(requests)
    for e_hits, c_hits in zip(edge_results, client_results, strict=True):
        assert len(e_hits) == 8
        compare_points(e_hits, c_hits)  # the same hits, scores within float16's precision
