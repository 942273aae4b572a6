"""Calibrated confidence: for each ranked memory a retrieval returns, the estimated probability that
it is relevant to the query.

A score says which memory ranks above which, not how likely one is to answer: an agent could not tell
"nothing relevant is stored" from "here is the answer". The confidence is a logistic model over what
every retrieval has at hand once it is ranked, so it costs no search: the memory's score (relevance
fused with the formula's terms, on one absolute scale for every query), the best score of the
request, and the memory's rank. Its coefficients are fitted, with leave-one-out folds, on the dev
sets' judged questions (`mnemo bench calibrate`, benchmarks/README.md) and shipped beside this module
as `confidence.json`; `Calibration.load(path)` reads another fit.

Pure: the same ranked scores give the same confidences.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

SHIPPED = Path(__file__).with_name("confidence.json")


SPREAD_RANK = 9  # the best score's lead over the 10th: how far the request's best stands out


def _rank_features(scores: Sequence[float], rank: int) -> dict[str, float]:
    score, top = scores[rank], scores[0]
    following = scores[rank + 1] if rank + 1 < len(scores) else score
    return {
        "spread": top - scores[min(SPREAD_RANK, len(scores) - 1)],
        "score": score,
        "top_score": top,
        "below_top": top - score,  # how far under the request's best it ranks
        "log_rank": math.log1p(rank),
        "gap_next": score - following,  # how far it stands above the next one
    }


FEATURES: tuple[str, ...] = tuple(_rank_features([1.0], 0))


def rank_features(scores: Sequence[float]) -> list[dict[str, float]]:
    """Each ranked memory's features; `scores` are the request's ranked scores, best first."""
    return [_rank_features(scores, rank) for rank in range(len(scores))]


@dataclass(frozen=True)
class Calibration:
    """P(relevant) = sigmoid(intercept + Σ coef · feature), clipped to [floor, ceiling]."""

    coefficients: Mapping[str, float]
    intercept: float
    floor: float = 0.0
    ceiling: float = 1.0
    about: Mapping[str, Any] = field(default_factory=dict)  # how and on what it was fitted

    def __post_init__(self) -> None:
        unknown = set(self.coefficients) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown confidence features: {sorted(unknown)}")
        if not 0.0 <= self.floor <= self.ceiling <= 1.0:
            raise ValueError("confidence bounds must satisfy 0 <= floor <= ceiling <= 1")

    def probability(self, features: Mapping[str, float]) -> float:
        z = self.intercept + sum(w * features[name] for name, w in self.coefficients.items())
        return self._clipped(z)

    def _clipped(self, z: float) -> float:
        p = 1.0 / (1.0 + math.exp(-z)) if z > -500 else 0.0
        return round(min(self.ceiling, max(self.floor, p)), 4)

    def confidences(self, scores: Sequence[float]) -> list[float]:
        """The confidence of each ranked memory, from the request's ranked scores (best first).

        Every feature is linear in the scores and the rank, so this is `probability` of each
        memory's `rank_features` without building them: it runs over every candidate of every
        retrieval (~0.1 ms for 256 instead of ~1 ms)."""
        if not scores:
            return []
        c = self.coefficients.get
        n, top = len(scores), scores[0]
        # The request's own terms (best score, spread, and below_top's share of the best score).
        base = self.intercept + (c("top_score", 0.0) + c("below_top", 0.0)) * top
        base += c("spread", 0.0) * (top - scores[min(SPREAD_RANK, n - 1)])
        per_score = c("score", 0.0) - c("below_top", 0.0)
        per_rank, per_gap = c("log_rank", 0.0), c("gap_next", 0.0)
        return [
            self._clipped(
                base
                + per_score * score
                + per_rank * math.log1p(rank)
                + per_gap * (score - (scores[rank + 1] if rank + 1 < n else score))
            )
            for rank, score in enumerate(scores)
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": "logistic",
            "coefficients": dict(self.coefficients),
            "intercept": self.intercept,
            "floor": self.floor,
            "ceiling": self.ceiling,
            "about": dict(self.about),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calibration:
        if data.get("model") != "logistic":
            raise ValueError(f"unknown confidence model: {data.get('model')!r}")
        return cls(
            {str(k): float(v) for k, v in data["coefficients"].items()},
            float(data["intercept"]),
            float(data.get("floor", 0.0)),
            float(data.get("ceiling", 1.0)),
            dict(data.get("about", {})),
        )

    @classmethod
    def load(cls, path: Path) -> Calibration:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def shipped_calibration() -> Calibration:
    """The fit shipped with the package (read once)."""
    return Calibration.load(SHIPPED)
