"""Calibrated confidence: for each ranked memory a retrieval returns, the estimated probability that
it is relevant to the query — the same probability in a store of one memory and of a million.

A score says which memory ranks above which, not how likely one is to answer, and what it is made
of (BM25's statistics, the lead over the rest) changes with what else is stored. So the confidence
is a logistic model of signals that mean the same whatever else is stored: the dense cosine of the
query and the memory, and what the memory's own words say about the query
(`evidence.word_features`: the share of the query's information it contains, weighted by how
informative each word is in the language, and the query's names it mentions); and of relative
signals only where they add information (how far under the request's best it ranks; how many other
candidates also share meaning with the query, so that an answer alone or among strangers reads
surer than one among many memories on its topic; in a store of a few candidates, whether it shares
nothing with the query). The store's size is offered to a fit as
well (`found` and the small-store interactions): it calibrates each size better, but the shipped fit
leaves it out, so that the same answer keeps its confidence whatever else is stored
(benchmarks/README.md). Its
coefficients are fitted on scopes of every size cut from the dev and train haystacks, judged with
folds (`make calibrate`, benchmarks/README.md) and shipped beside this module as `confidence.json`;
`Calibration.load(path)` reads another fit.

The logistic model reads meaning and shared words, not whether the asked detail is there: a memory
about the right person reads as sure as the one holding her phone number. So the confidence is also
bounded by a detail ceiling (`asked/asked_detail.py`, `Calibration.detail_ceiling`): where none of the best
hits naming the question's names holds a value of the kind asked and the rest of what is asked, no
hit is more confident than the ceiling, which never falls under the default floor (a memory stays in
a default context: it is unlikely, not absent). Chosen apart from the logistic fit, with folds across
stores of one person's memory (`python -m mnemo.benchmarks.quality.detail_ceiling`); a refit keeps it.

The `HEAD` best candidates are judged by their own vectors and words; a candidate past them is
judged by the head's weakest signals and its own rank, so that it is never more confident than the
head's last for want of being read.

A knowledge update (a newer statement lifted just over an older one: stages/rank.py,
stages/changed_events.py) orders two versions of one fact and says nothing of how likely either
answers: the older keeps the rank it had, and the related window is the one before the lift (`ranks`).

Pure: the same ranked hits give the same confidences.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .asked.asked_detail import detail_check
from .asked.evidence import HEAD, WORD_FEATURES, ConfidenceFeaturesModel, query_words, word_features

SHIPPED = Path(__file__).with_name("confidence.json")


@dataclass(frozen=True)
class RankedHit:
    """One candidate of a request, in the request's order (best first): its score, its content, the
    cosine of its dense vector with the query's (None: not read), whether it carries a time of its
    own (an event's or a reminder's: a date it holds whatever its words say), whether it is an event
    that happened outside the past time the question asks about (`asked_names.asked_past`), and its
    score before a knowledge update lifted it over an older statement (None: not lifted)."""

    score: float
    content: str
    cosine: float | None
    dated: bool = False
    off_time: bool = False
    lifted_from: float | None = None


def ranks(hits: Sequence[RankedHit]) -> list[int]:
    """Each hit's rank as the confidence reads it: its place, but for the newer statements lifted
    over it. A lift orders two versions of one fact; it says nothing of how likely the older is to
    answer, so the older keeps the rank it had (and the newer one takes its own place)."""
    found = list(range(len(hits)))
    for j, lifted in enumerate(hits):
        if lifted.lifted_from is None:
            continue
        for i in range(j + 1, len(hits)):
            if hits[i].score <= lifted.lifted_from:
                break  # best first: the rest were below it before its lift too
            found[i] -= 1
    return found


ABSOLUTE_FEATURES: tuple[str, ...] = ("cosine", *WORD_FEATURES)
RANK_FEATURES: tuple[str, ...] = ("below_top", "log_rank", "found")
# Candidates past which their number says nothing more: any store larger than this yields as many
# (the lists are sized to at least this many), so it tells a store of a few memories from the rest.
FEW = 16
# In a store of a few memories, the ones that do not answer are whatever else is stored, not the
# closest of thousands: the same cosine and words say more there, and sharing no informative word
# with the query says most. These let the fit weigh them so.
SMALL_STORE_FEATURES: tuple[str, ...] = ("cosine_small", "overlap_small", "unmatched_small", "far_small")
FAR = 0.2  # a cosine below this shares little meaning with the query (all-MiniLM-L6-v2)
# How many of the other best candidates also share meaning with the query (a cosine of at least
# `FAR`): the answer alone in a store, or among strangers, has no rivals; the same words among many
# memories on their topic are one of them. Unrelated memories added to a store do not count.
CROWD_FEATURES: tuple[str, ...] = ("related",)
RELATED_WINDOW = 20  # the best candidates counted
# Whether the best hits hold what the question asks (asked/asked_detail.py): the same for every hit of a
# request. They set the detail ceiling (`Calibration.detail_ceiling`), not the logistic model's sum.
DETAIL_FEATURES: tuple[str, ...] = ("detail_checked", "detail_missing", "detail_gap", "detail_kind_asked")
# A detail gap this large: no best hit naming the question's names holds any of its other asked words.
NOTHING_ASKED_HELD = 1.0
FEATURES: tuple[str, ...] = (
    ABSOLUTE_FEATURES + RANK_FEATURES + CROWD_FEATURES + SMALL_STORE_FEATURES + DETAIL_FEATURES
)


def with_small_store(features: Mapping[str, float]) -> dict[str, float]:
    """`features` with those derived from them for a small store (`SMALL_STORE_FEATURES`)."""
    small = 1.0 - features["found"]
    return {
        **features,
        "cosine_small": features["cosine"] * small,
        "overlap_small": features["overlap"] * small,
        "unmatched_small": small if features["overlap"] == 0.0 else 0.0,
        "far_small": max(0.0, FAR - features["cosine"]) * small,
    }


def _absolute(
    query: str, hits: Sequence[RankedHit], model: ConfidenceFeaturesModel
) -> tuple[list[dict[str, float]], dict[str, float]]:
    """The absolute features of the head (its first `HEAD` hits) with each one's `related` and the
    request's detail check, and the weakest of each: those of a hit past the head, and the cosine of
    a hit whose vector was not read."""
    words = query_words(query)
    head: list[dict[str, float]] = []
    for hit in hits[:HEAD]:
        features = word_features(words, hit.content, model)
        features["cosine"] = hit.cosine if hit.cosine is not None else math.nan
        head.append(features)
    known = [f["cosine"] for f in head if not math.isnan(f["cosine"])]
    weakest = {name: min(f[name] for f in head) for name in WORD_FEATURES}
    weakest["cosine"] = min(known, default=0.0)
    for f in head:
        if math.isnan(f["cosine"]):
            f["cosine"] = weakest["cosine"]
    # The window as it was before any knowledge update lifted a newer statement into it (`ranks`).
    window = set(sorted(range(len(head)), key=lambda i: -_before_lift(hits[i]))[:RELATED_WINDOW])
    related = sum(head[i]["cosine"] >= FAR for i in window)
    for place, f in enumerate(head):
        f["related"] = _related(related - (place in window and f["cosine"] >= FAR))
    weakest["related"] = _related(related)  # a hit past the head is past the window
    best = hits[: model.detail_head]
    check = detail_check(
        query, words, [(h.content, h.dated) for h in best], model, [h.off_time for h in best]
    )
    detail = {
        "detail_checked": check.checked,
        "detail_missing": check.missing,
        "detail_gap": check.gap,
        "detail_kind_asked": check.kind_asked,
    }
    for f in (*head, weakest):
        f.update(detail)
    return head, weakest


def _before_lift(hit: RankedHit) -> float:
    return hit.score if hit.lifted_from is None else hit.lifted_from


def _related(count: int) -> float:
    """`count` other related candidates, on a log scale from 0 (none) to 1 (the whole window)."""
    return math.log1p(count) / math.log1p(RELATED_WINDOW)


def _found(hits: Sequence[RankedHit]) -> float:
    return math.log1p(min(len(hits), FEW)) / math.log1p(FEW)


def hit_features(
    query: str, hits: Sequence[RankedHit], model: ConfidenceFeaturesModel
) -> list[dict[str, float]]:
    """Every feature of each ranked hit (best first), read with the ranking model's thresholds
    `model`. Past `HEAD`, and for a hit without a cosine, the absolute features are the weakest of the
    head's."""
    if not hits:
        return []
    head, weakest = _absolute(query, hits, model)
    top, found = hits[0].score, _found(hits)
    return [
        with_small_store(
            {
                **(head[place] if place < len(head) else weakest),
                "below_top": top - hit.score,
                "log_rank": math.log1p(rank),
                "found": found,
            }
        )
        for place, (hit, rank) in enumerate(zip(hits, ranks(hits), strict=True))
    ]


@dataclass(frozen=True)
class Calibration:
    """P(relevant) = sigmoid(min(intercept + Σ coef · feature, detail ceiling)), clipped to
    [floor, ceiling]. The detail ceiling, `detail_ceiling["intercept"] + Σ detail_ceiling[f] · f` over
    `DETAIL_FEATURES`, bounds every hit of a request whose best hits do not hold what it asks: the
    words and the vector can read a memory about the right person as sure as an answer, and no
    sum of them says the asked value is not there. Empty: no ceiling."""

    coefficients: Mapping[str, float]
    intercept: float
    floor: float = 0.0
    ceiling: float = 1.0
    about: Mapping[str, Any] = field(default_factory=dict)  # how and on what it was fitted
    detail_ceiling: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = set(self.coefficients) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown confidence features: {sorted(unknown)}")
        if set(self.detail_ceiling) - {"intercept", "detail_missing", "detail_gap"}:
            raise ValueError("a detail ceiling weighs only detail_missing, detail_gap and an intercept")
        if not 0.0 <= self.floor <= self.ceiling <= 1.0:
            raise ValueError("confidence bounds must satisfy 0 <= floor <= ceiling <= 1")

    def detail_bound(self, features: Mapping[str, float]) -> float:
        """The log-odds no hit of the request exceeds (infinite without a detail ceiling, or where the
        check did not read the hits)."""
        if not self.detail_ceiling or not features.get("detail_checked", 0.0):
            return math.inf
        return self.detail_ceiling.get("intercept", 0.0) + sum(
            w * features.get(name, 0.0) for name, w in self.detail_ceiling.items() if name != "intercept"
        )

    def probability(self, features: Mapping[str, float], bound: float | None = None) -> float:
        """`bound`: `detail_bound(features)` where the caller knows it (the same for every hit of a
        request)."""
        z = self.intercept + sum(w * features[name] for name, w in self.coefficients.items())
        return self._clipped(min(z, self.detail_bound(features) if bound is None else bound))

    def _clipped(self, z: float) -> float:
        p = 1.0 / (1.0 + math.exp(-z)) if z > -500 else 0.0
        return round(min(self.ceiling, max(self.floor, p)), 4)

    def confidences(
        self, query: str, hits: Sequence[RankedHit], model: ConfidenceFeaturesModel
    ) -> list[float]:
        """The confidence of each ranked hit (best first): `probability` of its `hit_features` (read
        with the ranking model's thresholds `model`), without building them past the head, where only
        the rank features differ (a retrieval has up to hundreds of candidates). Where the best hits
        hold no value of the kind asked (`model.only_best_when_missing`), every hit but the best is at
        the floor (and so where they hold none of its other asked words)."""
        if not hits:
            return []
        head, weakest = _absolute(query, hits, model)
        top, found = hits[0].score, _found(hits)
        bound = self.detail_bound(weakest)  # every hit has the request's detail features
        read_ranks = ranks(hits)
        ranked = (
            {**f, "below_top": top - h.score, "log_rank": math.log1p(r), "found": found}
            for f, h, r in zip(head, hits, read_ranks, strict=False)
        )
        out = [self.probability(with_small_store(features), bound) for features in ranked]
        if len(hits) > len(head):
            c = self.coefficients.get
            rest = with_small_store({**weakest, "below_top": 0.0, "log_rank": 0.0, "found": found})
            base = self.intercept + sum(w * rest[name] for name, w in self.coefficients.items())
            scores = np.fromiter((h.score for h in hits[len(head) :]), dtype=float)
            tail = np.log1p(np.asarray(read_ranks[len(head) :], dtype=float))
            z = base + c("below_top", 0.0) * (top - scores) + c("log_rank", 0.0) * tail
            z = np.minimum(z, bound)
            p = np.where(z > -500, 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500))), 0.0)
            out += [round(float(v), 4) for v in np.clip(p, self.floor, self.ceiling)]
        if model.only_best_when_missing and self._nothing_of_the_kind(weakest):
            out[1:] = [self.floor] * (len(out) - 1)
        return out

    def _nothing_of_the_kind(self, features: Mapping[str, float]) -> bool:
        """Whether the request's best hits hold nothing of what its question asks (a detail ceiling
        set and the check read them): no value of the kind asked, or, of a question asking for a kind
        of value, none of its other asked words in a hit naming its names (a gap of 1: "what's Maya's
        salary?" of memories about Maya whose sums are others'). Then only the best hit keeps a place
        in a default context, so that an unanswerable question's context is near empty, not full of
        near misses. A question asking for no kind ("what's happened in Leeds since the go-live?") is
        answered in other words than its own as often, and keeps its context."""
        if not (self.detail_ceiling and features.get("detail_checked")):
            return False
        gap = features.get("detail_gap", 0.0)
        held_nothing = features.get("detail_kind_asked") and gap >= NOTHING_ASKED_HELD
        return bool(features.get("detail_missing") or held_nothing)

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": "logistic",
            "coefficients": dict(self.coefficients),
            "intercept": self.intercept,
            "floor": self.floor,
            "ceiling": self.ceiling,
            "about": dict(self.about),
            **({"detail_ceiling": dict(self.detail_ceiling)} if self.detail_ceiling else {}),
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
            {str(k): float(v) for k, v in data.get("detail_ceiling", {}).items()},
        )

    @classmethod
    def load(cls, path: Path) -> Calibration:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def shipped_calibration() -> Calibration:
    """The fit shipped with the package (read once)."""
    return Calibration.load(SHIPPED)
