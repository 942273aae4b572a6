"""Which current reads on Qdrant Edge need their validity conditions.

A current read leaves out the memories whose validity has ended or not yet begun at its `now`
(mnemo.memtypes.queries.current_conditions): two conditions the engine checks on every candidate of
every search and neighbour lookup. Most stores hold no current memory either would leave out: none
has a `valid_until` (superseding sets one, on a memory no longer current; an invalidation sets one),
and the `valid_from`s written are past. So, per type and tenant, `ValiditySpans` keeps the earliest
end and the latest start of validity among the current memories, read from the payload indexes (two
ordered reads of one point each), until a write that may move them; a read whose `now` neither
reaches is sent without the two conditions, and the same points pass.

Coherence: the writes that may move a span (an upsert; a payload write of validity, `superseded` or
`tenant`; a shard swapped in) are noted as they begin and end. No span is read or used while one is
in flight, and a read whose conditions were dropped checks after its engine call that none began
meanwhile (else it asks again with them): reads may run on another thread than writes
(backends/qdrant_edge/process.py). A delete leaves spans as they are: the memories left end no
earlier and begin no later than the span read before it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from qdrant_edge import Direction, EdgeShard, OrderBy, QueryRequest

from ...memtypes.queries import MemoryFilter, NeighbourRequest, SearchRequest, validity_excludes
from ...memtypes.types import MemoryType
from .vocabulary import EDGE_PLANNER as PLAN

# The payload fields whose writes may move a span: what the span is over, and who is current.
SPAN_FIELDS = frozenset({"valid_from_ts", "valid_until_ts", "superseded", "tenant"})
_MAX_TENANTS = 4_096  # spans kept per type; past it they are read again


@dataclass(frozen=True)
class Span:
    """Among a tenant's current memories of one type: the earliest end and latest start of validity
    (None: none has one)."""

    earliest_end: float | None
    latest_start: float | None


class ValiditySpans:
    """Each type's spans by tenant, valid while no write that may move them begins."""

    def __init__(self) -> None:
        self._generation: dict[MemoryType, int] = {}
        self._writing: dict[MemoryType, int] = {}
        self._spans: dict[MemoryType, tuple[int, dict[str, Span]]] = {}

    @staticmethod
    def moved_by(payload: Mapping[str, object]) -> bool:
        """Whether writing these payload fields may move a span."""
        return not SPAN_FIELDS.isdisjoint(payload)

    def begin(self, memory_type: MemoryType) -> None:
        """A write that may move the type's spans is about to reach the engine."""
        self._writing[memory_type] = self._writing.get(memory_type, 0) + 1
        self.forget(memory_type)

    def end(self, memory_type: MemoryType) -> None:
        """That write has returned (or failed: it may still have changed points)."""
        self.forget(memory_type)
        self._writing[memory_type] -= 1

    def forget(self, memory_type: MemoryType) -> None:
        """Every span of the type read so far is stale (a write, or another shard in its place)."""
        self._generation[memory_type] = self._generation.get(memory_type, 0) + 1

    def _judged_at(self, memory_type: MemoryType) -> int | None:
        """The type's generation; None while a write that may move its spans is in flight."""
        if self._writing.get(memory_type, 0):
            return None
        return self._generation.get(memory_type, 0)

    def needed(
        self, shard: EdgeShard, memory_type: MemoryType, requests: Sequence[SearchRequest | NeighbourRequest]
    ) -> tuple[list[bool], int | None]:
        """Whether each request needs its validity conditions: not a current read whose `now` its
        tenant's span does not reach; and the generation that was judged at (None: all need them).
        Ask `still` after the engine call."""
        seen = self._judged_at(memory_type)
        if seen is None:
            return [True] * len(requests), None
        needed = [
            not request.filter.judges_validity or self._reached(shard, memory_type, request.filter, seen)
            for request in requests
        ]
        return needed, None if all(needed) else seen

    def _reached(self, shard: EdgeShard, memory_type: MemoryType, flt: MemoryFilter, seen: int) -> bool:
        span = self._span(shard, memory_type, flt.tenant, seen)
        return flt.now is None or validity_excludes(flt.now, span.earliest_end, span.latest_start)

    def still(self, memory_type: MemoryType, seen: int) -> bool:
        """Whether no write that may move the type's spans has begun since `seen` was judged."""
        return self._judged_at(memory_type) == seen

    def _span(self, shard: EdgeShard, memory_type: MemoryType, tenant: str, seen: int) -> Span:
        generation, spans = self._spans.get(memory_type, (None, {}))
        if generation != seen or len(spans) >= _MAX_TENANTS:
            spans = {}
            self._spans[memory_type] = (seen, spans)
        span = spans.get(tenant)
        if span is None:
            span = spans[tenant] = read_span(shard, tenant)
        return span


def read_span(shard: EdgeShard, tenant: str) -> Span:
    """The tenant's span in this shard, from the payload indexes of the two fields."""
    current = PLAN.filter(MemoryFilter(tenant=tenant))  # not superseded

    def first(key: str, direction: Direction) -> float | None:
        found = shard.query(
            QueryRequest(
                limit=1,
                query=OrderBy(key, direction),
                filter=current,
                with_payload=False,
                with_vector=False,
            )
        )
        if not found:
            return None
        value = found[0].order_value
        # A value the index cannot order by: as if it reached every time.
        return float(value) if value is not None else -math.inf if direction is Direction.Asc else math.inf

    return Span(first("valid_until_ts", Direction.Asc), first("valid_from_ts", Direction.Desc))
