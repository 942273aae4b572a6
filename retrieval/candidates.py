"""How many candidates each type searches for, and what is offered to budget packing besides the
ranked hits themselves. Pure functions.

- Candidate sizing: each type's list is sized for its share of the budget (see `candidate_limits`).
- Near-duplicate suppression: a hit whose words overlap a better hit's of the same type by
  `threshold` or more (Jaccard) is dropped, so the budget is not spent on copies of one fact.
- Neighbour expansion: the turns written just before and after a selected episodic turn (same
  scope, same session) are offered too, each scored just below its turn, so packing takes them
  only while the budget has room and nothing better is waiting.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from memtypes.queries import MemoryFilter, NeighbourRequest, ScoredPoint, SearchRequest, StoredPoint
from memtypes.records import SCOPE_FIELDS, Scope
from memtypes.types import MemoryType
from retrieval.budget import type_allocations
from retrieval.options import RetrievalConfig
from retrieval.presentation import stored_line_tokens

EPISODIC = MemoryType.EPISODIC


def candidate_limits(
    budget: int,
    weights: Mapping[MemoryType, float],
    estimates: Mapping[MemoryType, int],
    config: RetrievalConfig,
) -> dict[MemoryType, tuple[int, int]]:
    """Per type: how many candidates to rank, and how deep the relevance prefetch goes.

    Enough candidates to fill the type's share of the budget with lines of `tokens_per_candidate`
    tokens; a type with too few memories in scope to fill its share (`estimates`) passes the rest
    of it to the others, as packing will. Search cost grows with both numbers, so four types are
    not each sized for the whole budget (at 100k memories that halved the search stage).
    """
    c, per_line = config, config.tokens_per_candidate
    capacity = {t: n * per_line for t, n in estimates.items()}
    limits = {}
    for memory_type, tokens in type_allocations(budget, weights, capacity).items():
        limit = min(max(math.ceil(tokens / per_line), c.min_candidates), c.max_candidates)
        prefetch = min(max(limit * c.prefetch_factor, c.min_prefetch), c.max_prefetch)
        limits[memory_type] = (limit, prefetch)
    return limits


_WORD = re.compile(r"\w+")
_DIVERSITY_WINDOW = 64
_SHORT = 0.75


def deeper_searches(
    searches: Sequence[SearchRequest],
    hits: Mapping[MemoryType, Sequence[ScoredPoint]],
    encoding: str,
    config: RetrievalConfig,
) -> list[SearchRequest]:
    """The searches to run again, deeper: those that came back full (the type may hold more) with
    lines much too short to fill what the list was sized for (under `_SHORT` of
    `limit × tokens_per_candidate`), so that a store of short facts still fills its budget. Each is
    sized by its own lines' mean length. (Lines a little shorter than assumed are not worth a second
    round trip: other types' leftovers fill the gap.)"""
    out = []
    for s in searches:
        found = hits.get(s.memory_type, [])
        if len(found) < s.limit or s.limit >= config.max_candidates:
            continue
        tokens = sum(_line_tokens(h.payload, encoding) for h in found[: s.limit])
        wanted = s.limit * config.tokens_per_candidate
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
    return frozenset(w for w in _WORD.findall(str(text).lower()) if len(w) > 2)


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
        out.extend(NeighbourRequest(EPISODIC, flt, float(seq), before, per_side) for before in (True, False))
    return out


def expand(
    hits: Sequence[ScoredPoint],
    requests: Sequence[NeighbourRequest],
    found: Sequence[Sequence[StoredPoint]],
    turns: Mapping[float, ScoredPoint],
    decay: float,
) -> tuple[list[ScoredPoint], dict[str, Neighbour]]:
    """The hits plus each turn's neighbours, scored `turn score × decay^steps`.

    `turns` maps each expanded turn's `seq` to it. A neighbour that is already a hit keeps the
    better of its two scores; one reached from two turns keeps the better too.
    """
    by_id = {h.id: h for h in hits}
    origin: dict[str, Neighbour] = {}
    for request, points in zip(requests, found, strict=True):
        turn = turns[request.seq]
        for steps, point in enumerate(points, start=1):
            factor = decay**steps
            score = turn.score * factor
            current = by_id.get(point.id)
            if current is not None and current.score >= score:
                continue
            by_id[point.id] = ScoredPoint(point.id, score, point.payload)
            origin[point.id] = Neighbour(turn.id, steps, factor)
    return sorted(by_id.values(), key=lambda h: -h.score), origin
