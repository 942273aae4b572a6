"""The read pipeline: resolve → embed once → search every type in one batch → pack → present.

With a `task_id`, the task's live working memory is read from Redis while the query is embedded and
goes first in the context, newest first, under its own budget. If Redis cannot answer, the rest of
the context is still served and `metadata.degraded` says what is missing.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from memtypes.errors import FieldProblem, InvalidInput, Unavailable
from memtypes.models import MODEL_REGISTRY, ModelSpec, resolve_model
from memtypes.ports import Embedder, SparseEncoder, Tokenizers, VectorIndex, WorkingStore
from memtypes.queries import Fusion, MemoryFilter, ScoredPoint, SearchRequest, SparseVector
from memtypes.rendering import memory_line, section_header
from memtypes.requests import (
    RetrievedMemory,
    RetrieveMetadata,
    RetrieveRequest,
    RetrieveResponse,
    SearchMode,
    TypeMetadata,
)
from memtypes.text import phrase_keys_in
from memtypes.types import POLICIES, MemoryType
from memtypes.working import WorkingItem
from retrieval.budget import (
    Candidate,
    Packing,
    TypeUsage,
    normalize_allocation,
    pack,
    pack_in_order,
    split_budget,
)
from retrieval.candidates import (
    LineLengths,
    Neighbour,
    candidate_limits,
    deeper_searches,
    expand,
    mean_line_tokens,
    neighbour_requests,
    suppress_near_duplicates,
)
from retrieval.options import RetrievalConfig, Tuning, resolve_tuning
from retrieval.policy import STAGE_SCORE, RankingPolicy, TimeBoost
from retrieval.presentation import PresentedItem, group_for, line_for, render_context, stored_line_tokens
from retrieval.stages import explain, merge_hits, stage_runs, stage_scores
from retrieval.temporal import parse_time_window
from retrieval.updates import (
    NEWER_FIRST_TYPES,
    SAME_SUBJECT_OVERLAP,
    newer_first,
    with_lift,
)

__all__ = ["RetrievalConfig", "Retriever", "line_for"]

log = logging.getLogger("mnemo.retrieval")
WORKING_MEMORY = "working_memory"  # what `metadata.degraded` names when Redis cannot answer
PROSPECTIVE, EPISODIC = MemoryType.PROSPECTIVE, MemoryType.EPISODIC
_TRIGGER_HITS = 5
_UNDERFILLED = 0.9  # a packing below this share of the budget looks for more candidates


@dataclass(frozen=True)
class ResolvedRequest:
    budget: int
    encoding: str
    types: tuple[MemoryType, ...]
    now: datetime
    working_budget: int = 0  # tokens for the task's working memory, on top of `budget`


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
        self.models = models  # the built-in models and those MNEMO_CONFIG registers
        self._header_tokens: dict[tuple[str, MemoryType], int] = {}

    def resolve(self, request: RetrieveRequest) -> ResolvedRequest:
        if request.budget_tokens is not None and request.model is not None:
            raise InvalidInput(
                "give either budget_tokens or model, not both",
                problems=[FieldProblem("budget_tokens", "conflicts with model")],
            )
        encoding = self.tokenizers.default
        budget = request.budget_tokens or self.config.default_budget_tokens
        if request.model is not None:
            spec = resolve_model(request.model, self.models)
            encoding = spec.encoding
            budget = max(1, int(spec.context_window * self.config.model_budget_share))
        types = tuple(request.types)
        now = (request.now or datetime.now(UTC)).astimezone(UTC)
        working_budget = 0
        if request.task_id is None and request.working_budget_tokens is not None:
            raise InvalidInput(
                "working_budget_tokens needs a task_id",
                problems=[FieldProblem("working_budget_tokens", "given without task_id")],
            )
        if request.task_id is not None:
            if MemoryType.WORKING in types:
                # Both would render as one "Working memory" section with two sets of accounts.
                raise InvalidInput(
                    "type `working` searches the archive of cleared tasks; with task_id the task's live "
                    "working memory comes first anyway: ask for one or the other",
                    problems=[FieldProblem("types", "`working` together with task_id")],
                )
            working_budget = request.working_budget_tokens or self.config.default_working_budget_tokens
        return ResolvedRequest(budget, encoding, types, now, working_budget)

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
        try:
            estimates = await asyncio.gather(
                *(self.index.count(t, f, exact=False) for t, f in filters.items())
            )
            counts = dict(zip(filters, estimates, strict=True))
            small = [t for t, n in counts.items() if n < enough[t]]
            exact = await asyncio.gather(*(self.index.count(t, filters[t]) for t in small))
            counts.update(zip(small, exact, strict=True))
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
            [dense] = await self.embedder.embed([query])
        return dense, sparse

    def _policies(
        self, request: RetrieveRequest, resolved: ResolvedRequest, tuning: Tuning, fused: bool
    ) -> dict[MemoryType, RankingPolicy]:
        now_ts = resolved.now.timestamp()
        relevance = tuning.relevance(fused)
        if not tuning.formula:
            return {
                t: RankingPolicy.relevance_only(tuning.policies[t], now_ts, relevance) for t in resolved.types
            }
        phrases = phrase_keys_in(request.query)
        window = parse_time_window(request.query, resolved.now) if tuning.temporal else None
        boost = TimeBoost(window, self.config.time_weight, self.config.time_slack_s) if window else None
        return {
            t: RankingPolicy(
                tuning.policies[t],
                now_ts,
                phrases if t is PROSPECTIVE else (),
                relevance=relevance,
                time_boost=boost if t is not PROSPECTIVE else None,
            )
            for t in resolved.types
        }

    async def retrieve(
        self,
        tenant: str,
        request: RetrieveRequest,
        namespaces: Mapping[MemoryType, tuple[str, ...]] | None = None,
    ) -> RetrieveResponse:
        """`namespaces` (from an agent's bindings) confines each type to the namespaces holding it."""
        resolved = self.resolve(request)
        tuning = resolve_tuning(self.config, request.ranking, request.include_superseded)
        weights = normalize_allocation(
            resolved.types, {t: POLICIES[t].budget_share for t in MemoryType}, request.allocation
        )
        flt = MemoryFilter(tenant=tenant, scope=request.scope, include_superseded=request.include_superseded)

        def type_filter(memory_type: MemoryType) -> MemoryFilter:
            return flt if namespaces is None else replace(flt, namespaces=namespaces[memory_type])

        filters = {t: type_filter(t) for t in resolved.types}
        line_tokens = self.line_lengths.of(tenant, resolved.types, self.config.tokens_per_candidate)
        timings: dict[str, float] = {}
        started = time.perf_counter()
        (dense, sparse), (working, degraded), limits = await asyncio.gather(
            self._query_vectors(request.query, tuning.search),
            self._working_items(tenant, request.task_id, timings),
            self._candidate_limits(resolved.budget, weights, filters, line_tokens),
        )
        timings["embed_ms"] = (time.perf_counter() - started) * 1000
        policies = self._policies(request, resolved, tuning, fused=dense is not None and sparse is not None)

        # Two-stage ranking where the relevance stage is a formula of its own (linear fusion). Not
        # for intentions, whose due dates and triggers outweigh relevance, nor where relevance has no
        # weight: a cut by relevance would drop what the rest of the formula puts first.
        linear = dense is not None and sparse is not None and tuning.fusion is Fusion.LINEAR
        two_stage = linear and self.config.stage_factor > 0

        def search(memory_type: MemoryType, where: MemoryFilter, hits: int, depth: int) -> SearchRequest:
            policy = policies[memory_type]
            relevant = policy.policy.w_similarity > 0 and memory_type is not PROSPECTIVE
            staged = two_stage and policy.ranks_in_engine and relevant
            return SearchRequest(
                memory_type,
                dense,
                where,
                hits,
                depth,
                policy.formula(relevance=STAGE_SCORE if staged else None),
                sparse=sparse,
                fusion=tuning.fusion,
                rrf_k=tuning.rrf_k,
                stage_formula=policy.relevance if staged else None,
                stage_limit=min(depth, hits * self.config.stage_factor) if staged else None,
            )

        searches = [search(t, filters[t], *limits[t]) for t in resolved.types]
        if PROSPECTIVE in policies and policies[PROSPECTIVE].query_phrases:
            # Pending intentions whose trigger phrase occurs in the query surface even when their
            # relevance is too low for the prefetch: a second, trigger-filtered search.
            phrases = policies[PROSPECTIVE].query_phrases
            triggered = replace(filters[PROSPECTIVE], status="pending", trigger_keys=phrases)
            searches.append(search(PROSPECTIVE, triggered, _TRIGGER_HITS, _TRIGGER_HITS))
        ranked = len(searches)
        runs = stage_runs(searches, tuning.fusion) if request.explain else []
        searches += [run for group in runs for run in group]
        started = time.perf_counter()
        results = await self.index.search(searches)
        hits = dict(zip(resolved.types, results, strict=False))
        if ranked > len(resolved.types):
            hits[PROSPECTIVE] = merge_hits(hits[PROSPECTIVE], results[ranked - 1])
        relevance = stage_scores(runs, results[ranked:])
        found = hits
        for memory_type, points in found.items():
            mean = mean_line_tokens(points[: limits[memory_type][0]], resolved.encoding)
            if mean is not None:
                self.line_lengths.observe(tenant, memory_type, mean)
        hits = {t: suppress_near_duplicates(points, tuning.diversity) for t, points in found.items()}
        lifts = _newer_first(hits, self.config.newer_first_margin)
        # The packing of these candidates: is the budget filled, and which turns would be selected.
        packing = self._packing(resolved, weights, hits)
        deeper = []
        if packing.tokens < resolved.budget * _UNDERFILLED:
            typed = searches[: len(resolved.types)]
            deeper = deeper_searches(typed, found, resolved.encoding, self.config, line_tokens)
        if deeper:  # lists full of lines shorter than they were sized for: fetch more, once
            more_runs = stage_runs(deeper, tuning.fusion) if request.explain else []
            more = await self.index.search([*deeper, *(run for group in more_runs for run in group)])
            for s, points in zip(deeper, more, strict=False):
                merged = merge_hits(points, found[s.memory_type])
                hits[s.memory_type] = suppress_near_duplicates(merged, tuning.diversity)
            lifts = _newer_first(hits, self.config.newer_first_margin)
            relevance = {**stage_scores(more_runs, more[len(deeper) :]), **relevance}
            packing = self._packing(resolved, weights, hits)
        neighbours: dict[str, Neighbour] = {}
        if tuning.neighbours and hits.get(EPISODIC):
            hits[EPISODIC], neighbours = await self._expand(hits[EPISODIC], packing, flt, tuning.neighbours)
        timings["search_ms"] = (time.perf_counter() - started) * 1000

        started = time.perf_counter()
        response = self._assemble(
            request, resolved, weights, policies, hits, relevance, neighbours, working, lifts
        )
        timings["pack_ms"] = (time.perf_counter() - started) * 1000
        response.metadata.timings_ms = timings
        response.metadata.degraded = degraded
        return response

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

    async def _expand(
        self, episodic: list[ScoredPoint], packing: Packing, flt: MemoryFilter, per_side: int
    ) -> tuple[list[ScoredPoint], dict[str, Neighbour]]:
        """Offer the neighbours of the episodic turns that `packing` (without them) selects."""
        chosen = {c.key for c in packing.usage[EPISODIC].selected}
        turns = [h for h in episodic if h.id in chosen][: self.config.max_expanded_turns]
        requests = neighbour_requests(turns, flt, per_side, self.config.session_gap_s)
        if not requests:
            return episodic, {}
        found = await self.index.neighbours(requests)
        by_seq = {float(t.payload["seq"]): t for t in turns if "seq" in t.payload}
        return expand(episodic, requests, found, by_seq, self.config.neighbour_decay)

    def _candidates(
        self, encoding: str, hits: Mapping[MemoryType, list[ScoredPoint]]
    ) -> tuple[dict[MemoryType, list[Candidate]], dict[str, tuple[MemoryType, ScoredPoint, str]]]:
        counter = self.tokenizers.get(encoding)
        points: dict[str, tuple[MemoryType, ScoredPoint, str]] = {}
        candidates: dict[MemoryType, list[Candidate]] = {}
        for memory_type, found in hits.items():
            candidates[memory_type] = []
            for point in found:
                line = line_for(memory_type, point.payload)
                stored = stored_line_tokens(point.payload, encoding)
                cost = stored if stored is not None else counter.count(line)
                points[point.id] = (memory_type, point, line)
                group = group_for(memory_type, point.payload)
                candidates[memory_type].append(Candidate(point.id, memory_type, point.score, cost, group))
        return candidates, points

    def _packing(
        self,
        resolved: ResolvedRequest,
        weights: Mapping[MemoryType, float],
        hits: Mapping[MemoryType, list[ScoredPoint]],
    ) -> Packing:
        return self._pack(resolved, weights, self._candidates(resolved.encoding, hits)[0])

    def _pack(
        self,
        resolved: ResolvedRequest,
        weights: Mapping[MemoryType, float],
        candidates: Mapping[MemoryType, list[Candidate]],
    ) -> Packing:
        headers = {t: self._header(resolved.encoding, t) for t in resolved.types}
        counter = self.tokenizers.get(resolved.encoding)
        groups = {c.group for found in candidates.values() for c in found if c.group is not None}
        group_tokens = {g: counter.count(g) for g in groups}
        return pack(
            candidates, split_budget(resolved.budget, weights), headers, resolved.budget, group_tokens
        )

    def _assemble(
        self,
        request: RetrieveRequest,
        resolved: ResolvedRequest,
        weights: Mapping[MemoryType, float],
        policies: Mapping[MemoryType, RankingPolicy],
        hits: Mapping[MemoryType, list[ScoredPoint]],
        relevance: Mapping[str, tuple[float, ...]],
        neighbours: Mapping[str, Neighbour],
        working: Sequence[WorkingItem] = (),
        lifts: Mapping[str, float] | None = None,
    ) -> RetrieveResponse:
        enc = resolved.encoding
        counter = self.tokenizers.get(enc)
        working_usage, working_lines = self._pack_working(resolved, working)
        candidates, points = self._candidates(enc, hits)  # once: each line rendered, priced
        packing = self._pack(resolved, weights, candidates)
        chosen = sorted(packing.selected(), key=lambda c: -c.score)

        def render() -> str:
            return render_context(
                [
                    PresentedItem(
                        c.memory_type,
                        points[c.key][2],
                        c.score,
                        float(points[c.key][1].payload.get("occurred_ts", 0.0)),
                        c.group,
                    )
                    for c in chosen
                ]
                + [
                    PresentedItem(MemoryType.WORKING, line, c.score, item.created_at.timestamp())
                    for c in working_usage.selected
                    for item, line in [working_lines[c.key]]
                ]
            )

        context = render()
        total = counter.count(context)
        limit = resolved.budget + resolved.working_budget
        # Line counts are additive by construction (see memtypes.rendering), so this loop should
        # never run; it is here so that the budget contract holds even if that ever stopped being so.
        while total > limit and (chosen or working_usage.selected):
            usage = packing.usage[chosen[-1].memory_type] if chosen else working_usage
            dropped = chosen.pop() if chosen else working_usage.selected[-1]
            usage.selected.remove(dropped)
            usage.tokens -= dropped.tokens
            usage.trimmed += 1
            context = render()
            total = counter.count(context)

        memories = [
            RetrievedMemory(
                id=item.id,
                external_id=None,
                type=MemoryType.WORKING,
                content=item.content,
                score=1.0,  # kept whole and in order, not ranked
                tokens=c.tokens,
                occurred_at=item.created_at.isoformat(),
            )
            for c in working_usage.selected
            for item, _ in [working_lines[c.key]]
        ]
        for c in chosen:
            memory_type, point, _ = points[c.key]
            explanation = None
            if request.explain:
                explanation = explain(policies[memory_type], point, relevance, neighbours.get(point.id))
                explanation = with_lift(explanation, (lifts or {}).get(point.id))
            memories.append(
                RetrievedMemory(
                    id=point.id,
                    external_id=point.payload.get("external_id"),
                    type=memory_type,
                    content=str(point.payload.get("content", "")),
                    score=point.score,
                    tokens=c.tokens,
                    occurred_at=point.payload.get("occurred_at"),
                    explain=explanation,
                )
            )
        per_type = {
            t.value: TypeMetadata(
                share=u.share,
                redistributed=u.redistributed,
                tokens=u.tokens,
                count=len(u.selected),
                trimmed=u.trimmed,
            )
            for t, u in packing.usage.items()
        }
        if resolved.working_budget:
            per_type[MemoryType.WORKING.value] = TypeMetadata(
                share=working_usage.share,
                redistributed=0,
                tokens=working_usage.tokens,
                count=len(working_usage.selected),
                trimmed=working_usage.trimmed,
            )
        metadata = RetrieveMetadata(
            total_tokens=total,
            budget=resolved.budget,
            working_budget=resolved.working_budget,
            utilization=round(total / limit, 4),
            encoding=enc,
            exact=self.models[request.model].exact if request.model is not None else True,
            per_type=per_type,
            trimmed_count=packing.trimmed + working_usage.trimmed,
        )
        return RetrieveResponse(context=context, memories=memories, metadata=metadata)

    def _header(self, encoding: str, memory_type: MemoryType) -> int:
        """Tokens of a section's header in this encoding, counted once."""
        key = (encoding, memory_type)
        if key not in self._header_tokens:
            self._header_tokens[key] = self.tokenizers.get(encoding).count(section_header(memory_type))
        return self._header_tokens[key]

    def _pack_working(
        self, resolved: ResolvedRequest, working: Sequence[WorkingItem]
    ) -> tuple[TypeUsage, dict[str, tuple[WorkingItem, str]]]:
        """Newest first under the working budget; each item priced by its line in this encoding."""
        enc = resolved.encoding
        counter = self.tokenizers.get(enc)
        lines = {i.id: (i, memory_line(MemoryType.WORKING, i.content)) for i in working}
        # Scores only order the section: newest (highest seq) first.
        candidates = [
            Candidate(i.id, MemoryType.WORKING, float(i.seq), i.line_tokens.get(enc) or counter.count(line))
            for i, line in lines.values()
        ]
        usage = pack_in_order(candidates, resolved.working_budget, self._header(enc, MemoryType.WORKING))
        return usage, lines


def _newer_first(hits: dict[MemoryType, list[ScoredPoint]], margin: float) -> dict[str, float]:
    """Lift newer same-subject statements in place (retrieval.updates); the lifts, by id."""
    lifts: dict[str, float] = {}
    for memory_type in NEWER_FIRST_TYPES:
        if memory_type in hits:
            overlap = SAME_SUBJECT_OVERLAP.get(memory_type, 0.0)
            hits[memory_type], lifted = newer_first(hits[memory_type], margin, overlap)
            lifts.update(lifted)
    return lifts
