"""Calibrated confidence: for each ranked memory a retrieval returns, the estimated probability that
it is relevant to the query.

A score says which memory ranks above which, not how likely one is to answer: an agent could not tell
"nothing relevant is stored" from "here is the answer". The confidence is a logistic model over what
every retrieval has at hand once it is ranked, so it costs no search: the memory's score (relevance
fused with the formula's terms), its lead over the next, the request's best score and its spread,
and the memory's rank (`rank_features`, every candidate); and, where a fit weighs them, what the
words of the best hits say about the query (`evidence.text_features`, the head: how much of the
query a hit contains; the shipped fit does not: benchmarks/README.md, "Calibrated confidence, round
2"). Its coefficients are fitted, with leave-one-out folds, on the dev sets' judged questions (`make
calibrate`, benchmarks/README.md) and shipped beside this module as `confidence.json`;
`Calibration.load(path)` reads another fit.

Pure: the same ranked scores and texts give the same confidences.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .evidence import TEXT_FEATURES

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


RANK_FEATURES: tuple[str, ...] = tuple(_rank_features([1.0], 0))
FEATURES: tuple[str, ...] = RANK_FEATURES + TEXT_FEATURES
# A hit past the head has no text features of its own: the request's are the head's, its coverage
# is counted as none (it ranks below ten others; its confidence is small either way).
_PER_HIT_TEXT = ("coverage",)
NO_TEXT = dict.fromkeys(TEXT_FEATURES, 1.0)  # no words to judge by: the rank features decide


def hit_features(
    scores: Sequence[float], text: Sequence[Mapping[str, float]] | None
) -> list[dict[str, float]]:
    """Every feature of each ranked memory: its rank features, and the text features of the head
    (`text`, best first; None: no text to judge by)."""
    return [{**r, **_text_of(text, rank)} for rank, r in enumerate(rank_features(scores))]


def _text_of(text: Sequence[Mapping[str, float]] | None, rank: int) -> Mapping[str, float]:
    if not text:
        return NO_TEXT
    if rank < len(text):
        return text[rank]
    return {**text[0], **dict.fromkeys(_PER_HIT_TEXT, 0.0)}


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

    def confidences(
        self, scores: Sequence[float], text: Sequence[Mapping[str, float]] | None = None
    ) -> list[float]:
        """The confidence of each ranked memory, from the request's ranked scores (best first) and
        the head's text features (`evidence.text_features`; None: no text to judge by).

        Every rank feature is linear in the scores and the rank, so this is `probability` of each
        memory's `hit_features` without building them: it runs over every candidate of every
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
        words = [self._text_term(_text_of(text, rank)) for rank in range(min(n, len(text or ()) + 1))]
        return [
            self._clipped(
                base
                + words[min(rank, len(words) - 1)]
                + per_score * score
                + per_rank * math.log1p(rank)
                + per_gap * (score - (scores[rank + 1] if rank + 1 < n else score))
            )
            for rank, score in enumerate(scores)
        ]

    @property
    def reads_text(self) -> bool:
        """Whether the model weighs a text feature (else the head's words need not be read)."""
        return any(self.coefficients.get(name) for name in TEXT_FEATURES)

    def _text_term(self, text: Mapping[str, float]) -> float:
        return sum(self.coefficients.get(name, 0.0) * text[name] for name in TEXT_FEATURES)

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
