"""Stage 4 of a retrieval, pack: each candidate's line priced once (`LinePrices`), then per-type
shares of an exact token budget filled best-first, unused shares flowing on to the best leftovers.

The search stage packs each round to see whether the budget is filled; the response (respond.py)
packs the final hits, neighbours included. Pure functions over token costs; the costs were counted
with the real tokenizer at write time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...memtypes.ports import TokenCounter, Tokenizers
from ...memtypes.queries import ScoredPoint
from ...memtypes.rendering import memory_line, section_header
from ...memtypes.types import SCRATCHPAD_TYPE, MemoryType
from ...sessions.working import WorkingItem
from .plan import ResolvedRequest
from .presentation import group_for, line_for, stored_line_tokens

Points = dict[str, tuple[MemoryType, ScoredPoint, str]]  # id → (type, point, its line)
Priced = tuple[str, int, str | None]  # a point's line, its tokens, the group header it sits under
_MAX_SHARED_GROUPS = 65_536
_MAX_SHARED_LINES = 16_384


@dataclass(frozen=True)
class Candidate:
    """A ranked hit and what including it costs (its rendered line, in tokens). Candidates of one
    `group` share a header (episodic memories of one time), paid for by the first one taken."""

    key: str
    memory_type: MemoryType
    score: float
    tokens: int
    group: str | None = None


@dataclass
class TypeUsage:
    share: int
    redistributed: int = 0
    tokens: int = 0
    selected: list[Candidate] = field(default_factory=list)
    trimmed: int = 0
    left: list[Candidate] = field(default_factory=list)  # the trimmed ones, for `explain`
    in_share: set[str] = field(default_factory=set)  # keys taken within the share, not redistributed


@dataclass(frozen=True)
class Packing:
    budget: int
    usage: dict[MemoryType, TypeUsage]

    @property
    def tokens(self) -> int:
        return sum(u.tokens for u in self.usage.values())

    @property
    def trimmed(self) -> int:
        return sum(u.trimmed for u in self.usage.values())

    def selected(self) -> list[Candidate]:
        return [c for u in self.usage.values() for c in u.selected]


def split_budget(budget: int, weights: Mapping[MemoryType, float]) -> dict[MemoryType, int]:
    """Whole-token shares; what rounding leaves over goes to the redistribution pool."""
    return {t: int(budget * w) for t, w in weights.items()}


def pack(
    candidates: Mapping[MemoryType, Sequence[Candidate]],
    shares: Mapping[MemoryType, int],
    header_tokens: Mapping[MemoryType, int],
    budget: int,
    group_tokens: Mapping[str, int] | None = None,
    after: Sequence[Candidate] = (),
) -> Packing:
    """Take candidates best-first within each type's share, then spend what is left globally, then
    what is still left on `after`, best-first (so that none of them takes the place of a candidate).

    A type's section header is paid for with its first item, a group's header (`group_tokens`) with
    the group's first item. An item that does not fit is skipped, not cut, and counted as trimmed
    (one of `after` is not: it was never asked for by itself); smaller items after it may still fit.
    """
    usage = {t: TypeUsage(share=shares.get(t, 0)) for t in [*candidates, *(c.memory_type for c in after)]}
    opened: set[str] = set()
    groups = group_tokens or {}

    def cost(c: Candidate) -> int:
        section = 0 if usage[c.memory_type].selected else header_tokens[c.memory_type]
        group = groups[c.group] if c.group is not None and c.group not in opened else 0
        return c.tokens + section + group

    def take(c: Candidate, price: int) -> None:
        usage[c.memory_type].tokens += price
        usage[c.memory_type].selected.append(c)
        if c.group is not None:
            opened.add(c.group)

    leftovers: list[Candidate] = []
    for memory_type, items in candidates.items():
        u = usage[memory_type]
        for c in sorted(items, key=lambda c: -c.score):
            if u.tokens + cost(c) <= u.share:
                take(c, cost(c))
                u.in_share.add(c.key)
            else:
                leftovers.append(c)

    pool = budget - sum(u.tokens for u in usage.values())
    for c in sorted(leftovers, key=lambda c: -c.score):
        u = usage[c.memory_type]
        price = cost(c)
        if price <= pool:
            pool -= price
            u.redistributed += price
            take(c, price)
        else:
            u.trimmed += 1
            u.left.append(c)
    for c in sorted(after, key=lambda c: -c.score):
        price = cost(c)
        if price <= pool:
            pool -= price
            usage[c.memory_type].redistributed += price
            take(c, price)
    return Packing(budget=budget, usage=usage)


def pack_in_order(items: Sequence[Candidate], budget: int, header_tokens: int) -> TypeUsage:
    """Take items in the given order (working memory: newest first) while they fit; an item that does
    not fit is skipped and counted, smaller ones after it may still fit."""
    usage = TypeUsage(share=budget)
    for c in items:
        price = c.tokens + (0 if usage.selected else header_tokens)
        if usage.tokens + price <= budget:
            usage.tokens += price
            usage.selected.append(c)
        else:
            usage.trimmed += 1
            usage.left.append(c)
    return usage


class LinePrices:
    """Each candidate's line rendered and priced once per request, however often it is packed: a
    count stored with the memory when its line format is current, else counted here."""

    def __init__(
        self,
        tokenizers: Tokenizers,
        encoding: str,
        headers: dict[tuple[str, MemoryType], int] | None = None,
        groups: dict[tuple[str, str], int] | None = None,
        lines: dict[tuple[str, MemoryType, str], tuple[Mapping[str, Any], Priced]] | None = None,
    ) -> None:
        self.encoding = encoding
        self.counter: TokenCounter = tokenizers.get(encoding)
        # All three may be shared across requests: a header or a group line ("[2025-03-01 10:00]")
        # costs the same every time, and counting them was most of the tokenizer's work per request;
        # the best hits, and so their lines, recur request after request.
        self._headers = {} if headers is None else headers
        self._groups = {} if groups is None else groups
        self._lines = {} if lines is None else lines

    def header(self, memory_type: MemoryType) -> int:
        """Tokens of a section's header in this encoding, counted once."""
        key = (self.encoding, memory_type)
        if key not in self._headers:
            self._headers[key] = self.counter.count(section_header(memory_type))
        return self._headers[key]

    def line(self, memory_type: MemoryType, point: ScoredPoint) -> Priced:
        """The point's line, its tokens and the group header it sits under (if any).

        Kept with the payload it was rendered from, and reused only for that very payload object:
        the index hands out the same one while the point is unchanged (its payload cache), and a new
        one once it was written, so a line is never reused for content it was not rendered from (the
        entry holds the payload, so its identity cannot pass to another)."""
        key = (self.encoding, memory_type, point.id)
        known = self._lines.get(key)
        if known is not None and known[0] is point.payload:
            return known[1]
        line = line_for(memory_type, point.payload)
        stored = stored_line_tokens(point.payload, self.encoding)
        cost = stored if stored is not None else self.counter.count(line)
        priced = (line, cost, group_for(memory_type, point.payload))
        if len(self._lines) >= _MAX_SHARED_LINES:  # bounded: a long-running server sees many
            self._lines.clear()
        self._lines[key] = (point.payload, priced)
        return priced

    def candidates(
        self, hits: Mapping[MemoryType, list[ScoredPoint]]
    ) -> tuple[dict[MemoryType, list[Candidate]], Points]:
        points: Points = {}
        candidates: dict[MemoryType, list[Candidate]] = {}
        for memory_type, found in hits.items():
            candidates[memory_type] = []
            for point in found:
                line, cost, group = self.line(memory_type, point)
                points[point.id] = (memory_type, point, line)
                candidates[memory_type].append(Candidate(point.id, memory_type, point.score, cost, group))
        return candidates, points

    def pack(
        self,
        resolved: ResolvedRequest,
        candidates: Mapping[MemoryType, list[Candidate]],
        after: Sequence[Candidate] = (),
    ) -> Packing:
        """`after`: packed with what the candidates leave of the budget (`pack`)."""
        headers = {t: self.header(t) for t in resolved.types}
        offered = [*(c for found in candidates.values() for c in found), *after]
        groups = {c.group for c in offered if c.group is not None}
        group_tokens = {}
        for group in groups:
            key = (self.encoding, group)
            if key not in self._groups:
                if len(self._groups) >= _MAX_SHARED_GROUPS:  # bounded: a long-running server sees many
                    self._groups.clear()
                self._groups[key] = self.counter.count(group)
            group_tokens[group] = self._groups[key]
        shares = split_budget(resolved.budget, resolved.weights)
        return pack(candidates, shares, headers, resolved.budget, group_tokens, after)

    def packing(
        self,
        resolved: ResolvedRequest,
        hits: Mapping[MemoryType, list[ScoredPoint]],
    ) -> Packing:
        """How these hits would pack: is the budget filled, which turns would be selected."""
        return self.pack(resolved, self.candidates(hits)[0])


# A task's working items by id, each with its rendered line.
WorkingLines = dict[str, tuple[WorkingItem, str]]


def pack_working(
    resolved: ResolvedRequest, working: Sequence[WorkingItem], prices: LinePrices
) -> tuple[TypeUsage, WorkingLines]:
    """Newest first under the working budget; each item priced by its line in this encoding."""
    enc = resolved.encoding
    lines = {i.id: (i, memory_line(SCRATCHPAD_TYPE, i.content)) for i in working}
    # Scores only order the section: newest (highest seq) first.
    candidates = [
        Candidate(i.id, SCRATCHPAD_TYPE, float(i.seq), i.line_tokens.get(enc) or prices.counter.count(line))
        for i, line in lines.values()
    ]
    usage = pack_in_order(candidates, resolved.working_budget, prices.header(SCRATCHPAD_TYPE))
    return usage, lines
