"""Time and truth on the read path: stale memories ranked a little lower, and, with `explain`, the
outdated memories the query found that a current read leaves out (superseded, expired, not yet
valid), each with its reason. Which view a retrieval reads (current at `now`, or `as_of`) is its
base filter's (mnemo.memtypes.queries); what a write marks stale, mnemo.ingest.versions.dependents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from ...memtypes.ports import VectorIndex
from ...memtypes.queries import Outdated, ScoredPoint, SearchRequest
from ...memtypes.requests import LeftOutMemory, LeftOutReason
from ..options import RetrievalConfig
from .plan import ReadPlan
from .post import Adjustment, Hits, Phase, PostStage, StageInputs, lift

_DETAIL_FIELDS = ("superseded_by", "valid_until", "valid_from")
MAX_OUTDATED = 10  # per type and reason: what `left_out` names of what is outdated
_DETAIL = {
    Outdated.SUPERSEDED: "superseded by {superseded_by}",
    Outdated.EXPIRED: "its validity ended at {valid_until}",
    Outdated.NOT_YET_VALID: "its validity begins at {valid_from}",
}


class StaleLower(PostStage):
    """A stale memory ranked a little lower (`stale`: the share of its score it loses, the ranking
    model's `stale.demotion`)."""

    name = "stale"
    phase = Phase.ROUND

    def weight(self, plan: ReadPlan, config: RetrievalConfig) -> float:
        return plan.model.stale.demotion

    async def apply(self, inputs: StageInputs, hits: Hits, weight: float) -> dict[str, Adjustment]:
        out: dict[str, Adjustment] = {}
        for points in hits.values():
            for k, p in enumerate(points):
                if p.payload.get("stale") is True:
                    cut = weight * abs(p.score)
                    points[k] = ScoredPoint(p.id, p.score - cut, p.payload, p.vector)
                    out[p.id] = lift(self.name, -cut)
            points.sort(key=lambda p: -p.score)
        return out


async def outdated_left_out(
    index: VectorIndex, plan: ReadPlan, query_vector: Sequence[float] | None
) -> list[LeftOutMemory]:
    """With `explain`, on a current read: the best outdated memories for the query, by reason."""
    base, filters = plan.base_filter, plan.filters or {}
    if not plan.request.explain or query_vector is None or base is None or base.now is None:
        return []
    if base.as_of is not None or base.include_superseded:
        return []
    vector = list(query_vector)
    requests = [
        SearchRequest(t, vector, replace(f, outdated=reason), MAX_OUTDATED, MAX_OUTDATED)
        for t, f in filters.items()
        for reason in Outdated
    ]
    found = await index.search(requests)
    encoding = plan.resolved.encoding
    return [
        _left_out(request, hit, encoding)
        for request, hits in zip(requests, found, strict=True)
        for hit in hits
    ]


def _left_out(request: SearchRequest, hit: ScoredPoint, encoding: str) -> LeftOutMemory:
    reason = request.filter.outdated or Outdated.SUPERSEDED
    payload: Mapping[str, Any] = hit.payload
    tokens = (payload.get("line_tokens") or {}).get(encoding, 0)
    return LeftOutMemory(
        id=hit.id,
        type=request.memory_type,
        content=str(payload.get("content", "")),
        score=hit.score,
        tokens=int(tokens),
        reason=LeftOutReason(reason.value),
        detail=_DETAIL[reason].format_map(
            {k: payload.get(k) for k in ("superseded_by", "valid_until", "valid_from")}
        ),
    )
