"""The read pipeline: resolve → embed once → search every type in one batch → pack → present."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from memtypes.errors import FieldProblem, InvalidInput
from memtypes.models import resolve_model
from memtypes.ports import Embedder, Tokenizers, VectorIndex
from memtypes.queries import MemoryFilter, ScoredPoint, SearchRequest
from memtypes.rendering import memory_line, section_header
from memtypes.requests import (
    RetrievedMemory,
    RetrieveMetadata,
    RetrieveRequest,
    RetrieveResponse,
    TypeMetadata,
)
from memtypes.text import phrase_keys_in
from memtypes.types import POLICIES, MemoryType
from retrieval.budget import Candidate, normalize_allocation, pack, split_budget
from retrieval.policy import RankingPolicy
from retrieval.presentation import PresentedItem, render_context

PROSPECTIVE = MemoryType.PROSPECTIVE
_TRIGGER_HITS = 5


@dataclass(frozen=True)
class RetrievalConfig:
    default_budget_tokens: int = 2_000
    model_budget_share: float = 0.10  # with `model`, the budget is this share of its context window
    min_candidates: int = 16
    max_candidates: int = 256
    prefetch_factor: int = 3
    min_prefetch: int = 100
    max_prefetch: int = 1_000


@dataclass(frozen=True)
class ResolvedRequest:
    budget: int
    encoding: str
    types: tuple[MemoryType, ...]
    now: datetime


def line_for(memory_type: MemoryType, payload: Mapping[str, Any]) -> str:
    """Re-render a stored memory's context line (the same text its token counts were taken of)."""
    occurred = payload.get("occurred_ts")
    due = payload.get("due_ts")
    return memory_line(
        memory_type,
        str(payload.get("content", "")),
        datetime.fromtimestamp(occurred, UTC) if isinstance(occurred, int | float) else None,
        datetime.fromtimestamp(due, UTC) if isinstance(due, int | float) else None,
    )


class Retriever:
    def __init__(
        self, index: VectorIndex, embedder: Embedder, tokenizers: Tokenizers, config: RetrievalConfig
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.tokenizers = tokenizers
        self.config = config
        self._header_tokens = {
            (enc, t): tokenizers.get(enc).count(section_header(t))
            for enc in tokenizers.names()
            for t in MemoryType
        }

    def resolve(self, request: RetrieveRequest) -> ResolvedRequest:
        if request.budget_tokens is not None and request.model is not None:
            raise InvalidInput(
                "give either budget_tokens or model, not both",
                problems=[FieldProblem("budget_tokens", "conflicts with model")],
            )
        encoding = self.tokenizers.default
        budget = request.budget_tokens or self.config.default_budget_tokens
        if request.model is not None:
            spec = resolve_model(request.model)
            encoding = spec.encoding
            budget = max(1, int(spec.context_window * self.config.model_budget_share))
        types = tuple(request.types)
        now = (request.now or datetime.now(UTC)).astimezone(UTC)
        return ResolvedRequest(budget=budget, encoding=encoding, types=types, now=now)

    def _candidate_limits(self, budget: int) -> tuple[int, int]:
        # Enough hits that a type could fill the whole budget with short (~8-token) memories.
        limit = min(max(math.ceil(budget / 8), self.config.min_candidates), self.config.max_candidates)
        prefetch = min(
            max(limit * self.config.prefetch_factor, self.config.min_prefetch), self.config.max_prefetch
        )
        return limit, prefetch

    async def retrieve(self, tenant: str, request: RetrieveRequest) -> RetrieveResponse:
        resolved = self.resolve(request)
        weights = normalize_allocation(
            resolved.types, {t: POLICIES[t].budget_share for t in MemoryType}, request.allocation
        )
        timings: dict[str, float] = {}
        started = time.perf_counter()
        [query_vector] = await self.embedder.embed([request.query])
        timings["embed_ms"] = (time.perf_counter() - started) * 1000

        flt = MemoryFilter(tenant=tenant, scope=request.scope, include_superseded=request.include_superseded)
        phrases = phrase_keys_in(request.query)
        policies = {
            t: RankingPolicy(POLICIES[t], resolved.now.timestamp(), phrases if t is PROSPECTIVE else ())
            for t in resolved.types
        }
        limit, prefetch = self._candidate_limits(resolved.budget)
        searches = [
            SearchRequest(
                t, query_vector, flt, limit, prefetch, policies[t].formula(), with_vector=request.explain
            )
            for t in resolved.types
        ]
        if PROSPECTIVE in policies and phrases:
            # Pending intentions whose trigger phrase occurs in the query surface even when their
            # similarity is too low for the prefetch: a second, trigger-filtered search.
            triggered = replace(flt, status="pending", trigger_keys=phrases)
            searches.append(
                SearchRequest(
                    PROSPECTIVE,
                    query_vector,
                    triggered,
                    _TRIGGER_HITS,
                    _TRIGGER_HITS,
                    policies[PROSPECTIVE].formula(),
                    with_vector=request.explain,
                )
            )
        started = time.perf_counter()
        results = await self.index.search(searches)
        timings["search_ms"] = (time.perf_counter() - started) * 1000
        hits = dict(zip(resolved.types, results, strict=False))
        if len(results) > len(resolved.types):
            hits[PROSPECTIVE] = _merge_hits(hits[PROSPECTIVE], results[-1])

        started = time.perf_counter()
        response = self._assemble(request, resolved, weights, policies, query_vector, hits)
        timings["pack_ms"] = (time.perf_counter() - started) * 1000
        response.metadata.timings_ms = timings
        return response

    def _assemble(
        self,
        request: RetrieveRequest,
        resolved: ResolvedRequest,
        weights: Mapping[MemoryType, float],
        policies: Mapping[MemoryType, RankingPolicy],
        query_vector: list[float],
        hits: Mapping[MemoryType, list[ScoredPoint]],
    ) -> RetrieveResponse:
        enc = resolved.encoding
        counter = self.tokenizers.get(enc)
        points: dict[str, tuple[MemoryType, ScoredPoint, str]] = {}
        candidates: dict[MemoryType, list[Candidate]] = {}
        for memory_type, found in hits.items():
            candidates[memory_type] = []
            for point in found:
                line = line_for(memory_type, point.payload)
                stored = point.payload.get("line_tokens", {})
                tokens = stored.get(enc) if isinstance(stored, dict) else None
                cost = tokens if isinstance(tokens, int) else counter.count(line)
                points[point.id] = (memory_type, point, line)
                candidates[memory_type].append(Candidate(point.id, memory_type, point.score, cost))

        headers = {t: self._header_tokens[(enc, t)] for t in resolved.types}
        packing = pack(candidates, split_budget(resolved.budget, weights), headers, resolved.budget)
        chosen = sorted(packing.selected(), key=lambda c: -c.score)

        def render() -> str:
            return render_context(
                [
                    PresentedItem(
                        c.memory_type,
                        points[c.key][2],
                        c.score,
                        float(points[c.key][1].payload.get("occurred_ts", 0.0)),
                    )
                    for c in chosen
                ]
            )

        context = render()
        total = counter.count(context)
        # Line counts are additive by construction (see memtypes.rendering), so this loop should
        # never run; it is here so that the budget contract holds even if that ever stopped being so.
        while total > resolved.budget and chosen:
            dropped = chosen.pop()
            usage = packing.usage[dropped.memory_type]
            usage.selected.remove(dropped)
            usage.tokens -= dropped.tokens
            usage.trimmed += 1
            context = render()
            total = counter.count(context)

        memories = []
        for c in chosen:
            memory_type, point, _ = points[c.key]
            explanation = None
            if request.explain:
                similarity = _cosine(query_vector, point.vector) if point.vector else float("nan")
                explanation = policies[memory_type].explain(point.payload, similarity).as_dict()
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
        metadata = RetrieveMetadata(
            total_tokens=total,
            budget=resolved.budget,
            utilization=round(total / resolved.budget, 4),
            encoding=enc,
            per_type=per_type,
            trimmed_count=packing.trimmed,
        )
        return RetrieveResponse(context=context, memories=memories, metadata=metadata)


def _merge_hits(first: list[ScoredPoint], second: list[ScoredPoint]) -> list[ScoredPoint]:
    seen = {p.id for p in first}
    return sorted([*first, *(p for p in second if p.id not in seen)], key=lambda p: -p.score)


def _cosine(a: list[float], b: list[float]) -> float:
    dot = math.fsum(x * y for x, y in zip(a, b, strict=True))
    norm = math.sqrt(math.fsum(x * x for x in a)) * math.sqrt(math.fsum(y * y for y in b))
    return dot / norm if norm else 0.0
