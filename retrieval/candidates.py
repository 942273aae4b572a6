"""How many candidates each type searches for, and what is offered to budget packing besides the
ranked hits themselves. Pure functions, but for the line lengths sizing remembers (`LineLengths`).

- Candidate sizing: each type's list is sized for its share of the budget (see `candidate_limits`),
  with lines as long as the tenant's lines of that type ran lately (`LineLengths`).
- Near-duplicate suppression: a hit whose words overlap a better hit's of the same type by
  `threshold` or more (Jaccard) is dropped, so the budget is not spent on copies of one fact.
- Neighbour expansion: the turns written just before and after a selected episodic turn (same
  scope, same session) are offered too, each scored just below its turn, so packing takes them
  only while the budget has room and nothing better is waiting.
"""

from __future__ import annotations

import math
import re
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from ..memtypes.queries import MemoryFilter, NeighbourRequest, ScoredPoint, SearchRequest, StoredPoint
from ..memtypes.records import SCOPE_FIELDS, Scope
from ..memtypes.types import EVENT_TYPE, MemoryType
from .budget import type_allocations
from .options import RetrievalConfig
from .presentation import stored_line_tokens


def candidate_limits(
    budget: int,
    weights: Mapping[MemoryType, float],
    estimates: Mapping[MemoryType, int],
    config: RetrievalConfig,
    line_tokens: Mapping[MemoryType, float] | None = None,
) -> dict[MemoryType, tuple[int, int]]:
    """Per type: how many candidates to rank, and how deep the relevance prefetch goes.

    Enough candidates to fill the type's share of the budget with lines of `line_tokens` tokens
    (default `tokens_per_candidate`); a type with too few memories in scope to fill its share
    (`estimates`) passes the rest of it to the others, as packing will. Search cost grows with both
    numbers, so four types are not each sized for the whole budget (at 100k memories that halved
    the search stage).
    """
    c = config

    def per_line(memory_type: MemoryType) -> float:
        return (line_tokens or {}).get(memory_type, c.tokens_per_candidate)

    capacity = {t: n * per_line(t) for t, n in estimates.items()}
    limits = {}
    for memory_type, tokens in type_allocations(budget, weights, capacity).items():
        limit = min(max(math.ceil(tokens / per_line(memory_type)), c.min_candidates), c.max_candidates)
        prefetch = min(max(limit * c.prefetch_factor, c.min_prefetch), c.max_prefetch)
        limits[memory_type] = (limit, prefetch)
    return limits


class LineLengths:
    """How long, in tokens, the lines of each tenant's memories of each type ran in its recent
    retrievals: candidate lists are sized with it.

    A list sized for lines of `tokens_per_candidate` that comes back with much shorter ones leaves
    its share of the budget partly empty, and the pipeline searches that type again, deeper
    (`deeper_searches`): a second round trip, 15 ms at p95 at 100k memories. Sized by what the
    tenant's lines are like, the first search is deep enough. Never above `tokens_per_candidate`
    (lists are not made shallower for long lines: that would cost recall), never below `floor`; a
    moving average (`weight` for the newest list), bounded to `capacity` entries, least recently
    used dropped first. Only a sizing hint: the deeper search still catches what it misjudges.

    Kept per tenant and type, not per scope, and in the process only: a retrieval's list depth (so,
    at the margin, which candidates compete for leftover budget) depends on what the tenant's earlier
    retrievals returned, and each worker process learns on its own.
    """

    def __init__(self, floor: float = 4.0, weight: float = 0.3, capacity: int = 8192) -> None:
        self.floor, self.weight, self.capacity = floor, weight, capacity
        self._means: OrderedDict[tuple[str, MemoryType], float] = OrderedDict()

    def of(self, tenant: str, types: Sequence[MemoryType], assumed: float) -> dict[MemoryType, float]:
        """The line length to size each type's list for: `assumed` until lines were seen."""
        out = {}
        for memory_type in types:
            mean = self._means.get((tenant, memory_type))
            if mean is not None:
                self._means.move_to_end((tenant, memory_type))
            out[memory_type] = assumed if mean is None else min(assumed, max(self.floor, mean))
        return out

    def observe(self, tenant: str, memory_type: MemoryType, mean_tokens: float) -> None:
        key = (tenant, memory_type)
        old = self._means.pop(key, None)
        self._means[key] = mean_tokens if old is None else old + self.weight * (mean_tokens - old)
        while len(self._means) > self.capacity:
            self._means.popitem(last=False)


class LargeCounts:
    """Recent counts of what a type holds in a filter, kept only where they are large: a type
    counted at least as large as a retrieval's list needs is "full" whatever the exact number, and
    counts of a filter only shrink by deletes (a list sized for more than remain costs nothing). So
    such a count can stand in for a few seconds: at 100k memories the four counts of a retrieval were
    four engine calls on the serving thread's GIL. A count too small to fill a list is never taken
    from here: that list's size depends on it, and a write may just have grown it.
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


def mean_line_tokens(hits: Sequence[ScoredPoint], encoding: str) -> float | None:
    """The mean line length of a list of hits (None for an empty one)."""
    return sum(_line_tokens(h.payload, encoding) for h in hits) / len(hits) if hits else None


_WORD = re.compile(r"\w+")
_DIVERSITY_WINDOW = 64
_SHORT = 0.75


def deeper_searches(
    searches: Sequence[SearchRequest],
    hits: Mapping[MemoryType, Sequence[ScoredPoint]],
    encoding: str,
    config: RetrievalConfig,
    line_tokens: Mapping[MemoryType, float] | None = None,
) -> list[SearchRequest]:
    """The searches to run again, deeper: those that came back full (the type may hold more) with
    lines much too short to fill what the list was sized for (under `_SHORT` of `limit` lines of
    `line_tokens`, default `tokens_per_candidate`), so that a store of short facts still fills its
    budget. Each is sized by its own lines' mean length. (Lines a little shorter than assumed are
    not worth a second round trip: other types' leftovers fill the gap.)"""
    out = []
    for s in searches:
        found = hits.get(s.memory_type, [])
        if len(found) < s.limit or s.limit >= config.max_candidates:
            continue
        tokens = sum(_line_tokens(h.payload, encoding) for h in found[: s.limit])
        wanted = s.limit * (line_tokens or {}).get(s.memory_type, config.tokens_per_candidate)
        if tokens >= wanted * _SHORT:
            continue
        limit = min(math.ceil(wanted / max(tokens / s.limit, 1.0)), config.max_candidates)
        prefetch = min(max(limit * config.prefetch_factor, config.min_prefetch), config.max_prefetch)
        stage = min(prefetch, limit * config.stage_factor) if s.stage_limit is not None else None
        out.append(replace(s, limit=limit, prefetch_limit=max(prefetch, s.prefetch_limit), stage_limit=stage))
    return out


def _line_tokens(payload: Mapping[str, object], encoding: str) -> int:
    """A memory's line as counted at write time, or about 4 characters a token (sizing only)."""
    stored = stored_line_tokens(payload, encoding)
    return stored if stored is not None else len(str(payload.get("content", ""))) // 4 + 2


def _words(text: object) -> frozenset[str]:
    return _content_words(str(text))


@lru_cache(maxsize=32_768)  # the same best hits recur request after request; word sets are immutable
def _content_words(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD.findall(text.lower()) if len(w) > 2)


def suppress_near_duplicates(hits: Sequence[ScoredPoint], threshold: float) -> list[ScoredPoint]:
    """Keep hits best-first, dropping any whose words overlap a better kept hit's by at least
    `threshold` (Jaccard, 0..1). A threshold of 0 keeps everything.

    Words, not vectors: fetching every candidate's vector from the engine tripled the search time
    (measured on locomo-dev), and copies of one fact share their words. Only the first
    `_DIVERSITY_WINDOW` hits are compared, which is more than a usual budget holds; the rest are kept.
    """
    if threshold <= 0.0 or len(hits) < 2:
        return list(hits)
    ranked = sorted(hits, key=lambda h: -h.score)
    kept: list[ScoredPoint] = []
    kept_words: list[frozenset[str]] = []
    for hit in ranked[:_DIVERSITY_WINDOW]:
        words = _words(hit.payload.get("content", ""))
        if words and any(len(words & other) >= threshold * len(words | other) for other in kept_words):
            continue
        kept.append(hit)
        kept_words.append(words)
    return kept + ranked[_DIVERSITY_WINDOW:]


@dataclass(frozen=True)
class Neighbour:
    """An expanded turn: which selected turn it sits next to, and how many steps away."""

    of: str
    steps: int
    factor: float
    speaker: float = 0.0  # its own speaker term (mnemo.retrieval.policy), not its turn's


# A point's speaker term (RankingPolicy.speaker_lift): a neighbour's is its own.
SpeakerLift = Callable[[Mapping[str, Any]], float]


def _no_lift(payload: Mapping[str, Any]) -> float:
    return 0.0


def neighbour_requests(
    turns: Sequence[ScoredPoint], base: MemoryFilter, per_side: int, session_gap_s: float
) -> list[NeighbourRequest]:
    """Two lookups per turn (before, after), confined to the turn's own scope and session."""
    out: list[NeighbourRequest] = []
    for turn in turns:
        seq, occurred = turn.payload.get("seq"), turn.payload.get("occurred_ts")
        if not isinstance(seq, int | float) or not isinstance(occurred, int | float):
            continue  # written before sequence numbers existed: no neighbours to find
        scope = Scope(**{k: turn.payload[k] for k in SCOPE_FIELDS if k in turn.payload})
        flt = MemoryFilter(
            tenant=base.tenant,
            scope=scope,
            include_superseded=base.include_superseded,
            occurred_from=occurred - session_gap_s,
            occurred_until=occurred + session_gap_s,
        )
        out.extend(NeighbourRequest(EVENT_TYPE, flt, float(seq), side, per_side) for side in (True, False))
    return out


def expand(
    hits: Sequence[ScoredPoint],
    requests: Sequence[NeighbourRequest],
    found: Sequence[Sequence[StoredPoint]],
    turns: Mapping[float, ScoredPoint],
    decay: float,
    speaker_lift: SpeakerLift = _no_lift,
) -> tuple[list[ScoredPoint], dict[str, Neighbour]]:
    """The hits plus each turn's neighbours, scored `turn score × decay^steps`, where the turn's
    score counts without its speaker term and the neighbour adds its own: the answer next to the
    question that matched ("How do you unwind, Mel?" / "Mel: running and reading") is said by the
    person the query names, the question is not (with the term at 0.05, locomo-dev recall@10 is
    0.750 when a neighbour inherits its turn's and 0.801 when it carries its own).

    `turns` maps each expanded turn's `seq` to it. A neighbour that is already a hit keeps the
    better of its two scores; one reached from two turns keeps the better too.
    """
    by_id = {h.id: h for h in hits}
    origin: dict[str, Neighbour] = {}
    for request, points in zip(requests, found, strict=True):
        turn = turns[request.seq]
        turn_score = turn.score - speaker_lift(turn.payload)
        for steps, point in enumerate(points, start=1):
            factor = decay**steps
            own = speaker_lift(point.payload)
            score = turn_score * factor + own
            current = by_id.get(point.id)
            if current is not None and current.score >= score:
                continue
            by_id[point.id] = ScoredPoint(point.id, score, point.payload)
            origin[point.id] = Neighbour(turn.id, steps, factor, own)
    return sorted(by_id.values(), key=lambda h: -h.score), origin
