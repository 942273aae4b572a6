"""Stage 2 of a retrieval, search: the query embedded once (while the task's working memory is read
from Redis and each type's list is sized), then at most two rounds of one batched search each.

Each round's hits are ranked (stage 3, rank.py) and packed on trial (stage 4, pack.py): a first round
that leaves the budget underfilled with lines shorter than its lists were sized for is followed by
one deeper round of those types, answered from the first round's reserve where it holds enough.
If Redis cannot answer, the rest is still served and `degraded` says what is missing.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from ...memtypes.errors import Unavailable
from ...memtypes.ports import Embedder, VectorIndex, WorkingStore
from ...memtypes.queries import MemoryFilter, ScoredPoint, SearchRequest
from ...memtypes.requests import SearchMode
from ...memtypes.types import MemoryType
from ...memtypes.working import WorkingItem
from ..options import RetrievalConfig
from .expand import Neighbour
from .pack import LinePrices, Packing
from .plan import ReadPlan
from .rank import rank_round
from .search_plan import RoundHits, SearchPlan, SearchPlanner, merge_hits, stage_scores
from .sizing import LargeCounts, LineLengths, candidate_limits, deeper_searches, mean_line_tokens

log = logging.getLogger("mnemo.retrieval")
WORKING_MEMORY = "working_memory"  # what `metadata.degraded` names when Redis cannot answer
_UNDERFILLED = 0.9  # a packing below this share of the budget looks for more candidates


@dataclass
class Found:
    """What the stages found for one request, ready to be assembled: each type's ranked hits, the
    relevance stage's scores (`explain`), the lifts of newer statements, the task's live working
    items (newest first), and, once the expand stage ran, the neighbours offered beside turns."""

    hits: dict[MemoryType, list[ScoredPoint]]
    relevance: Mapping[str, tuple[float, ...]] = field(default_factory=dict)  # stage scores by id
    neighbours: Mapping[str, Neighbour] = field(default_factory=dict)  # offered beside a turn
    lifts: Mapping[str, float] = field(default_factory=dict)  # newer same-subject statements
    working: Sequence[WorkingItem] = ()
    degraded: list[str] = field(default_factory=list)  # what could not be read (Redis down)
    packing: Packing | None = None  # the last trial packing: which turns expand offers neighbours of


class Searcher:
    """The search stage's engines and what its sizing remembers across requests."""

    def __init__(self, index: VectorIndex, embedder: Embedder, working: WorkingStore | None = None) -> None:
        self.index = index
        self.embedder = embedder
        self.working = working
        self.line_lengths = LineLengths()
        self.large_counts = LargeCounts()

    async def search(
        self,
        plan: ReadPlan,
        config: RetrievalConfig,
        prices: LinePrices,
        timings: dict[str, float],
        alone: Callable[[], bool] = lambda: True,
    ) -> Found:
        """`alone()`: no other retrieval is running (the embedder may then take every core); asked
        when the query is embedded, after every retrieval started alongside has counted itself."""
        assert plan.tuning is not None and plan.filters is not None
        resolved, tuning = plan.resolved, plan.tuning
        line_tokens = self.line_lengths.of(plan.tenant, resolved.types, config.tokens_per_candidate)
        started = time.perf_counter()
        dense, (working, degraded), limits = await asyncio.gather(
            self._dense_vector(plan, alone),
            self._working_items(plan.tenant, plan.request.task_id, timings),
            self._candidate_limits(config, resolved.budget, plan.weights, plan.filters, line_tokens),
        )
        timings["embed_ms"] = (time.perf_counter() - started) * 1000

        started = time.perf_counter()
        planner = SearchPlanner(plan, config, dense)
        first = planner.first_round(limits)
        first_round = first.hits(await self.index.search(first.requests))
        self._observe_lines(plan, first_round.hits)
        found = Found({}, first_round.relevance, working=working, degraded=degraded)
        round_found: Mapping[MemoryType, list[ScoredPoint]] = first_round.hits
        while True:  # two rounds at most: the second only where the first left the budget underfilled
            found.lifts = rank_round(found.hits, round_found, tuning.diversity, config.newer_first_margin)
            found.packing = prices.packing(resolved, plan.weights, found.hits)
            deeper = []
            if round_found is first_round.hits and found.packing.tokens < resolved.budget * _UNDERFILLED:
                deeper = deeper_searches(
                    first.typed, first_round.hits, resolved.encoding, config, line_tokens
                )
            if not deeper:
                break
            found.relevance, round_found = await self._deeper(planner, deeper, first_round)
        timings["search_ms"] = (time.perf_counter() - started) * 1000
        return found

    def _observe_lines(self, plan: ReadPlan, found: Mapping[MemoryType, list[ScoredPoint]]) -> None:
        for memory_type, points in found.items():
            mean = mean_line_tokens(points, plan.resolved.encoding)
            if mean is not None:
                self.line_lengths.observe(plan.tenant, memory_type, mean)

    async def _dense_vector(self, plan: ReadPlan, alone: Callable[[], bool]) -> list[float] | None:
        assert plan.tuning is not None
        if plan.tuning.search is SearchMode.SPARSE and plan.sparse is not None:
            return None
        [dense] = await self.embedder.embed([plan.request.query], alone=alone())
        return dense

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

    async def _candidate_limits(
        self,
        config: RetrievalConfig,
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
        return candidate_limits(budget, weights, counts, config, line_tokens)

    async def _deeper(
        self, planner: SearchPlanner, deeper: list[SearchRequest], first: RoundHits
    ) -> tuple[dict[str, tuple[float, ...]], dict[MemoryType, list[ScoredPoint]]]:
        """The deeper round: each type's points, from the first round's reserve where it holds
        enough, else searched again (merged with the first round's hits); and the stage scores of
        both rounds."""
        found: dict[MemoryType, list[ScoredPoint]] = {}
        searched = []
        for s in deeper:
            reserve = first.reserve.get(s.memory_type, [])
            if len(reserve) >= s.limit:
                found[s.memory_type] = await self._with_payloads(s.memory_type, reserve[: s.limit])
            else:
                searched.append(s)
        if not searched:
            return first.relevance, found
        more: SearchPlan = planner.deeper_round(searched)
        results = await self.index.search(more.requests)
        for s, points in zip(searched, results, strict=False):
            found[s.memory_type] = merge_hits(points, first.hits[s.memory_type])
        return {**stage_scores(more.runs, results[more.ranked :]), **first.relevance}, found

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
