"""From what the searches found to the response: price each candidate's line once, pack the budget,
render the context, trim (should it ever be needed), explain, and account for every token.

`assemble` is pure: the same plan and hits give the same response, and nothing is awaited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..memtypes.ports import TokenCounter, Tokenizers
from ..memtypes.queries import ScoredPoint
from ..memtypes.rendering import memory_line, section_header
from ..memtypes.requests import RetrievedMemory, RetrieveMetadata, RetrieveResponse, TypeMetadata
from ..memtypes.types import SCRATCHPAD_TYPE, MemoryType
from ..memtypes.working import WorkingItem
from .budget import Candidate, Packing, TypeUsage, pack, pack_in_order, split_budget
from .candidates import Neighbour
from .plan import ReadPlan, ResolvedRequest
from .presentation import PresentedItem, group_for, line_for, render_context, stored_line_tokens
from .stages import explain
from .updates import with_lift

Points = dict[str, tuple[MemoryType, ScoredPoint, str]]  # id → (type, point, its line)
_MAX_SHARED_GROUPS = 65_536


@dataclass(frozen=True)
class Found:
    """What the searches of one request found, ready to be assembled."""

    hits: Mapping[MemoryType, list[ScoredPoint]]
    relevance: Mapping[str, tuple[float, ...]] = field(default_factory=dict)  # stage scores by id
    neighbours: Mapping[str, Neighbour] = field(default_factory=dict)  # offered beside a turn
    lifts: Mapping[str, float] = field(default_factory=dict)  # newer same-subject statements
    working: Sequence[WorkingItem] = ()  # the task's live items, newest first


class LinePrices:
    """Each candidate's line rendered and priced once per request, however often it is packed: a
    count stored with the memory when its line format is current, else counted here."""

    def __init__(
        self,
        tokenizers: Tokenizers,
        encoding: str,
        headers: dict[tuple[str, MemoryType], int] | None = None,
        groups: dict[tuple[str, str], int] | None = None,
    ) -> None:
        self.encoding = encoding
        self.counter: TokenCounter = tokenizers.get(encoding)
        # Both may be shared across requests: a header or a group line ("[2025-03-01 10:00]") costs
        # the same every time, and counting them was most of the tokenizer's work per request.
        self._headers = {} if headers is None else headers
        self._groups = {} if groups is None else groups
        self._lines: dict[tuple[MemoryType, str], tuple[str, int, str | None]] = {}

    def header(self, memory_type: MemoryType) -> int:
        """Tokens of a section's header in this encoding, counted once."""
        key = (self.encoding, memory_type)
        if key not in self._headers:
            self._headers[key] = self.counter.count(section_header(memory_type))
        return self._headers[key]

    def line(self, memory_type: MemoryType, point: ScoredPoint) -> tuple[str, int, str | None]:
        """The point's line, its tokens and the group header it sits under (if any)."""
        key = (memory_type, point.id)
        priced = self._lines.get(key)
        if priced is None:
            line = line_for(memory_type, point.payload)
            stored = stored_line_tokens(point.payload, self.encoding)
            cost = stored if stored is not None else self.counter.count(line)
            priced = self._lines[key] = (line, cost, group_for(memory_type, point.payload))
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
        weights: Mapping[MemoryType, float],
        candidates: Mapping[MemoryType, list[Candidate]],
    ) -> Packing:
        headers = {t: self.header(t) for t in resolved.types}
        groups = {c.group for found in candidates.values() for c in found if c.group is not None}
        group_tokens = {}
        for group in groups:
            key = (self.encoding, group)
            if key not in self._groups:
                if len(self._groups) >= _MAX_SHARED_GROUPS:  # bounded: a long-running server sees many
                    self._groups.clear()
                self._groups[key] = self.counter.count(group)
            group_tokens[group] = self._groups[key]
        return pack(
            candidates, split_budget(resolved.budget, weights), headers, resolved.budget, group_tokens
        )

    def packing(
        self,
        resolved: ResolvedRequest,
        weights: Mapping[MemoryType, float],
        hits: Mapping[MemoryType, list[ScoredPoint]],
    ) -> Packing:
        """How these hits would pack: is the budget filled, which turns would be selected."""
        return self.pack(resolved, weights, self.candidates(hits)[0])


def pack_working(
    resolved: ResolvedRequest, working: Sequence[WorkingItem], prices: LinePrices
) -> tuple[TypeUsage, dict[str, tuple[WorkingItem, str]]]:
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


def assemble(plan: ReadPlan, found: Found, prices: LinePrices) -> RetrieveResponse:
    """The response to `plan.request` from what was `found`, never over the budget."""
    resolved = plan.resolved
    counter = prices.counter
    working_usage, working_lines = pack_working(resolved, found.working, prices)
    candidates, points = prices.candidates(found.hits)
    packing = prices.pack(resolved, plan.weights, candidates)
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
                PresentedItem(SCRATCHPAD_TYPE, line, c.score, item.created_at.timestamp())
                for c in working_usage.selected
                for item, line in [working_lines[c.key]]
            ]
        )

    context = render()
    total = counter.count(context)
    limit = resolved.budget + resolved.working_budget
    # Line counts are additive by construction (see mnemo.memtypes.rendering), so this loop should
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
            type=SCRATCHPAD_TYPE,
            content=item.content,
            score=1.0,  # kept whole and in order, not ranked
            tokens=c.tokens,
            occurred_at=item.created_at.isoformat(),
        )
        for c in working_usage.selected
        for item, _ in [working_lines[c.key]]
    ]
    memories += [_retrieved(plan, found, points[c.key], c.tokens) for c in chosen]
    per_type = {t.value: _type_metadata(u) for t, u in packing.usage.items()}
    if resolved.working_budget:
        per_type[SCRATCHPAD_TYPE.value] = _type_metadata(working_usage)
    metadata = RetrieveMetadata(
        total_tokens=total,
        budget=resolved.budget,
        working_budget=resolved.working_budget,
        utilization=round(total / limit, 4),
        encoding=resolved.encoding,
        exact=resolved.exact,
        per_type=per_type,
        trimmed_count=packing.trimmed + working_usage.trimmed,
    )
    return RetrieveResponse(context=context, memories=memories, metadata=metadata)


def _retrieved(
    plan: ReadPlan, found: Found, chosen: tuple[MemoryType, ScoredPoint, str], tokens: int
) -> RetrievedMemory:
    memory_type, point, _ = chosen
    explanation = None
    if plan.request.explain:
        neighbour = found.neighbours.get(point.id)
        explanation = explain(plan.policies[memory_type], point, found.relevance, neighbour)
        explanation = with_lift(explanation, found.lifts.get(point.id))
    return RetrievedMemory(
        id=point.id,
        external_id=point.payload.get("external_id"),
        type=memory_type,
        content=str(point.payload.get("content", "")),
        score=point.score,
        tokens=tokens,
        occurred_at=point.payload.get("occurred_at"),
        explain=explanation,
    )


def _type_metadata(usage: TypeUsage) -> TypeMetadata:
    # The working section is never redistributed to: its `redistributed` is 0 by construction.
    return TypeMetadata(
        share=usage.share,
        redistributed=usage.redistributed,
        tokens=usage.tokens,
        count=len(usage.selected),
        trimmed=usage.trimmed,
    )
