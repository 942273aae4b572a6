"""Choose the confidence's detail ceiling (retrieval/ranking/confidence.py, `detail_ceiling` in
confidence.json) with leave-one-store-out folds over `mnemo bench quality` runs, each of one store
with its unanswerable questions beside its answerable ones:

    python -m mnemo.benchmarks.quality.detail_ceiling RUN_DIR [RUN_DIR ...]

A ceiling is a log-odds `intercept + Σ w · f` over the request's detail features (whether the best
hits hold the kind of value asked, and how much of what is asked they hold) that no hit of the
request exceeds. Only ceilings that never fall under the default floor are admissible, so the
ceiling never takes a memory out of a default context: it says that the memory is unlikely to
answer, it does not hide it; and only those that leave an answer holding all that is asked free
to be confident (`ANSWERED`). Of those, each fold takes the one with the best mean AUROC of the top
confidence (answerable against unanswerable) over the other stores, and is judged on its own; the
shipped ceiling is the one the same rule takes over every store.

The rows carry what the service read (`features`, `relevant_features`), so a candidate's
confidences are recomputed from them with the shipped logistic model, its own ceiling in place of
the shipped one; the window confidence of reminders due when asked (stages/respond.py) is kept.
"""

from __future__ import annotations

import itertools
import json
import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mnemo.lab import DEFAULT_MIN_CONFIDENCE, Calibration, shipped_calibration

from .confidence import auroc

INTERCEPTS = (5.0, 6.0, 7.0, 8.0, 9.0, 10.0)
MISSING_WEIGHTS = (0.0, -0.5, -1.0, -1.5, -2.0)
GAP_WEIGHTS = (-8.0, -9.0, -10.0, -11.0, -12.0, -13.0, -14.0, -15.0)
# Where the best hits hold all that is asked, the ceiling lets a memory be at least this confident:
# it bounds the memories about the right names without the asked detail, not the answers.
ANSWERED = 0.99
BUDGET = "1024"

Ceiling = dict[str, float]


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z > -500 else 0.0


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def candidates() -> list[Ceiling]:
    return [
        {"intercept": a, "detail_missing": m, "detail_gap": g}
        for a, m, g in itertools.product(INTERCEPTS, MISSING_WEIGHTS, GAP_WEIGHTS)
    ]


def lowest(ceiling: Mapping[str, float]) -> float:
    """The ceiling's lowest log-odds over its features' range (each 0 to 1)."""
    return ceiling.get("intercept", 0.0) + sum(min(0.0, w) for k, w in ceiling.items() if k != "intercept")


def admissible(ceiling: Mapping[str, float], floor: float = DEFAULT_MIN_CONFIDENCE) -> bool:
    """Never under the default floor, and never under `ANSWERED` where nothing asked is missing."""
    return lowest(ceiling) >= _logit(floor) and ceiling.get("intercept", 0.0) >= _logit(ANSWERED)


def _with(model: Calibration, ceiling: Mapping[str, float]) -> Calibration:
    return Calibration(model.coefficients, model.intercept, model.floor, model.ceiling, model.about, ceiling)


def _confidences(row: Mapping[str, Any], model: Calibration, plain: Calibration) -> list[float]:
    """The row's top confidences under `model`, a reminder's window confidence kept (a recorded
    confidence above what the logistic model alone, `plain`, gives its features: a ceiling only
    lowers it)."""
    out = []
    for features, recorded in zip(row["features"]["mnemo"], row["confidence"]["mnemo"], strict=True):
        p = model.probability(features)
        out.append(max(p, recorded) if recorded > plain.probability(features) + 1e-3 else p)
    return out


def judge(rows: Sequence[Mapping[str, Any]], model: Calibration, floor: float) -> dict[str, Any]:
    """AUROC of the top confidence; of the answerable questions, the share of the relevant memories
    the default-floor context at `BUDGET` packed that still clear the floor; of the unanswerable
    ones, the share whose top `len(features)` hits hold at most one memory clearing it."""
    plain = _with(model, {})
    tops: list[tuple[bool, float]] = []
    kept: list[float] = []
    empty: list[bool] = []
    for row in rows:
        confidences = _confidences(row, model, plain)
        answerable = bool(row["relevant_ids"])
        tops.append((answerable, max(confidences, default=0.0)))
        if not answerable:
            empty.append(sum(c >= floor for c in confidences) <= 1)
            continue
        packed = set(row["packed"]["mnemo"][BUDGET]["ids"])
        relevant = [i for i in row["relevant_ids"] if i in packed]
        features = row["relevant_features"]
        kept.append(
            sum(i not in features or model.probability(features[i]) >= floor for i in relevant)
            / len(row["relevant_ids"])
        )
    return {
        "auroc": auroc([{"relevant_ids": [1] if a else [], "top_confidence": {"mnemo": t}} for a, t in tops]),
        "budget_recall": sum(kept) / len(kept) if kept else None,
        "unanswerable_empty": sum(empty) / len(empty) if empty else None,
    }


def choose(
    stores: Mapping[str, Sequence[Mapping[str, Any]]], floor: float = DEFAULT_MIN_CONFIDENCE
) -> dict[str, Any]:
    """The held-out judgement of each store, by the ceiling chosen on the others, and the ceiling
    chosen on all of them."""
    shipped = shipped_calibration()
    grid = [c for c in candidates() if admissible(c, floor)]
    scores = {
        i: {name: judge(rows, _with(shipped, c), floor) for name, rows in stores.items()}
        for i, c in enumerate(grid)
    }

    def best(names: Sequence[str]) -> int:
        return max(scores, key=lambda i: sum(scores[i][n]["auroc"] or 0.0 for n in names) / len(names))

    folds = {}
    for held in stores:
        i = best([n for n in stores if n != held])
        folds[held] = {"ceiling": grid[i], **scores[i][held]}
    chosen = best(list(stores))
    return {"floor": floor, "folds": folds, "ceiling": grid[chosen], "in_sample": scores[chosen]}


def read_run(folder: Path) -> list[dict[str, Any]]:
    with (folder / "per_query.jsonl").open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def main(argv: Sequence[str]) -> None:
    stores = {Path(a).name: read_run(Path(a)) for a in argv}
    print(json.dumps(choose(stores), indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
