"""The explanation of one retrieved memory (`explain: true`): each ranking term's value, weight and
contribution as the engine scored it, then each post-engine stage's adjustment (stages/post.py) in
the order the stages ran, each under its own name. Nothing here knows a term or a stage: a new one is
explained by what it registers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ...memtypes.queries import ScoredPoint
from ..ranking.policy import RankingPolicy
from .post import Adjustment


def explain(
    policy: RankingPolicy,
    point: ScoredPoint,
    relevance: Mapping[str, tuple[float, ...]],
    adjustments: Sequence[Adjustment] = (),
) -> dict[str, Any]:
    """The engine's terms on `point` (unless a stage's adjustment replaced its score: then that
    adjustment's own components), plus every later adjustment; the total is their sum."""
    replaced = [i for i, a in enumerate(adjustments) if a.replaces]
    if replaced:
        start = adjustments[replaced[-1]]
        explanation: dict[str, Any] = {"total": 0.0, "components": {}, **start.detail}
        later = adjustments[replaced[-1] :]
    else:
        scores = relevance.get(point.id, (point.score,)) if policy.ranks_in_engine else (point.score,)
        explanation = policy.explain(point.payload, scores).as_dict()
        later = adjustments
    components = explanation["components"]
    for adjustment in later:
        for name, c in adjustment.components.items():
            components[name] = {"value": c.value, "weight": c.weight, "contribution": c.contribution}
            explanation["total"] += c.contribution
    return explanation
