"""Post-engine stages: what changes hits' scores in Python after the engine ranked them, under one
contract. The engine's own score is the registered ranking terms' sum (ranking/terms/); a score
change that needs more than one point's payload (a newer statement over an older one, a turn's
neighbours, turns spread over sessions) is a `PostStage`: a name, a weight read off the request's
settings (0: the stage does not run), and for each hit it changes an `Adjustment`, its own
explanation, which `explain` (stages/explain.py) and the explorer show without knowing the stage.

A stage runs in one `Phase`: `ROUND` stages on each search round's hits before its trial packing,
`FINAL` stages once after the last round's packing (they may read it). The registry, in the order
stages run, is `POST_STAGES` in retrieval/pipeline.py.
"""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

import numpy as np
import numpy.typing as npt

from ...memtypes.ports import VectorIndex
from ...memtypes.queries import ScoredPoint
from ...memtypes.types import MemoryType
from ..options import RetrievalConfig
from ..ranking.asked.evidence import HEAD
from ..ranking.policy import ScoreComponent
from .pack import Packing
from .plan import ReadPlan

Hits = dict[MemoryType, list[ScoredPoint]]  # each type's hits, best first
# Reads the dense vectors of some hits of a type, by id (those missing are left out).
VectorsOf = Callable[[MemoryType, Sequence[ScoredPoint]], Awaitable[Mapping[str, npt.ArrayLike]]]
SameMeaning = Callable[[str, str], bool]  # whether two hits (older id, newer id) mean the same


def cosines_with(query: Sequence[float], vectors: Mapping[str, npt.ArrayLike]) -> dict[str, float]:
    """The cosine of each of `vectors` (by id) with `query`."""
    unit = np.asarray(query, dtype=np.float32)
    unit /= float(np.linalg.norm(unit)) or 1.0
    cosines: dict[str, float] = {}
    for point_id, vector in vectors.items():
        v = np.asarray(vector)
        # np.linalg.norm's own arithmetic (the same value) without its dispatch.
        cosines[point_id] = float(v @ unit) / (float(np.sqrt(v @ v)) or 1.0)
    return cosines


def same_meaning(vectors: Mapping[str, npt.ArrayLike], min_cosine: float) -> SameMeaning:
    """Whether two hits' vectors have a cosine of at least `min_cosine` (a hit without one: no),
    computed for the pairs asked only."""
    if not vectors:
        return never
    # Each hit is compared with several others: its vector and norm are taken once.
    unit: dict[str, tuple[np.ndarray, float]] = {}

    def with_norm(point_id: str) -> tuple[np.ndarray, float] | None:
        known = unit.get(point_id)
        if known is None:
            a = vectors.get(point_id)
            if a is None:
                return None
            u = np.asarray(a, dtype=np.float32)
            known = unit[point_id] = (u, float(np.linalg.norm(u)))
        return known

    def same(older: str, newer: str) -> bool:
        a, b = with_norm(older), with_norm(newer)
        if a is None or b is None:
            return False
        norms = a[1] * b[1]
        return norms > 0.0 and float(a[0] @ b[0]) >= min_cosine * norms

    return same


def never(older: str, newer: str) -> bool:
    """No two hits mean the same (no vectors were read)."""
    return False


class Phase(Enum):
    ROUND = "round"  # on each search round's hits, before its trial packing
    FINAL = "final"  # once, after the last round's packing


@dataclass(frozen=True)
class Adjustment:
    """One stage's change of one hit's score, as `explain` shows it: its components (name → value,
    weight, contribution). `replaces`: the hit's score is these components' sum (a point the engine
    did not rank, such as a neighbour), not the engine's terms plus them; `detail`: more keys of the
    explanation (what a neighbour sits next to)."""

    components: Mapping[str, ScoreComponent]
    replaces: bool = False
    detail: Mapping[str, Any] = field(default_factory=dict)


def raise_to(hits: Hits, floors: Mapping[str, float]) -> dict[str, float]:
    """Each hit in `floors` raised to its floor where that is above its score (in place, each type's
    list best first again); each raised hit's lift, by id."""
    lifts: dict[str, float] = {}
    if not floors:
        return lifts
    for memory_type, found in hits.items():
        if not any(h.id in floors for h in found):
            continue
        raised = []
        for h in found:
            if h.id in floors and floors[h.id] > h.score:
                lifts[h.id] = floors[h.id] - h.score
                h = replace(h, score=floors[h.id])
            raised.append(h)
        hits[memory_type] = sorted(raised, key=lambda h: -h.score)
    return lifts


def lift(name: str, amount: float) -> Adjustment:
    """A stage's plain change of a score by `amount`: one component, `name`."""
    return Adjustment({name: ScoreComponent(1.0, amount, amount)})


@dataclass(frozen=True)
class StageInputs:
    """What a post-engine stage may read besides the hits."""

    plan: ReadPlan
    config: RetrievalConfig
    index: VectorIndex
    vectors: VectorsOf  # cached reads of hits' dense vectors
    packing: Packing | None = None  # FINAL stages: the last round's trial packing
    query_vector: Sequence[float] | None = None  # the dense query searched with (None: sparse only)


async def head_cosines(
    inputs: StageInputs, hits: Hits, query_vector: Sequence[float]
) -> tuple[list[tuple[MemoryType, ScoredPoint]], dict[str, float]]:
    """The best hits over every type (`HEAD`, best first), each with its type, and each one's cosine
    with `query_vector`; their vectors come through the cached reads, which the confidence reads too."""
    ranked = ((t, h) for t, found in hits.items() for h in found)
    best = heapq.nlargest(HEAD, ranked, key=lambda th: th[1].score)
    by_type: dict[MemoryType, list[ScoredPoint]] = {}
    for memory_type, hit in best:
        by_type.setdefault(memory_type, []).append(hit)
    read = await asyncio.gather(*(inputs.vectors(t, found) for t, found in by_type.items()))
    cosines: dict[str, float] = {}
    for found_vectors in read:
        cosines.update(cosines_with(query_vector, found_vectors))
    return best, cosines


class PostStage:
    """One post-engine stage. Subclasses set `name` (its component in `explain`) and `phase`, and
    define `weight` and `apply`."""

    name: str = ""
    phase: Phase = Phase.FINAL

    def weight(self, plan: ReadPlan, config: RetrievalConfig) -> float:
        """How strongly this stage changes scores for this request; 0: it does not run."""
        raise NotImplementedError

    async def apply(self, inputs: StageInputs, hits: Hits, weight: float) -> Mapping[str, Adjustment]:
        """Re-score and re-order `hits` in place (each type's list best first again); answers each
        changed hit's adjustment, by id."""
        raise NotImplementedError


class Adjustments:
    """What the post-engine stages changed, per hit in the order they ran (`explain` reads it)."""

    def __init__(self) -> None:
        self._by_id: dict[str, list[Adjustment]] = {}

    def record(self, changes: Mapping[str, Adjustment]) -> None:
        for point_id, adjustment in changes.items():
            self._by_id.setdefault(point_id, []).append(adjustment)

    def of(self, point_id: str) -> Sequence[Adjustment]:
        return self._by_id.get(point_id, ())


async def run_stages(
    stages: Sequence[PostStage], phase: Phase, inputs: StageInputs, hits: Hits, ledger: Adjustments
) -> None:
    """Run the registered stages of `phase` in order on `hits`, recording each change in `ledger`."""
    for stage in stages:
        if stage.phase is not phase:
            continue
        weight = stage.weight(inputs.plan, inputs.config)
        if weight:
            ledger.record(await stage.apply(inputs, hits, weight))
