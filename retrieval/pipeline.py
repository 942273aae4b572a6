"""The read pipeline: resolve → embed once → search every type in one batch → pack → present.

With a `task_id`, the task's live working memory is read from Redis while the query is embedded and
goes first in the context, newest first, under its own budget. If Redis cannot answer, the rest of
the context is still served and `metadata.degraded` says what is missing.

This module is the I/O: what is decided lives in mnemo.retrieval.plan (what to search) and
mnemo.retrieval.assemble (what the response holds).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime

from ..memtypes.errors import Unavailable
from ..memtypes.models import MODEL_REGISTRY, ModelSpec
from ..memtypes.ports import Embedder, SparseEncoder, Tokenizers, VectorIndex, WorkingStore
from ..memtypes.queries import MemoryFilter, ScoredPoint, SearchRequest, SparseVector
from ..memtypes.requests import RetrieveRequest, RetrieveResponse, SearchMode
from ..memtypes.types import EVENT_TYPE, POLICIES, MemoryType
from ..memtypes.working import WorkingItem
from .assemble import Found, LinePrices, assemble
from .budget import Packing, normalize_allocation
from .candidates import (
    LargeCounts,
    LineLengths,
    Neighbour,
    candidate_limits,
    deeper_searches,
    expand,
    mean_line_tokens,
    neighbour_requests,
    suppress_near_duplicates,
)
from .options import RetrievalConfig, resolve_tuning
from .plan import ReadPlan, ResolvedRequest, RoundHits, SearchPlanner, ranking_policies, resolve
from .policy import RankingPolicy
from .presentation import line_for
from .stages import merge_hits, stage_scores
from .updates import NEWER_FIRST_TYPES, SAME_SUBJECT_OVERLAP, newer_first

__all__ = ["RetrievalConfig", "Retriever", "line_for"]

log = logging.getLogger("mnemo.retrieval")
WORKING_MEMORY = "working_memory"  # what `metadata.degraded` names when Redis cannot answer
_UNDERFILLED = 0.9  # a packing below this share of the budget looks for more candidates


class Retriever:
    """The read path. Without a sparse encoder, every search is dense-only."""

    def __init__(
        self,
        index: VectorIndex,
        embedder: Embedder,
        tokenizers: Tokenizers,
        config: RetrievalConfig,
        working: WorkingStore | None = None,
        sparse: SparseEncoder | None = None,
        models: Mapping[str, ModelSpec] = MODEL_REGISTRY,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.tokenizers = tokenizers
        self.config = config
        self.working = working
        self.sparse = sparse
        self.line_lengths = LineLengths()
        self.large_counts = LargeCounts()
        self.models = models  # the built-in models and those MNEMO_CONFIG registers
        self._header_tokens: dict[tuple[str, MemoryType], int] = {}
        self._group_tokens: dict[tuple[str, str], int] = {}
        self._in_flight = 0  # retrievals started and not finished: one alone may take every core

    def resolve(self, request: RetrieveRequest) -> ResolvedRequest:
        return resolve(request, self.config, self.tokenizers.default, self.models)

    async def retrieve(
        self,
        tenant: str,
        request: RetrieveRequest,
        namespaces: Mapping[MemoryType, tuple[str, ...]] | None = None,
    ) -> RetrieveResponse:
        """`namespaces` (from an agent's bindings) confines each type to the namespaces holding it."""
        self._in_flight += 1
        try:
            return await self._retrieve(tenant, request, namespaces)
        finally:
            self._in_flight -= 1

    async def _retrieve(
        self,
        tenant: str,
        request: RetrieveRequest,
        namespaces: Mapping[MemoryType, tuple[str, ...]] | None,
    ) -> RetrieveResponse:
        resolved = self.resolve(request)
        tuning = resolve_tuning(self.config, request.ranking, request.include_superseded)
        weights = normalize_allocation(
            resolved.types, {t: POLICIES[t].budget_share for t in MemoryType}, request.allocation
        )
        flt = MemoryFilter(tenant=tenant, scope=request.scope, include_superseded=request.include_superseded)
        filters = {
            t: flt if namespaces is None else replace(flt, namespaces=namespaces[t]) for t in resolved.types
        }
        line_tokens = self.line_lengths.of(tenant, resolved.types, self.config.tokens_per_candidate)
        timings: dict[str, float] = {}
        started = time.perf_counter()
        (dense, sparse), (working, degraded), limits = await asyncio.gather(
            self._query_vectors(request.query, tuning.search),
            self._working_items(tenant, request.task_id, timings),
            self._candidate_limits(resolved.budget, weights, filters, line_tokens),
        )
        timings["embed_ms"] = (time.perf_counter() - started) * 1000
        fused = dense is not None and sparse is not None
        plan = ReadPlan(
            request, resolved, weights, ranking_policies(request, resolved, tuning, self.config, fused)
        )
        planner = SearchPlanner(plan, tuning, self.config, dense, sparse)

        started = time.perf_counter()
        first = planner.first_round(filters, limits)
        round_hits = first.hits(await self.index.search(first.requests))
        found, relevance = round_hits.hits, round_hits.relevance
        for memory_type, points in found.items():
            mean = mean_line_tokens(points, resolved.encoding)
            if mean is not None:
                self.line_lengths.observe(tenant, memory_type, mean)
        hits = {t: suppress_near_duplicates(points, tuning.diversity) for t, points in found.items()}
        lifts = _newer_first(hits, self.config.newer_first_margin)
        prices = LinePrices(self.tokenizers, resolved.encoding, self._header_tokens, self._group_tokens)
        packing = prices.packing(resolved, weights, hits)  # is the budget filled; which turns are chosen
        deeper = []
        if packing.tokens < resolved.budget * _UNDERFILLED:
            deeper = deeper_searches(first.typed, found, resolved.encoding, self.config, line_tokens)
        if deeper:  # lists full of lines shorter than they were sized for: fetch more, once
            relevance = await self._deepen(planner, deeper, round_hits, hits, tuning.diversity)
            lifts = _newer_first(hits, self.config.newer_first_margin)
            packing = prices.packing(resolved, weights, hits)
        neighbours: dict[str, Neighbour] = {}
        if tuning.neighbours and hits.get(EVENT_TYPE):
            hits[EVENT_TYPE], neighbours = await self._expand(
                hits[EVENT_TYPE], packing, flt, tuning.neighbours, plan.policies[EVENT_TYPE]
            )
        timings["search_ms"] = (time.perf_counter() - started) * 1000

        started = time.perf_counter()
        response = assemble(plan, Found(hits, relevance, neighbours, lifts, working), prices)
        timings["pack_ms"] = (time.perf_counter() - started) * 1000
        response.metadata.timings_ms = timings
        response.metadata.degraded = degraded
        return response

    async def _candidate_limits(
        self,
        budget: int,
        weights: Mapping[MemoryType, float],
        filters: Mapping[MemoryType, MemoryFilter],
        line_tokens: Mapping[MemoryType, float],
    ) -> dict[MemoryType, tuple[int, int]]:
        """Sized from the engine's estimates of how many memories each type holds in scope
        (microseconds); an estimate small enough to shrink a list is checked by an exact count (cheap
        for small sets), because estimates of combined filters can be far too low. Counting only
        sizes the lists: if it fails, every type is sized as if it were full."""
        enough = {t: math.ceil(budget / line_tokens[t]) for t in filters}
        now = time.monotonic()
        counts: dict[MemoryType, int] = {}
        for t, f in filters.items():
            if (known := self.large_counts.at_least(t, f, enough[t], now)) is not None:
                counts[t] = known
        try:
            unknown = [t for t in filters if t not in counts]
            estimates = await asyncio.gather(*(self.index.count(t, filters[t], exact=False) for t in unknown))
            counts.update(zip(unknown, estimates, strict=True))
            small = [t for t in unknown if counts[t] < enough[t]]
            exact = await asyncio.gather(*(self.index.count(t, filters[t]) for t in small))
            counts.update(zip(small, exact, strict=True))
            for t in unknown:
                if counts[t] >= enough[t]:
                    self.large_counts.note(t, filters[t], counts[t], now)
        except Exception as exc:  # the search that follows reports an outage itself
            log.debug("candidate sizing without counts: %s", exc)
            counts = enough
        return candidate_limits(budget, weights, counts, self.config, line_tokens)

    async def _query_vectors(
        self, query: str, search: SearchMode
    ) -> tuple[list[float] | None, SparseVector | None]:
        sparse = None
        if search is not SearchMode.DENSE and self.sparse is not None:
            sparse = self.sparse.query(query)
            if not sparse.indices:  # nothing but stop words: BM25 has nothing to match
                sparse = None
        dense = None
        if search is not SearchMode.SPARSE or sparse is None:
            [dense] = await self.embedder.embed([query], alone=self._in_flight == 1)
        return dense, sparse

    async def _working_items(
        self, tenant: str, task_id: str | None, timings: dict[str, float]
    ) -> tuple[list[WorkingItem], list[str]]:
        """The task's live items newest first, and what is degraded (Redis down: nothing, named)."""
        if task_id is None:
            return [], []
        if self.working is None:
            return [], [WORKING_MEMORY]
        started = time.perf_counter()
        try:
            state = await self.working.load(tenant, task_id)
        except Unavailable as exc:
            # Once per request, so debug: the Redis gateway logs the outage itself, once.
            log.debug("retrieval without working memory: %s", exc.detail)
            return [], [WORKING_MEMORY]
        finally:
            timings["working_ms"] = (time.perf_counter() - started) * 1000
        return (state.live(datetime.now(UTC)) if state else []), []

    async def _deepen(
        self,
        planner: SearchPlanner,
        deeper: list[SearchRequest],
        first: RoundHits,
        hits: dict[MemoryType, list[ScoredPoint]],
        diversity: float,
    ) -> dict[str, tuple[float, ...]]:
        """Each of `deeper`'s types' hits, deeper (in place): from the first round's reserve where it
        holds enough, else searched again; answers the stage scores of both rounds."""
        searched = []
        for s in deeper:
            reserve = first.reserve.get(s.memory_type, [])
            if len(reserve) >= s.limit:
                deeper_hits = await self._with_payloads(s.memory_type, reserve[: s.limit])
                hits[s.memory_type] = suppress_near_duplicates(deeper_hits, diversity)
            else:
                searched.append(s)
        if not searched:
            return first.relevance
        more = planner.deeper_round(searched)
        results = await self.index.search(more.requests)
        for s, points in zip(searched, results, strict=False):
            merged = merge_hits(points, first.hits[s.memory_type])
            hits[s.memory_type] = suppress_near_duplicates(merged, diversity)
        return {**stage_scores(more.runs, results[more.ranked :]), **first.relevance}

    async def _with_payloads(self, memory_type: MemoryType, points: list[ScoredPoint]) -> list[ScoredPoint]:
        """`points` with their payloads: those that came without one read now (one batch; a point
        deleted meanwhile is left out)."""
        unread = [p.id for p in points if not p.payload]
        if not unread:
            return points
        read = {p.id: p.payload for p in await self.index.get(memory_type, unread)}
        return [
            p if p.payload else replace(p, payload=read[p.id]) for p in points if p.payload or p.id in read
        ]

    async def _expand(
        self,
        episodic: list[ScoredPoint],
        packing: Packing,
        flt: MemoryFilter,
        per_side: int,
        policy: RankingPolicy,
    ) -> tuple[list[ScoredPoint], dict[str, Neighbour]]:
        """Offer the neighbours of the episodic turns that `packing` (without them) selects."""
        chosen = {c.key for c in packing.usage[EVENT_TYPE].selected}
        turns = [h for h in episodic if h.id in chosen][: self.config.max_expanded_turns]
        requests = neighbour_requests(turns, flt, per_side, self.config.session_gap_s)
        if not requests:
            return episodic, {}
        found = await self.index.neighbours(requests)
        by_seq = {float(t.payload["seq"]): t for t in turns if "seq" in t.payload}
        return expand(episodic, requests, found, by_seq, self.config.neighbour_decay, policy.speaker_lift)


def _newer_first(hits: dict[MemoryType, list[ScoredPoint]], margin: float) -> dict[str, float]:
    """Lift newer same-subject statements in place (mnemo.retrieval.updates); the lifts, by id."""
    lifts: dict[str, float] = {}
    for memory_type in NEWER_FIRST_TYPES:
        if memory_type in hits:
            overlap = SAME_SUBJECT_OVERLAP.get(memory_type, 0.0)
            hits[memory_type], lifted = newer_first(hits[memory_type], margin, overlap)
            lifts.update(lifted)
    return lifts
