"""How many candidates each type's search asks for (part of the search stage): each type's list is
sized for its share of the budget (`candidate_limits`), and a list that came back full of lines too
short to fill its share is searched again, deeper (`deeper_searches`).

A list's depth is a function of the store and the request alone, never of what the process served
before: depth decides which candidates compete at the margin, so sizing that learned from earlier
retrievals made the same request on the same store answer differently in two processes. What sizing
keeps across requests (`LargeCounts`) is only ever a count the store would give again."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import replace

from ...memtypes.ports import VectorIndex
from ...memtypes.queries import MemoryFilter, ScoredPoint, SearchRequest
from ...memtypes.types import MemoryType
from ..ranking.model import DEFAULT_MODEL, SizingModel
from .plan import ReadPlan
from .presentation import stored_line_tokens

log = logging.getLogger("mnemo.retrieval")


def candidate_limits(
    budget: int,
    weights: Mapping[MemoryType, float],
    estimates: Mapping[MemoryType, int],
    fit: SizingModel = DEFAULT_MODEL.sizing,
) -> dict[MemoryType, tuple[int, int]]:
    """Per type: how many candidates to rank, and how deep the relevance prefetch goes (`fit`: the
    ranking model's sizing constants).

    Enough candidates to fill the type's share of the budget with lines of `tokens_per_candidate`
    tokens; a type with too few memories in scope to fill its share (`estimates`) passes the rest of
    it to the others, as packing will. Search cost grows with both numbers, so four types are not
    each sized for the whole budget (at 100k memories that halved the search stage).
    """
    capacity = {t: n * fit.tokens_per_candidate for t, n in estimates.items()}
    limits = {}
    for memory_type, tokens in type_allocations(budget, weights, capacity).items():
        limit = min(max(math.ceil(tokens / fit.tokens_per_candidate), fit.min_candidates), fit.max_candidates)
        prefetch = min(max(limit * fit.prefetch_factor, fit.min_prefetch), fit.max_prefetch)
        limits[memory_type] = (limit, prefetch)
    return limits


def type_allocations(
    budget: int, weights: Mapping[MemoryType, float], capacity: Mapping[MemoryType, float]
) -> dict[MemoryType, float]:
    """Tokens each type's candidate list is sized for: its share of the budget, except that a type
    whose memories cannot fill its share (`capacity`, in tokens) is sized for what it has, and the
    rest of its share goes to the other types in proportion to their weights (packing hands unused
    tokens to the best leftovers of any type; sizing only has to make room for them)."""
    allocation: dict[MemoryType, float] = {}
    remaining, open_types = float(budget), dict(weights)
    while open_types:
        total = sum(open_types.values())
        share = {t: w / total if total > 0 else 1 / len(open_types) for t, w in open_types.items()}
        fair = {t: remaining * s for t, s in share.items()}
        capped = [t for t in open_types if capacity.get(t, 0.0) < fair[t]]
        if not capped:
            allocation.update(fair)
            break
        for t in capped:
            allocation[t] = capacity.get(t, 0.0)
            remaining -= allocation[t]
            del open_types[t]
    return allocation


class LargeCounts:
    """Recent counts of what a type holds in a filter, kept only where they are large: a type
    counted at least as large as a retrieval's list needs is "full" whatever the exact number, and
    counts of a filter only shrink by deletes (a list sized for more than remain costs nothing). So
    such a count can stand in for a few seconds: at 100k memories the four counts of a retrieval were
    four engine calls on the serving thread's GIL. A count too small to fill a list is never taken
    from here: that list's size depends on it, and a write may just have grown it. The search stage
    keeps here, too, the counts that say a name speaks in scope (at least 1: stages/search.py).
    """

    def __init__(self, ttl_s: float = 10.0, capacity: int = 8192) -> None:
        self.ttl_s, self.capacity = ttl_s, capacity
        self._counts: OrderedDict[tuple[MemoryType, str], tuple[int, float]] = OrderedDict()

    @staticmethod
    def _key(memory_type: MemoryType, flt: MemoryFilter) -> tuple[MemoryType, str]:
        return memory_type, repr(flt)

    def at_least(self, memory_type: MemoryType, flt: MemoryFilter, enough: int, now: float) -> int | None:
        """A recent count of at least `enough`, or None (count afresh)."""
        entry = self._counts.get(self._key(memory_type, flt))
        if entry is None or entry[1] < now or entry[0] < enough:
            return None
        return entry[0]

    def note(self, memory_type: MemoryType, flt: MemoryFilter, count: int, now: float) -> None:
        key = self._key(memory_type, flt)
        self._counts[key] = (count, now + self.ttl_s)
        self._counts.move_to_end(key)
        while len(self._counts) > self.capacity:
            self._counts.popitem(last=False)


_SHORT = 0.75


def deeper_searches(
    searches: Sequence[SearchRequest],
    hits: Mapping[MemoryType, Sequence[ScoredPoint]],
    encoding: str,
    fit: SizingModel = DEFAULT_MODEL.sizing,
) -> list[SearchRequest]:
    """The searches to run again, deeper: those that came back full (the type may hold more) with
    lines much too short to fill what the list was sized for (under `_SHORT` of `limit` lines of
    `fit.tokens_per_candidate`), so that a store of short facts still fills its
    budget. Each is sized by its own lines' mean length. (Lines a little shorter than assumed are
    not worth a second round trip: other types' leftovers fill the gap.)"""
    out = []
    for s in searches:
        found = hits.get(s.memory_type, [])
        if len(found) < s.limit or s.limit >= fit.max_candidates:
            continue
        tokens = sum(_line_tokens(h.payload, encoding) for h in found[: s.limit])
        wanted = s.limit * fit.tokens_per_candidate
        if tokens >= wanted * _SHORT:
            continue
        limit = min(math.ceil(wanted / max(tokens / s.limit, 1.0)), fit.max_candidates)
        prefetch = min(max(limit * fit.prefetch_factor, fit.min_prefetch), fit.max_prefetch)
        stage = min(prefetch, limit * fit.stage_factor) if s.stage_limit is not None else None
        out.append(replace(s, limit=limit, prefetch_limit=max(prefetch, s.prefetch_limit), stage_limit=stage))
    return out


def _line_tokens(payload: Mapping[str, object], encoding: str) -> int:
    """A memory's line as counted at write time, or about 4 characters a token (sizing only)."""
    stored = stored_line_tokens(payload, encoding)
    return stored if stored is not None else len(str(payload.get("content", ""))) // 4 + 2


class ListSizer:
    """The search stage's sizing, with the counts it keeps across requests (`LargeCounts`)."""

    def __init__(self) -> None:
        self.large_counts = LargeCounts()

    async def limits(self, index: VectorIndex, plan: ReadPlan) -> dict[MemoryType, tuple[int, int]]:
        """Sized from the engine's estimates of how many memories each type holds in scope
        (microseconds); an estimate small enough to shrink a list is checked by an exact count (cheap
        for small sets), because estimates of combined filters can be far too low. Counting only
        sizes the lists: if it fails, every type is sized as if it were full."""
        assert plan.filters is not None
        budget, weights = plan.resolved.budget, plan.resolved.weights
        filters, fit = plan.filters, plan.model.sizing
        enough = dict.fromkeys(filters, math.ceil(budget / fit.tokens_per_candidate))
        now = time.monotonic()
        counts: dict[MemoryType, int] = {}
        for t, f in filters.items():
            if (known := self.large_counts.at_least(t, f, enough[t], now)) is not None:
                counts[t] = known
        try:
            unknown = [t for t in filters if t not in counts]
            estimates = await asyncio.gather(*(index.count(t, filters[t], exact=False) for t in unknown))
            counts.update(zip(unknown, estimates, strict=True))
            small = [t for t in unknown if counts[t] < enough[t]]
            exact = await asyncio.gather(*(index.count(t, filters[t]) for t in small))
            counts.update(zip(small, exact, strict=True))
            for t in unknown:
                if counts[t] >= enough[t]:
                    self.large_counts.note(t, filters[t], counts[t], now)
        except Exception as exc:  # the search that follows reports an outage itself
            log.debug("candidate sizing without counts: %s", exc)
            counts = enough
        return candidate_limits(budget, weights, counts, fit)

    @staticmethod
    def review(
        plan: ReadPlan,
        searches: Sequence[SearchRequest],
        hits: Mapping[MemoryType, Sequence[ScoredPoint]],
        underfilled: bool,
    ) -> list[SearchRequest]:
        """After the first round: the deeper searches an `underfilled` budget calls for (none when
        it is filled)."""
        if not underfilled:
            return []
        return deeper_searches(searches, hits, plan.resolved.encoding, plan.model.sizing)
