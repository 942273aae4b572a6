"""`mnemo bench calibrate`: fit the confidence model (retrieval/ranking/confidence.py) on judged
questions, and say how well it holds on questions it was not fitted on.

Input: the `per_query.jsonl` of `mnemo bench quality` runs (each ranked memory's features, in order),
each with the unit its questions are held out by (`scope`: each conversation; `category`: each
question type; `query`: each question). The model is a logistic regression of "relevant?" on the
confidence features of each question's top `TOP` hits; every question weighs the same
(`files_equal`: every input file does, whatever its number of questions: a small file of
unanswerable questions then pulls every confidence down). Leave-one-out: each unit of each file
is predicted by the model fitted on all the others, and those predictions are judged (ECE,
abstention) per file and overall. The shipped model is then fitted on everything.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ...retrieval.ranking.confidence import Calibration, hit_features
from .confidence import TOP, abstention, calibration

# Chosen with the folds (benchmarks/README.md, "Calibrated confidence"): the rank features
# that say how far a hit stands out. The text features (`coverage`, ...) did no better on the dev
# sets; `--features` adds them.
DEFAULT_FEATURES = ("score", "below_top", "log_rank", "gap_next", "spread")
RIDGE = 1e-3  # keeps the fit finite where a feature separates the labels of a small set


@dataclass(frozen=True)
class Source:
    name: str
    rows: list[dict[str, Any]]
    fold_by: str  # "scope" | "category" | "query"

    def unit(self, row: Mapping[str, Any]) -> str:
        if self.fold_by == "scope":
            return f"{self.name}/" + ",".join(f"{k}={v}" for k, v in sorted(row.get("scope", {}).items()))
        return f"{self.name}/{row['id' if self.fold_by == 'query' else 'category']}"


FOLDS = ("scope", "category", "query")


def read_source(spec: str) -> Source:
    """`NAME=PATH[:scope|:category|:query]` (default: category; query: each question alone, for a
    set of one category)."""
    name, _, rest = spec.partition("=")
    path, _, fold_by = (
        rest.rpartition(":") if rest.endswith(tuple(f":{f}" for f in FOLDS)) else (rest, "", "")
    )
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    return Source(name, rows, fold_by or "category")


def _examples(
    source: Source, features: Sequence[str]
) -> tuple[list[list[float]], list[float], list[str], list[int]]:
    """Each top hit's features and label, its unit and its row's index."""
    xs, ys, units, rows = [], [], [], []
    for index, row in enumerate(source.rows):
        relevant = set(row["relevant_ids"])
        ranked = row["ranked"]["mnemo"][:TOP]
        for rank, f in enumerate(row_features(row)[: len(ranked)]):
            xs.append([f[name] for name in features])
            ys.append(1.0 if ranked[rank] in relevant else 0.0)
            units.append(source.unit(row))
            rows.append(index)
    return xs, ys, units, rows


def row_features(row: Mapping[str, Any]) -> list[dict[str, float]]:
    """Each ranked memory's features as the service read them (`mnemo bench quality` records them);
    a row from before the text features has its rank features only."""
    if "features" in row:
        return list(row["features"]["mnemo"])
    return hit_features(row["scores"]["mnemo"], None)


def fit_logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, ridge: float = RIDGE) -> np.ndarray:
    """Weighted logistic regression by Newton's method; answers [intercept, coefficients...].

    Fitted on standardized features, so that the ridge weighs every feature alike whatever its
    range (a score varies by tenths, a coverage from 0 to 1), then mapped back to the raw ones."""
    mean, std = x.mean(axis=0), x.std(axis=0)
    std[std == 0] = 1.0
    beta = _newton((x - mean) / std, y, w, ridge)
    coefficients = beta[1:] / std
    return np.concatenate([[beta[0] - float(coefficients @ mean)], coefficients])


def _newton(x: np.ndarray, y: np.ndarray, w: np.ndarray, ridge: float) -> np.ndarray:
    design = np.hstack([np.ones((len(x), 1)), x])
    beta = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], ridge * w.sum())
    penalty[0] = 0.0
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ beta, -50, 50)))
        gradient = design.T @ (w * (y - p)) - penalty * beta
        hessian = (design * (w * p * (1 - p))[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.max(np.abs(step)) < 1e-9:
            break
    return beta


def _calibration(beta: np.ndarray, features: Sequence[str], about: Mapping[str, Any]) -> Calibration:
    coefficients = {name: round(float(b), 6) for name, b in zip(features, beta[1:], strict=True)}
    return Calibration(coefficients, round(float(beta[0]), 6), about=dict(about))


def _with_confidence(rows: Sequence[Mapping[str, Any]], model: Calibration) -> list[dict[str, Any]]:
    """The rows as `mnemo bench quality` would write them had `model` been shipped."""
    out = []
    for row in rows:
        confidence = [model.probability(f) for f in row_features(row)]
        out.append(
            {
                **row,
                "confidence": {"mnemo": confidence[: len(row["ranked"]["mnemo"])]},
                "top_confidence": {"mnemo": max(confidence, default=0.0)},
            }
        )
    return out


def calibrate(
    sources: Sequence[Source], features: Sequence[str] = DEFAULT_FEATURES, files_equal: bool = False
) -> dict[str, Any]:
    """The leave-one-out judgement and the model fitted on everything."""
    data = [_examples(s, features) for s in sources]
    x = np.asarray([v for d in data for v in d[0]], dtype=float)
    y = np.asarray([v for d in data for v in d[1]], dtype=float)
    units = [u for d in data for u in d[2]]
    w = np.ones(len(x))
    if files_equal:  # every file weighs the same in total, whatever its number of questions
        w = np.concatenate([np.full(len(d[1]), 1.0 / max(1, len(d[1]))) for d in data]) * len(x)

    held_out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for unit in sorted(set(units)):
        mask = np.asarray([u != unit for u in units])
        model = _calibration(fit_logistic(x[mask], y[mask], w[mask]), features, {})
        for source in sources:
            rows = [r for r in source.rows if source.unit(r) == unit]
            held_out[source.name] += _with_confidence(rows, model)

    def judged(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        from .confidence import judged_hits

        return {"calibration": calibration(judged_hits(rows)), "abstention": abstention(rows)}

    everything = [r for rows in held_out.values() for r in rows]
    loo = {name: judged(rows) for name, rows in held_out.items()} | {"all": judged(everything)}
    about = {
        "fitted_on": {s.name: len(s.rows) for s in sources},
        "held_out_by": {s.name: s.fold_by for s in sources},
        "top_hits": TOP,
        "weights": "files equal" if files_equal else "questions equal",
        "leave_one_out_ece": {name: round(v["calibration"]["ece"], 4) for name, v in loo.items()},
        "command": "make calibrate (benchmarks/README.md, Calibrated confidence)",
    }
    final = _calibration(fit_logistic(x, y, w), features, about)
    in_sample = {s.name: judged(_with_confidence(s.rows, final)) for s in sources}
    return {
        "model": final.as_dict(),
        "leave_one_out": loo,
        "in_sample": in_sample,
        "units": sorted(set(units)),
    }


def write_calibration_outputs(result: Mapping[str, Any], out: Path, model_out: Path | None) -> None:
    from ..report import table, write_json
    from .confidence import reliability_plot

    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "results.json", result)
    if model_out is not None:
        model_out.write_text(json.dumps(result["model"], indent=2) + "\n", encoding="utf-8")

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{value:.1%}"

    rows = []
    for name, judged in result["leave_one_out"].items():
        cal, abst = judged["calibration"], judged["abstention"]
        rows.append(
            [
                name,
                cal["hits"],
                round(cal["ece"], 4),
                pct(abst["abstained"]),
                pct(abst["answerable_kept"]),
                pct(abst["answerable_abstained"]),
            ]
        )
        reliability_plot(out / f"reliability-{name}.png", {f"calibration@{TOP}": cal})
    model = result["model"]
    parts = [
        "# mnemo bench calibrate",
        "",
        f"Model: logistic, intercept {model['intercept']}, coefficients {model['coefficients']}; "
        f"fitted on {model['about']['fitted_on']}, held out by {model['about']['held_out_by']}.",
        "",
        f"## Leave-one-out (each unit predicted by the model fitted on the others), top {TOP} hits",
        "",
        table(
            [
                "set",
                "hits",
                "ECE",
                "unanswerable: top < 0.5",
                "answerable: relevant hit ≥ 0.5",
                "answerable: top < 0.5",
            ],
            rows,
        ),
        "",
        "Units: " + ", ".join(result["units"]),
        "",
        *(f"![{name}](reliability-{name}.png)" for name in result["leave_one_out"]),
        "",
    ]
    (out / "summary.md").write_text("\n".join(parts), encoding="utf-8")
