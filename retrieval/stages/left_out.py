"""What a retrieval left out, and why (`explain: true`): every candidate the query found that is not
in the context, with its score, its line's cost and the reason in words and numbers.

- over_budget: what was left of the budget when its turn came was too small for it (a smaller,
  lower-scored memory may still have fit after it; a bigger budget would take it);
- type_share: its type's share of the budget was used up while a lower-scored memory of another type
  was packed within that type's own share, room the split of the budget kept for it (a bigger
  allocation for its type would favour it);
- duplicate: its words repeat a better hit's (stages.rank), which stands for both;
- below_floor: it scored under the request's `min_score`, or its confidence under `min_confidence`.

Pure: read from what the stages already decided; nothing is searched or counted again but the lines
of dropped duplicates (priced once, as every line is).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from ...memtypes.requests import LeftOutMemory, LeftOutReason
from ...memtypes.types import SCRATCHPAD_TYPE, MemoryType
from ...sessions.working import WorkingItem
from .pack import Candidate, LinePrices, Packing, Points, TypeUsage
from .rank import Duplicate

MAX_LEFT_OUT = 100  # the best-scored ones; a deep search leaves hundreds out


def left_out(
    packing: Packing,
    chosen: Sequence[Candidate],
    points: Points,
    below_floor: Sequence[tuple[Candidate, str]],
    duplicates: Mapping[MemoryType, Sequence[Duplicate]],
    prices: LinePrices,
    working: tuple[TypeUsage, Mapping[str, tuple[WorkingItem, str]]] | None = None,
) -> list[LeftOutMemory]:
    """The candidates not in the context, best-scored first, at most `MAX_LEFT_OUT`. `below_floor`:
    the candidates a floor took out, each with the words saying which floor."""
    out: list[LeftOutMemory] = []
    free = packing.budget - packing.tokens
    in_share = {key for usage in packing.usage.values() for key in usage.in_share}
    held = [c for c in chosen if c.key in in_share]  # packed within their own type's share
    for usage in packing.usage.values():
        for c in usage.left:
            out.append(_trimmed(c, usage, held, points, free, packing.budget))
    for c, detail in below_floor:
        out.append(_memory(c, points, LeftOutReason.BELOW_FLOOR, detail))
    out += _duplicates(duplicates, points.keys(), prices)
    if working is not None:
        usage, lines = working
        spare = usage.share - usage.tokens
        for c in usage.left:
            item, _ = lines[c.key]
            detail = (
                f"its line needs {c.tokens} tokens; {spare} of the {usage.share}-token working budget "
                "were left"
            )
            out.append(
                LeftOutMemory(
                    id=item.id,
                    type=SCRATCHPAD_TYPE,
                    content=item.content,
                    score=1.0,  # working memory is kept whole and in order, not ranked
                    tokens=c.tokens,
                    reason=LeftOutReason.OVER_BUDGET,
                    detail=detail,
                )
            )
    out.sort(key=lambda m: -m.score)
    return out[:MAX_LEFT_OUT]


def _trimmed(
    c: Candidate, usage: TypeUsage, held: Sequence[Candidate], points: Points, free: int, budget: int
) -> LeftOutMemory:
    lower = [s for s in held if s.memory_type != c.memory_type and s.score < c.score]
    if lower:
        other = min(lower, key=lambda s: s.score)
        detail = (
            f"the {c.memory_type.value} share ({usage.share} tokens, {usage.redistributed} more "
            f"redistributed) was used up, while a {other.memory_type.value} memory scoring "
            f"{other.score:.3f} was packed within its own share; its line needs {c.tokens} tokens"
        )
        return _memory(c, points, LeftOutReason.TYPE_SHARE, detail)
    detail = (
        f"its line needs {c.tokens} tokens (more with its section's header): too many for what was left "
        f"when its turn came; {free} of the {budget}-token budget are unused"
    )
    return _memory(c, points, LeftOutReason.OVER_BUDGET, detail)


def _memory(c: Candidate, points: Points, reason: LeftOutReason, detail: str) -> LeftOutMemory:
    _, point, _ = points[c.key]
    return LeftOutMemory(
        id=point.id,
        type=c.memory_type,
        content=str(point.payload.get("content", "")),
        score=c.score,
        tokens=c.tokens,
        reason=reason,
        detail=detail,
    )


def _duplicates(
    duplicates: Mapping[MemoryType, Sequence[Duplicate]], candidates: Collection[str], prices: LinePrices
) -> list[LeftOutMemory]:
    out = []
    for memory_type, dropped in duplicates.items():
        for d in dropped:
            if d.point.id in candidates:  # offered again (a neighbour of a turn): packed or left as such
                continue
            _, tokens, _ = prices.line(memory_type, d.point)
            out.append(
                LeftOutMemory(
                    id=d.point.id,
                    type=memory_type,
                    content=str(d.point.payload.get("content", "")),
                    score=d.point.score,
                    tokens=tokens,
                    reason=LeftOutReason.DUPLICATE,
                    detail=f"{d.overlap:.0%} of its words repeat a better {memory_type.value} hit's",
                    duplicate_of=d.of,
                    overlap=round(d.overlap, 4),
                )
            )
    return out
