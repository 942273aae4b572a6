"""The explanation of one retrieved memory (`explain: true`): each ranking term's value, weight and
contribution as the engine scored it; for a neighbour, the turn it was offered beside; and the lift
of a newer statement (stages.rank) or the change of a spread turn (stages.session_spread)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...memtypes.queries import ScoredPoint
from ..ranking.policy import RankingPolicy
from .expand import Neighbour


def explain(
    policy: RankingPolicy,
    point: ScoredPoint,
    relevance: Mapping[str, tuple[float, ...]],
    neighbour: Neighbour | None,
) -> dict[str, Any]:
    if neighbour is not None:  # not ranked by Qdrant: its turn's score, decayed, plus its own speaker term
        from_turn = point.score - neighbour.speaker
        components = {
            "neighbour": {
                "value": from_turn / neighbour.factor,
                "weight": neighbour.factor,
                "contribution": from_turn,
            }
        }
        if neighbour.speaker:
            components["speaker"] = {
                "value": 1.0,
                "weight": policy.speaker_weight,
                "contribution": neighbour.speaker,
            }
        return {
            "total": point.score,
            "components": components,
            "neighbour_of": neighbour.of,
            "steps": neighbour.steps,
        }
    scores = relevance.get(point.id, (point.score,)) if policy.ranks_in_engine else (point.score,)
    return policy.explain(point.payload, scores).as_dict()


def with_lift(
    explanation: dict[str, Any], lift: float | None, name: str = "newer_statement"
) -> dict[str, Any]:
    """An explanation whose total is the lifted score: the lift is one more component, `name`
    (a newer statement's, stages.rank; or `session_spread`, stages.session_spread)."""
    if lift is None:
        return explanation
    components = {
        **explanation.get("components", {}),
        name: {"value": 1.0, "weight": lift, "contribution": lift},
    }
    return {**explanation, "components": components, "total": explanation.get("total", 0.0) + lift}
