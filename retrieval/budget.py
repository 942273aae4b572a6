"""Budget packing: per-type shares of an exact token budget, best-first, unused shares flow on.

Pure functions over token costs; the costs were counted with the real tokenizer at write time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..memtypes.errors import FieldProblem, InvalidInput
from ..memtypes.types import MemoryType


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


def normalize_allocation(
    types: Sequence[MemoryType], defaults: Mapping[MemoryType, float], override: Mapping[str, float] | None
) -> dict[MemoryType, float]:
    """Budget weights of the requested types, summing to 1. An override names some or all types."""
    weights = {t: defaults[t] for t in types}
    if override:
        problems = []
        for name, value in override.items():
            try:
                memory_type = MemoryType(name)
            except ValueError:
                problems.append(FieldProblem(f"allocation.{name}", "not a memory type"))
                continue
            if memory_type not in weights:
                problems.append(FieldProblem(f"allocation.{name}", "type is not among the requested types"))
            elif not 0.0 <= value <= 1.0:
                problems.append(FieldProblem(f"allocation.{name}", "must be between 0 and 1"))
            else:
                weights[memory_type] = value
        if problems:
            raise InvalidInput("invalid allocation", problems=problems)
    total = sum(weights.values())
    if total <= 0:
        # Every weight zero (e.g. only `working` requested): share the budget equally.
        return {t: 1.0 / len(types) for t in types}
    return {t: w / total for t, w in weights.items()}


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


def split_budget(budget: int, weights: Mapping[MemoryType, float]) -> dict[MemoryType, int]:
    """Whole-token shares; what rounding leaves over goes to the redistribution pool."""
    return {t: int(budget * w) for t, w in weights.items()}


def pack(
    candidates: Mapping[MemoryType, Sequence[Candidate]],
    shares: Mapping[MemoryType, int],
    header_tokens: Mapping[MemoryType, int],
    budget: int,
    group_tokens: Mapping[str, int] | None = None,
) -> Packing:
    """Take candidates best-first within each type's share, then spend what is left globally.

    A type's section header is paid for with its first item, a group's header (`group_tokens`) with
    the group's first item. An item that does not fit is skipped, not cut, and counted as trimmed;
    smaller items after it may still fit.
    """
    usage = {t: TypeUsage(share=shares.get(t, 0)) for t in candidates}
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
    return usage
