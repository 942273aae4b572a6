"""A small, backend-neutral ranking-formula tree.

The ranking policy builds one of these; each vector backend translates it into its engine's own
formula objects so that ranking runs inside Qdrant, and `evaluate` computes the same value in
Python to explain a hit's score. One tree, two renderings: the explanation cannot drift from the
ranking (a shared backend test keeps them equal).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SCORE = "$score"  # the score of the prefetch stage (of the first one, when there are several)


def prefetch_score(i: int) -> str:
    """The score of the i-th of several prefetches (0 where a point is not among its results)."""
    return f"$score[{i}]"


@dataclass(frozen=True)
class Const:
    value: float


@dataclass(frozen=True)
class Var:
    """A numeric payload field (or `$score`); `default` stands in where a point lacks the field."""

    name: str
    default: float = 0.0


@dataclass(frozen=True)
class Sum:
    terms: tuple[Expr, ...]


@dataclass(frozen=True)
class Mult:
    factors: tuple[Expr, ...]


@dataclass(frozen=True)
class Div:
    left: Expr
    right: Expr
    by_zero_default: float = 0.0


@dataclass(frozen=True)
class Decay:
    """A decay of `x` away from `target`: 1 there, `midpoint` at one `scale` from it. Only its two
    kinds below are formula nodes; they take the same parameters, as Qdrant's decays do."""

    x: Expr
    target: Expr
    scale: float
    midpoint: float = 0.5


@dataclass(frozen=True)
class ExpDecay(Decay):
    """midpoint ** (|x - target| / scale)."""


@dataclass(frozen=True)
class GaussDecay(Decay):
    """midpoint ** ((x - target)² / scale²)."""


@dataclass(frozen=True)
class FieldEquals:
    key: str
    value: str | bool | int


@dataclass(frozen=True)
class FieldRange:
    key: str
    lt: float | None = None
    gte: float | None = None


@dataclass(frozen=True)
class FieldIn:
    """The keyword field equals one of `values` (an array field: any of its elements does)."""

    key: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Missing:
    """The point has no value for the field (absent, null or an empty list)."""

    key: str


@dataclass(frozen=True)
class Excludes:
    """Holds unless every one of `conditions` holds (Qdrant's `must_not` of their conjunction)."""

    conditions: tuple[Condition, ...]


Condition = FieldEquals | FieldRange | FieldIn | Missing | Excludes


@dataclass(frozen=True)
class AllOf:
    """1.0 when every condition holds on the point's payload, else 0.0."""

    conditions: tuple[Condition, ...]


Expr = Const | Var | Sum | Mult | Div | ExpDecay | GaussDecay | AllOf


def variable_defaults(expr: Expr) -> dict[str, float]:
    """Every payload variable of the tree with its default (what Qdrant's `defaults` takes)."""
    out: dict[str, float] = {}
    stack: list[Expr] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Var):
            if node.name != SCORE:  # `$score[i]` defaults too: a point one prefetch did not find
                out[node.name] = node.default
        elif isinstance(node, Sum):
            stack.extend(node.terms)
        elif isinstance(node, Mult):
            stack.extend(node.factors)
        elif isinstance(node, Div):
            stack.extend((node.left, node.right))
        elif isinstance(node, Decay):
            stack.extend((node.x, node.target))
    return out


def _condition_holds(cond: Condition, payload: Mapping[str, Any]) -> bool:
    if isinstance(cond, Excludes):
        return not all(_condition_holds(c, payload) for c in cond.conditions)
    value = payload.get(cond.key)
    if isinstance(cond, Missing):
        return value is None or value == []
    if isinstance(cond, FieldIn):
        stored = value if isinstance(value, list) else [value]
        return any(v in cond.values for v in stored if isinstance(v, str))
    if isinstance(cond, FieldEquals):
        return value is not None and value == cond.value
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    if cond.lt is not None and not value < cond.lt:
        return False
    return not (cond.gte is not None and not value >= cond.gte)


def evaluate(expr: Expr, payload: Mapping[str, Any], score: float | tuple[float, ...]) -> float:
    """The value Qdrant computes for `expr` on a point with this payload and prefetch score(s)."""
    if isinstance(expr, Const):
        return expr.value
    if isinstance(expr, Var):
        scores = score if isinstance(score, tuple) else (score,)
        if expr.name == SCORE:
            return scores[0]
        if expr.name.startswith("$score["):
            i = int(expr.name[len("$score[") : -1])
            return scores[i] if i < len(scores) else expr.default
        value = payload.get(expr.name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        return expr.default
    if isinstance(expr, Sum):
        return math.fsum(evaluate(t, payload, score) for t in expr.terms)
    if isinstance(expr, Mult):
        return math.prod(evaluate(f, payload, score) for f in expr.factors)
    if isinstance(expr, Div):
        right = evaluate(expr.right, payload, score)
        if right == 0:
            return expr.by_zero_default
        return evaluate(expr.left, payload, score) / right
    if isinstance(expr, ExpDecay):
        distance = abs(evaluate(expr.x, payload, score) - evaluate(expr.target, payload, score))
        return float(expr.midpoint ** (distance / expr.scale))
    if isinstance(expr, GaussDecay):
        distance = evaluate(expr.x, payload, score) - evaluate(expr.target, payload, score)
        return float(expr.midpoint ** (distance * distance / (expr.scale * expr.scale)))
    return 1.0 if all(_condition_holds(c, payload) for c in expr.conditions) else 0.0
