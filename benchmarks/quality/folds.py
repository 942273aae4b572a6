"""Leave-one-out folds and paired tests over per-question metrics: is a difference real, and does a
choice made on some conversations (or question types) hold on the one left out?

Pure functions over `{system: [one metric value per question]}` (the same question order for every
system), so they are tested on small constructed cases and run on any harness output:

- `units`: the fold unit of each question: its conversation (`scope`, LoCoMo: one `user_id` per
  conversation) or its `category` (LongMemEval: the question types).
- `leave_one_out`: for each unit, the system that is best on every *other* unit is chosen and scored
  on the held-out one. Their question-weighted mean is what choosing among these systems is worth
  on data the choice never saw; beside it, each system's held-out mean and its best-on-rest mean.
- `paired`: two systems on the same questions: the mean difference, a paired-bootstrap 95 %
  interval, and the two-sided sign test over the questions where they differ, so that one question
  in 383 is not mistaken for a gain.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..dataset import BenchQuery

FOLD_KEYS = ("scope", "category")


def units(queries: Sequence[BenchQuery], by: str) -> list[str]:
    """The fold unit of each question: `scope` (its conversation) or `category` (its type)."""
    if by == "category":
        return [q.category for q in queries]
    if by == "scope":
        return ["/".join(f"{k}={v}" for k, v in sorted(q.scope.model_dump(exclude_none=True).items())) or "-"
                for q in queries]  # fmt: skip
    raise ValueError(f"fold by {by!r}: expected one of {', '.join(FOLD_KEYS)}")


def _mean(values: Sequence[float]) -> float:
    return float(np.mean(values)) if len(values) else float("nan")


@dataclass(frozen=True)
class Fold:
    held_out: str
    questions: int
    chosen: str  # the system best on the other units
    chosen_score: float  # its score on the held-out unit
    scores: dict[str, float]  # every system on the held-out unit
    rest_scores: dict[str, float]  # every system on the other units


@dataclass(frozen=True)
class LeaveOneOut:
    metric: str
    folds: list[Fold]
    # Question-weighted over all held-out questions: the honest number for "choose, then use".
    chosen_mean: float
    # Per system: its mean over the held-out units (= its overall mean) and the mean, over folds,
    # of its score on the rest: rest minus held-out is how much a unit's number flatters it.
    held_out_means: dict[str, float]
    worst_unit: dict[str, tuple[str, float]]


def leave_one_out(
    values: Mapping[str, Sequence[float]], unit_of: Sequence[str], metric: str = ""
) -> LeaveOneOut:
    systems = list(values)
    if not systems:
        raise ValueError("no systems to compare")
    n = len(unit_of)
    for name, v in values.items():
        if len(v) != n:
            raise ValueError(f"{name}: {len(v)} values for {n} questions")
    arrays = {s: np.asarray(values[s], dtype=float) for s in systems}
    unit_names = sorted(set(unit_of))
    labels = np.asarray(unit_of)
    folds: list[Fold] = []
    chosen_values: list[float] = []
    for unit in unit_names:
        held = labels == unit
        rest = ~held
        scores = {s: float(arrays[s][held].mean()) for s in systems}
        # With a single unit there is no "rest": the choice falls back to the first system.
        rest_scores = {s: float(arrays[s][rest].mean()) if rest.any() else float("nan") for s in systems}
        chosen = max(systems, key=lambda s: (rest_scores[s] if rest.any() else 0.0, -systems.index(s)))
        folds.append(Fold(unit, int(held.sum()), chosen, scores[chosen], scores, rest_scores))
        chosen_values.extend(arrays[chosen][held].tolist())
    worst = {s: min(((f.held_out, f.scores[s]) for f in folds), key=lambda p: p[1]) for s in systems}
    return LeaveOneOut(
        metric,
        folds,
        _mean(chosen_values),
        {s: float(arrays[s].mean()) for s in systems},
        worst,
    )


@dataclass(frozen=True)
class Paired:
    a: str
    b: str
    questions: int
    mean_a: float
    mean_b: float
    diff: float  # mean(a - b)
    low: float  # 95 % paired-bootstrap interval of the difference
    high: float
    wins: int  # questions where a > b
    losses: int
    ties: int
    sign_p: float  # two-sided exact sign test over the non-tied questions

    @property
    def significant(self) -> bool:
        """Both tests agree the difference is not noise (interval off zero and p < 0.05)."""
        return (self.low > 0 or self.high < 0) and self.sign_p < 0.05


def sign_test(wins: int, losses: int) -> float:
    """Two-sided exact binomial test of wins against losses at p = 1/2 (ties left out)."""
    n = wins + losses
    if n == 0:
        return 1.0
    k = min(wins, losses)
    tail: float = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return min(1.0, 2 * tail)


def paired(
    a_name: str,
    a: Sequence[float],
    b_name: str,
    b: Sequence[float],
    resamples: int = 10_000,
    seed: int = 0,
    tolerance: float = 1e-12,
) -> Paired:
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.shape != y.shape or x.ndim != 1 or not len(x):
        raise ValueError("paired test needs two equally long, non-empty lists of per-question values")
    d = x - y
    rng = np.random.default_rng(seed)
    means = d[rng.integers(0, len(d), size=(resamples, len(d)))].mean(axis=1)
    low, high = np.quantile(means, [0.025, 0.975])
    wins, losses = int((d > tolerance).sum()), int((d < -tolerance).sum())
    return Paired(
        a_name,
        b_name,
        len(d),
        float(x.mean()),
        float(y.mean()),
        float(d.mean()),
        float(low),
        float(high),
        wins,
        losses,
        len(d) - wins - losses,
        sign_test(wins, losses),
    )
