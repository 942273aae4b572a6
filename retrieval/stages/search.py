"""Stage 2 of a retrieval, search: the query embedded once (while the task's working memory is read
from Redis and each type's list is sized), then at most two rounds of one batched search each.

Each round's hits are ranked (stage 3, rank.py) and packed on trial (stage 4, pack.py): a first round
that leaves the budget underfilled with lines shorter than its lists were sized for is followed by
one deeper round of those types, answered from the first round's reserve where it holds enough.
If Redis cannot answer, the rest is still served and `degraded` says what is missing.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import numpy as np

from ...memtypes.errors import Unavailable
from ...memtypes.language.speakers import names_in, without_names
from ...memtypes.ports import Embedder, SparseEncoder, VectorIndex
from ...memtypes.queries import MemoryFilter, ScoredPoint, SearchRequest
from ...memtypes.requests import SearchMode
from ...memtypes.types import EVENT_TYPE, MemoryType
from ...sessions.ports import WorkingStore
from ...sessions.working import WorkingItem
from ..options import RetrievalConfig
from ..ranking.asked.evidence import HEAD
from ..ranking.terms.conversation import SPEAKER
from .pack import LinePrices, Packing
from .plan import ReadPlan
from .post import Adjustments, Phase, PostStage, StageInputs, cosines_with, run_stages
from .rank import Duplicate, drop_copies
from .search_plan import RoundHits, SearchPlan, SearchPlanner, merge_hits, stage_scores
from .sizing import ListSizer

log = logging.getLogger("mnemo.retrieval")
WORKING_MEMORY = "working_memory"  # what `metadata.degraded` names when Redis cannot answer
_UNDERFILLED = 0.9  # a packing below this share of the budget looks for more candidates


@dataclass
class Found:
    """What the stages found for one request, ready to be assembled: each type's ranked hits, the
    relevance stage's scores and the post-engine stages' adjustments (`explain`), and the task's
    live working items (newest first)."""

    hits: dict[MemoryType, list[ScoredPoint]]
    relevance: Mapping[str, tuple[float, ...]] = field(default_factory=dict)  # stage scores by id
    adjustments: Adjustments = field(default_factory=Adjustments)  # by the post-engine stages
    working: Sequence[WorkingItem] = ()
    degraded: list[str] = field(default_factory=list)  # what could not be read (Redis down)
    packing: Packing | None = None  # the last trial packing: which turns expand offers neighbours of
    duplicates: dict[MemoryType, list[Duplicate]] = field(default_factory=dict)  # dropped by rank
    query_vector: Sequence[float] | None = None  # the dense query searched with (None: sparse only)
    cosines: Mapping[str, float] = field(default_factory=dict)  # the head's, for its confidence


class VectorCache:
    """The dense vectors of hits the newer-first lift compared, least recently used out: in a
    personal store the same few facts of a person are compared request after request. Keyed by
    type, id and content (an edited memory has a new vector under a new key); float32, so the
    default 4,096 vectors of 384 dimensions hold ~6 MB."""

    def __init__(self, size: int = 4_096) -> None:
        self.size = size
        self._vectors: OrderedDict[tuple[MemoryType, str, str], np.ndarray] = OrderedDict()

    def get(self, key: tuple[MemoryType, str, str]) -> np.ndarray | None:
        vector = self._vectors.get(key)
        if vector is not None:
            self._vectors.move_to_end(key)
        return vector

    def put(self, key: tuple[MemoryType, str, str], vector: Sequence[float]) -> np.ndarray:
        stored = self._vectors[key] = np.asarray(vector, dtype=np.float32)
        if len(self._vectors) > self.size:
            self._vectors.popitem(last=False)
        return stored


class Searcher:
    """The search stage's engines and what its sizing remembers across requests."""

    def __init__(
        self,
        index: VectorIndex,
        embedder: Embedder,
        working: WorkingStore | None = None,
        sparse: SparseEncoder | None = None,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.working = working
        self.sparse = sparse
        self.sizer = ListSizer()
        self._vector_cache = VectorCache()

    async def search(
        self,
        plan: ReadPlan,
        config: RetrievalConfig,
        prices: LinePrices,
        timings: dict[str, float],
        alone: Callable[[], bool] = lambda: True,
        stages: Sequence[PostStage] = (),
    ) -> Found:
        """`alone()`: no other retrieval is running (the embedder may then take every core); asked
        when the query is embedded, after every retrieval started alongside has counted itself.
        `stages`: the post-engine stages; those of the `ROUND` phase run on each round's hits."""
        assert plan.tuning is not None and plan.filters is not None
        resolved, tuning = plan.resolved, plan.tuning
        started = time.perf_counter()
        dense, (working, degraded), limits = await asyncio.gather(
            self._dense_vector(plan, alone),
            self._working_items(plan.tenant, plan.request.task_id, timings),
            self.sizer.limits(self.index, plan),
        )
        timings["embed_ms"] = (time.perf_counter() - started) * 1000

        started = time.perf_counter()
        planner = SearchPlanner(plan, dense)
        first = planner.first_round(limits)
        first_round = first.hits(await self.index.search(first.requests))
        found = Found({}, first_round.relevance, working=working, degraded=degraded, query_vector=dense)
        round_found: Mapping[MemoryType, list[ScoredPoint]] = first_round.hits
        while True:  # two rounds at most: the second only where the first left the budget underfilled
            drop_copies(found.hits, round_found, tuning.diversity, found.duplicates)
            # The last round's adjustments stand: a type not searched again is adjusted again.
            found.adjustments = Adjustments()
            inputs = self.inputs(plan, config, query_vector=dense)
            await run_stages(stages, Phase.ROUND, inputs, found.hits, found.adjustments)
            found.packing = prices.packing(resolved, found.hits)
            if round_found is not first_round.hits:
                break
            underfilled = found.packing.tokens < resolved.budget * _UNDERFILLED
            deeper = self.sizer.review(plan, first.typed, first_round.hits, underfilled)
            if not deeper:
                break
            found.relevance, round_found = await self._deeper(planner, deeper, first_round)
        timings["search_ms"] = (time.perf_counter() - started) * 1000
        return found

    def inputs(
        self,
        plan: ReadPlan,
        config: RetrievalConfig,
        found: Found | None = None,
        query_vector: Sequence[float] | None = None,
    ) -> StageInputs:
        """What the post-engine stages read: the dense query, and `found`'s trial packing once the
        rounds are done."""
        if found is None:
            return StageInputs(plan, config, self.index, self._vectors, query_vector=query_vector)
        return StageInputs(plan, config, self.index, self._vectors, found.packing, found.query_vector)

    async def _dense_vector(self, plan: ReadPlan, alone: Callable[[], bool]) -> list[float] | None:
        assert plan.tuning is not None
        if plan.tuning.search is SearchMode.SPARSE and plan.sparse is not None:
            return None
        text = await self._dense_query(plan)
        [dense] = await self.embedder.embed([text], alone=alone())
        return dense

    async def _dense_query(self, plan: ReadPlan) -> str:
        """What the dense vector is embedded from: the query without the names of people who speak
        in scope. Their turns are lifted by the speaker
        term already, and a short question's vector is mostly its name (dense-only recall is far better
        without them: benchmarks/README.md). Whether a capitalised word is a speaker is the
        speaker index's to say: one exact count per word, together; a store that cannot answer keeps
        the whole query. BM25 keeps the names (it finds the turns that mention them)."""
        query = plan.embedded_text
        events = (plan.filters or {}).get(EVENT_TYPE)
        if events is None or not plan.policies[EVENT_TYPE].weight_of(SPEAKER):
            return query
        names = names_in(query)
        if not names:
            return query
        try:
            speakers = await self._speakers(events, names)
        except Unavailable as exc:
            log.debug("dense query with its names: %s", exc.detail)
            return query
        return without_names(query, speakers)

    async def _speakers(self, events: MemoryFilter, names: Sequence[str]) -> list[str]:
        """Those of `names` who speak in `events`' scope. A name found speaking there stands for a
        few seconds (`LargeCounts`: its turns only go by deletes), so a tenant's questions about the
        same people pay no exact count each (each holds the GIL for its whole length); a name
        not found is counted afresh, since a write may just have added its first turn."""
        known, now = self.sizer.large_counts, time.monotonic()
        filters = {name: replace(events, speakers=(name,)) for name in names}
        unknown = [n for n in names if known.at_least(EVENT_TYPE, filters[n], 1, now) is None]
        counts = await asyncio.gather(*(self.index.count(EVENT_TYPE, filters[n]) for n in unknown))
        silent = set()
        for name, count in zip(unknown, counts, strict=True):
            if count:
                known.note(EVENT_TYPE, filters[name], count, now)
            else:
                silent.add(name)
        return [n for n in names if n not in silent]

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

    async def cosines(self, plan: ReadPlan, found: Found) -> dict[str, float]:
        """The cosine of each of the best `HEAD` hits' dense vectors with the query's, for their
        confidence: one read of the vectors not cached (a sparse-only search embeds the query now)."""
        best = heapq.nlargest(
            HEAD, ((t, h) for t, hits in found.hits.items() for h in hits), key=lambda th: th[1].score
        )
        if not best:
            return {}
        if found.query_vector is None:
            [found.query_vector] = await self.embedder.embed([plan.embedded_text])
        by_type: dict[MemoryType, list[ScoredPoint]] = {}
        for memory_type, hit in best:
            by_type.setdefault(memory_type, []).append(hit)
        cosines: dict[str, float] = {}
        for memory_type, hits in by_type.items():
            cosines.update(cosines_with(found.query_vector, await self._vectors(memory_type, hits)))
        return cosines

    async def _vectors(self, memory_type: MemoryType, hits: Sequence[ScoredPoint]) -> dict[str, np.ndarray]:
        """The dense vectors of a few hits (the rank stage's lift of restated facts, the head's
        confidence): from the cache where a hit was read before, the rest in one read. A store that
        cannot answer gives none (the lift lifts nothing, the confidence reads the head's weakest);
        the search itself had answered."""
        keys = {h.id: (memory_type, h.id, str(h.payload.get("content", ""))) for h in hits}
        found = {i: v for i, key in keys.items() if (v := self._vector_cache.get(key)) is not None}
        unread = [i for i in keys if i not in found]
        if not unread:
            return found
        try:
            points = await self.index.get(memory_type, unread, with_vector=True)
        except Unavailable as exc:
            log.debug("hits without their vectors: %s", exc.detail)
            return found
        for point in points:
            if point.vector is not None and point.id in keys:
                found[point.id] = self._vector_cache.put(keys[point.id], point.vector)
        return found

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
