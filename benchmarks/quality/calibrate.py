"""`mnemo bench calibrate`: fit the confidence model (retrieval/ranking/confidence.py) on judged
questions, and say how well it holds on questions it was not fitted on.

Input: the `per_query.jsonl` of `mnemo bench quality` runs (each ranked memory's features, in order),
each with the unit its questions are held out by (`scope`: each conversation; `category`: each
question type; `query`: each question; `question`: each question with every scope cut from it,
`mnemo bench scopes`). The model is a logistic regression of "relevant?" on the
confidence features of each question's top `TOP` hits; every question weighs the same
(`files_equal`: every input file does, whatever its number of questions: a small file of
unanswerable questions then pulls every confidence down). Leave-one-out: each unit of each file
is predicted by the model fitted on all the others, and those predictions are judged (ECE,
abstention, AUROC, per store size) per file and overall. The shipped model is then fitted on
everything.

The default confidence floor is chosen on the same held-out confidences: the highest floor that,
on every file named for it (`floor_on`: the dev sets), still keeps `FLOOR_KEEPS` of the relevant
memories each budget packed without a floor (`relevant_features`: every relevant memory the
ranking run found, however deep).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mnemo.lab import Calibration, shipped_calibration, with_small_store

from .confidence import TOP, abstention, auroc, by_size, calibration

# Chosen with the folds across store sizes (benchmarks/README.md, "Confidence in stores of every
# size"): the absolute signals, the rank, how many other candidates share meaning with the query,
# and in a small store only what lowers a hit that shares nothing with the query. The store's size
# as a signal of its own (`found`, `cosine_small`, `overlap_small`) moves the same answer's
# confidence with whatever else is stored, unrelated memories too; `--features` adds them.
DEFAULT_FEATURES = (
    "cosine",
    "overlap",
    "matched",
    "names_found",
    "below_top",
    "log_rank",
    "related",
    "unmatched_small",
    "far_small",
)
RIDGE = 1e-3  # keeps the fit finite where a feature separates the labels of a small set
FLOOR_KEEPS = 0.95  # of the relevant memories a budget packed without a floor
FLOOR_STEP = 0.001


@dataclass(frozen=True)
class Source:
    name: str
    rows: list[dict[str, Any]]
    fold_by: str  # "scope" | "category" | "query"

    def unit(self, row: Mapping[str, Any]) -> str:
        if self.fold_by == "scope":
            return f"{self.name}/" + ",".join(f"{k}={v}" for k, v in sorted(row.get("scope", {}).items()))
        if self.fold_by == "question":
            return f"{self.name}/{str(row['id']).rpartition('@')[0] or row['id']}"
        return f"{self.name}/{row['id' if self.fold_by == 'query' else 'category']}"


FOLDS = ("scope", "category", "query", "question")


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
    """Each ranked memory's features as the service read them (`mnemo bench quality` records them)."""
    return [with_small_store(f) for f in row["features"]["mnemo"]]


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
    # The detail ceiling is chosen apart (benchmarks/quality/detail_ceiling.py): a refit keeps it.
    ceiling = shipped_calibration().detail_ceiling
    return Calibration(coefficients, round(float(beta[0]), 6), about=dict(about), detail_ceiling=ceiling)


def _with_confidence(rows: Sequence[Mapping[str, Any]], model: Calibration) -> list[dict[str, Any]]:
    """The rows as `mnemo bench quality` would write them had `model` been shipped."""
    out = []
    for row in rows:
        confidence = [model.probability(f) for f in row_features(row)]
        relevant = {
            i: model.probability(with_small_store(f)) for i, f in row.get("relevant_features", {}).items()
        }
        out.append(
            {
                **row,
                "confidence": {"mnemo": confidence[: len(row["ranked"]["mnemo"])]},
                "top_confidence": {"mnemo": max(confidence, default=0.0)},
                "relevant_confidence": relevant,
            }
        )
    return out


def floor_keeps(rows: Sequence[Mapping[str, Any]], floor: float) -> dict[str, float | None]:
    """Per budget, the share of the relevant memories packed without a floor whose confidence is
    at or above `floor` (a floor only frees room: those above it stay packed)."""
    kept: dict[str, list[bool]] = defaultdict(list)
    for row in rows:
        relevant, confidence = set(row["relevant_ids"]), row.get("relevant_confidence", {})
        for budget, packed in row["packed"]["mnemo"].items():
            kept[budget] += [confidence.get(i, 1.0) >= floor for i in packed["ids"] if i in relevant]
    return {b: (sum(k) / len(k) if k else None) for b, k in sorted(kept.items(), key=lambda bk: int(bk[0]))}


def choose_floor(
    held_out: Mapping[str, Sequence[Mapping[str, Any]]], floor_on: Sequence[str]
) -> dict[str, Any]:
    """The highest floor keeping `FLOOR_KEEPS` of what each budget packed, on every file of
    `floor_on`, with what it keeps there."""
    chosen = 0.0
    for step in range(1, round(1.0 / FLOOR_STEP)):
        floor = round(step * FLOOR_STEP, 4)
        shares = [
            v for name in floor_on for v in floor_keeps(held_out[name], floor).values() if v is not None
        ]
        if not shares or min(shares) < FLOOR_KEEPS:
            break
        chosen = floor
    return {
        "floor": chosen,
        "keeps": FLOOR_KEEPS,
        "judged_on": list(floor_on),
        "kept": {name: floor_keeps(held_out[name], chosen) for name in floor_on},
    }


def _embedding_model() -> str:
    """The embedding model the quality runs here embedded with (this environment's setting)."""
    from mnemo.lab import configured_embedding_model

    return configured_embedding_model().rsplit("/", 1)[-1]


def calibrate(
    sources: Sequence[Source],
    features: Sequence[str] = DEFAULT_FEATURES,
    files_equal: bool = False,
    floor_on: Sequence[str] = (),
    judge_only: Sequence[str] = (),
) -> dict[str, Any]:
    """The leave-one-out judgement and the model fitted on everything; the sets of `judge_only` are
    never fitted on: each is judged by the model fitted on all the others."""
    judged_sources = [s for s in sources if s.name in judge_only]
    sources = [s for s in sources if s.name not in judge_only]
    x, y, w, units = _training_set(sources, features, files_equal)
    held_out = _leave_one_out(x, y, w, units, sources, features)
    everything = [r for rows in held_out.values() for r in rows]
    loo = {name: _judged(rows) for name, rows in held_out.items()} | {"all": _judged(everything)}
    about = {
        "fitted_on": {s.name: len(s.rows) for s in sources},
        "held_out_by": {s.name: s.fold_by for s in sources},
        "top_hits": TOP,
        "weights": "questions equal" + (", files equal" if files_equal else ""),
        "leave_one_out_ece": {name: round(v["calibration"]["ece"], 4) for name, v in loo.items()},
        "command": "make calibrate (benchmarks/README.md, Confidence in stores of every size)",
        # The cosines it weighs are this model's: the service applies no default floor under another.
        "embedding_model": _embedding_model(),
    }
    final = _calibration(fit_logistic(x, y, w), features, about)
    for source in judged_sources:
        held_out[source.name] = _with_confidence(source.rows, final)
        loo[source.name] = _judged(held_out[source.name])
    if len(judged_sources) > 1:  # together: e.g. answerable against unanswerable questions (AUROC)
        loo["+".join(s.name for s in judged_sources)] = _judged(
            [r for s in judged_sources for r in held_out[s.name]]
        )
    about["judged_only_on"] = [s.name for s in judged_sources]
    about["held_out_ece"] = {name: round(v["calibration"]["ece"], 4) for name, v in loo.items()}
    about["held_out_auroc"] = {n: v["auroc"] and round(v["auroc"], 4) for n, v in loo.items()}
    floor = choose_floor(held_out, floor_on) if floor_on else None
    if floor is not None:
        about["default_floor"] = floor["floor"]
    final = Calibration(
        final.coefficients, final.intercept, final.floor, final.ceiling, about, final.detail_ceiling
    )
    in_sample = {s.name: _judged(_with_confidence(s.rows, final)) for s in sources}
    return {
        "model": final.as_dict(),
        "leave_one_out": loo,
        "in_sample": in_sample,
        "floor": floor,
        "units": sorted(set(units)),
    }


def _training_set(
    sources: Sequence[Source], features: Sequence[str], files_equal: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """The hits' features, their labels, their weights and the held-out unit each belongs to."""
    data = [_examples(s, features) for s in sources]
    x = np.asarray([v for d in data for v in d[0]], dtype=float)
    y = np.asarray([v for d in data for v in d[1]], dtype=float)
    units = [u for d in data for u in d[2]]
    # Every question weighs the same, whatever the number of hits it has (a store of one has one):
    # else small stores, where confidence matters most to an agent, would barely count.
    rows_of = [(i, r) for i, d in enumerate(data) for r in d[3]]
    hits_per_row: dict[tuple[int, int], int] = defaultdict(int)
    for key in rows_of:
        hits_per_row[key] += 1
    w = np.asarray([1.0 / hits_per_row[key] for key in rows_of]) * len(rows_of) / max(1, len(hits_per_row))
    if files_equal:  # every file weighs the same in total, whatever its number of questions
        w = w * np.concatenate([np.full(len(d[1]), 1.0 / max(1, len(d[1]))) for d in data]) * len(x)
    return x, y, w, units


def _leave_one_out(
    x: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    units: Sequence[str],
    sources: Sequence[Source],
    features: Sequence[str],
) -> dict[str, list[dict[str, Any]]]:
    """Each source's rows, each unit's with the confidence of the model fitted without that unit."""
    held_out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for unit in sorted(set(units)):
        mask = np.asarray([u != unit for u in units])
        model = _calibration(fit_logistic(x[mask], y[mask], w[mask]), features, {})
        for source in sources:
            rows = [r for r in source.rows if source.unit(r) == unit]
            held_out[source.name] += _with_confidence(rows, model)
    return held_out


def _judged(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    from .confidence import judged_hits

    return {
        "calibration": calibration(judged_hits(rows)),
        "auroc": auroc(rows),
        "by_size": by_size(rows),
        "abstention": abstention(rows),
    }


SIZE_BANDS = ("1", "3", "10", "30", "100", "500", "full")


def _band_cell(band: Mapping[str, Any] | None) -> str:
    if band is None:
        return "—"
    separation = "—" if band["auroc"] is None else f"{band['auroc']:.3f}"
    return f"{band['ece']:.3f} ({band['calibrated_ece']:.3f}) / {separation}"


def _floor_blocks(floor: Mapping[str, Any] | None) -> list[str]:
    """The default floor's paragraph, where the run chose one."""
    if not floor:
        return []
    kept = "; ".join(
        f"{name}: " + ", ".join(f"@{b} {v:.1%}" for b, v in shares.items() if v is not None)
        for name, shares in floor["kept"].items()
    )
    return [
        f"Default floor: **{floor['floor']}** (the highest keeping {floor['keeps']:.0%} of the relevant "
        f"memories each budget packed without one, held out, on {', '.join(floor['judged_on'])}): {kept}."
    ]


def write_calibration_outputs(result: Mapping[str, Any], out: Path, model_out: Path | None) -> None:
    from ..report import markdown_blocks, write_json
    from .confidence import reliability_plot

    out.mkdir(parents=True, exist_ok=True)
    write_json(out / "results.json", result)
    if model_out is not None:
        model_out.write_text(json.dumps(result["model"], indent=2) + "\n", encoding="utf-8")
    for name, judged in result["leave_one_out"].items():
        reliability_plot(out / f"reliability-{name}.png", {f"calibration@{TOP}": judged["calibration"]})
    model = result["model"]
    text = markdown_blocks(
        "# mnemo bench calibrate",
        f"Model: logistic, intercept {model['intercept']}, coefficients {model['coefficients']}; "
        f"fitted on {model['about']['fitted_on']}, held out by {model['about']['held_out_by']}.",
        f"## Leave-one-out (each unit predicted by the model fitted on the others), top {TOP} hits",
        _leave_one_out_table(result["leave_one_out"]),
        "### By store size (ECE@10 (a calibrated model's by chance) / AUROC, held out)",
        _by_size_table(result["leave_one_out"]),
        *_floor_blocks(result.get("floor")),
        "Units: " + ", ".join(result["units"]),
        "\n".join(f"![{name}](reliability-{name}.png)" for name in result["leave_one_out"]),
    )
    (out / "summary.md").write_text(text, encoding="utf-8")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _leave_one_out_table(leave_one_out: Mapping[str, Any]) -> str:
    from ..report import table

    rows = []
    for name, judged in leave_one_out.items():
        cal, abst = judged["calibration"], judged["abstention"]
        rows.append(
            [
                name,
                cal["hits"],
                round(cal["ece"], 4),
                _pct(abst["abstained"]),
                _pct(abst["answerable_kept"]),
                _pct(abst["answerable_abstained"]),
                "—" if judged["auroc"] is None else round(judged["auroc"], 3),
            ]
        )
    return table(
        [
            "set",
            "hits",
            "ECE",
            "unanswerable: top < 0.5",
            "answerable: relevant hit ≥ 0.5",
            "answerable: top < 0.5",
            "AUROC",
        ],
        rows,
    )


def _by_size_table(leave_one_out: Mapping[str, Any]) -> str:
    from ..report import table

    return table(
        ["set", *SIZE_BANDS],
        [
            [name, *(_band_cell(judged["by_size"].get(band)) for band in SIZE_BANDS)]
            for name, judged in leave_one_out.items()
        ],
    )
