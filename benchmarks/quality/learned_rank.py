"""A learned re-ranking of the engine's candidates, judged across datasets against today's order.

`collect`: per question, the top `TOP` memories of one explained retrieval (`explain: true`, no
confidence floor, a budget nothing is trimmed under), each with its features: every ranking term's
and post-engine stage's contribution (`c:` + name) and every confidence feature (`f:` + name), and
whether it is relevant. Each candidate also gets features of its session among the candidates
(`s:`, `session_features`). `compare`: a ranker fitted on one file's candidates (each question
weighs the same; logistic, or gradient-boosted trees with `--model boosted`) re-orders the other
file's; `folds` does the same within one file, each fold held out in turn (a LoCoMo conversation, or
a fifth of the questions). Both orders are scored by recall@K, ndcg@K, recall_all@K and
LongMemEval's session recall_all@5. Both rank the same candidates, so a relevant memory the engine
did not find is missed alike.

    python -m mnemo.benchmarks.quality.learned_rank collect --memories M --queries Q --out rows.jsonl
    python -m mnemo.benchmarks.quality.learned_rank compare locomo.jsonl lme.jsonl [--model boosted]
    python -m mnemo.benchmarks.quality.learned_rank folds locomo.jsonl
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..dataset import Dataset, load_dataset
from ..metrics import ranked_sessions, ranking_metrics, session_metrics, session_of
from ..target import Target, open_target
from .calibrate import fit_logistic

TOP = 50
RANK_BUDGET = 32_000  # as `mnemo bench quality`: the top candidates are never trimmed
KS = (10,)
FOLDS = 5
Row = dict[str, Any]
Scorer = Callable[[np.ndarray], np.ndarray]


def hit_features(explained: Mapping[str, Any]) -> dict[str, float]:
    """One explained memory's features: each component's contribution, each confidence feature."""
    out = {f"c:{name}": float(c["contribution"]) for name, c in explained.get("components", {}).items()}
    out.update({f"f:{name}": float(v) for name, v in explained.get("confidence_features", {}).items()})
    out["total"] = float(explained.get("total", 0.0))
    return out


async def collect(target: Target, dataset: Dataset, top: int = TOP) -> list[Row]:
    await target.write(dataset.memories)
    rows = []
    for query in dataset.queries:
        body = {**query.retrieve_body(RANK_BUDGET, unfloored=True), "explain": True}
        answer = await target.retrieve(body)
        hits = [m for m in answer["memories"] if m.get("external_id")][:top]
        rows.append(
            {
                "id": query.id,
                "category": query.category,
                "relevant_ids": list(query.relevant_ids),
                "hits": [{"id": m["external_id"], "features": hit_features(m["explain"])} for m in hits],
            }
        )
    return rows


def session_features(row: Row) -> Row:
    """The row with each candidate's session among the candidates (`s:`): how many better candidates
    its session has, how many candidates in all, how far under its session's best total, whether a
    turn beside it was found. The session is the dataset's (`metrics.session_of`): only its grouping
    is read, never its name."""
    sessions = [session_of(h["id"]) for h in row["hits"]]
    found = {h["id"] for h in row["hits"]}
    size = Counter(sessions)
    before: Counter[str] = Counter()
    best: dict[str, float] = {}
    hits = []
    for hit, session in zip(row["hits"], sessions, strict=True):
        features = dict(hit["features"])
        total = features.get("total", 0.0)
        best.setdefault(session, total)
        features["s:before_in_session"] = math.log1p(before[session])
        features["s:session_candidates"] = math.log1p(size[session])
        features["s:under_session_best"] = best[session] - total
        features["s:beside_found"] = float(any(n in found for n in _beside(hit["id"])))
        before[session] += 1
        hits.append({**hit, "features": features})
    return {**row, "hits": hits}


def _beside(memory_id: str) -> list[str]:
    session, _, turn = memory_id.rpartition(":")
    return [f"{session}:{int(turn) + d}" for d in (-1, 1)] if session and turn.isdigit() else []


def feature_names(*sets: Sequence[Row], without: Sequence[str] = ()) -> list[str]:
    names = {name for rows in sets for row in rows for hit in row["hits"] for name in hit["features"]}
    return sorted(n for n in names if n not in without)


def _matrix(row: Row, names: Sequence[str]) -> np.ndarray:
    return np.array([[hit["features"].get(n, 0.0) for n in names] for hit in row["hits"]], dtype=float)


def design(rows: Sequence[Row], names: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every candidate's features (a missing one is 0), its label, and its weight (1 / the number
    of its question's candidates, so that every question weighs the same)."""
    rows = [r for r in rows if r["hits"]]
    x = np.vstack([_matrix(row, names) for row in rows]) if rows else np.zeros((0, len(names)))
    relevant = [set(row["relevant_ids"]) for row in rows]
    y = np.array([float(h["id"] in r) for row, r in zip(rows, relevant, strict=True) for h in row["hits"]])
    w = np.array([1.0 / len(row["hits"]) for row in rows for _ in row["hits"]])
    return x, y, w


def fit(rows: Sequence[Row], names: Sequence[str]) -> np.ndarray:
    x, y, w = design(rows, names)
    return fit_logistic(x, y, w)


def fit_boosted(rows: Sequence[Row], names: Sequence[str]) -> Scorer:
    """Gradient-boosted trees fitted on `rows`, as a candidate scorer: shallow and strongly
    regularised (a set holds a few thousand relevant candidates at most)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    x, y, w = design(rows, names)
    trees = HistGradientBoostingClassifier(
        max_iter=150, learning_rate=0.05, max_leaf_nodes=8, min_samples_leaf=50, l2_regularization=1.0,
        random_state=0,
    )  # fmt: skip
    trees.fit(x, y, sample_weight=w)
    return lambda x: trees.predict_proba(x)[:, 1]


def reorder(row: Row, names: Sequence[str], beta: np.ndarray | Scorer) -> list[str]:
    """The row's candidates by the ranker's score, best first (ties keep today's order); `beta`:
    logistic coefficients (intercept first) or a fitted scorer."""
    if not row["hits"]:
        return []
    x = _matrix(row, names)
    scores = beta(x) if callable(beta) else beta[0] + x @ beta[1:]
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    return [row["hits"][i]["id"] for i in order]


def score(rows: Sequence[Row], orders: Sequence[Sequence[str]], ks: Sequence[int] = KS) -> dict[str, float]:
    """Mean recall@K, ndcg@K, recall_all@K and session recall_all@5 of `orders` (one per row)."""
    per = [
        {
            **ranking_metrics(list(o), row["relevant_ids"], ks),
            **session_metrics(ranked_sessions(o), row["relevant_ids"]),
        }
        for row, o in zip(rows, orders, strict=True)
    ]
    return {key: float(np.mean([p[key] for p in per])) for key in per[0]} if per else {}


def compare(
    fit_on: Sequence[Row], judge_on: Sequence[Row], without: Sequence[str] = (), model: str = "logistic"
) -> dict[str, Any]:
    names = feature_names(fit_on, judge_on, without=without)
    today = score(judge_on, [[h["id"] for h in row["hits"]] for row in judge_on])
    result: dict[str, Any] = {"today": today}
    if model == "logistic":
        beta = fit(fit_on, names)
        result["coefficients"] = dict(zip(names, (round(float(b), 4) for b in beta[1:]), strict=True))
        scorer: np.ndarray | Scorer = beta
    else:
        scorer = fit_boosted(fit_on, names)
    result["learned"] = score(judge_on, [reorder(row, names, scorer) for row in judge_on])
    return result


def folds(rows: Sequence[Row], k: int = FOLDS) -> list[list[Row]]:
    """Held-out folds: one per conversation where questions share a few (LoCoMo), else `k`, every
    k-th question in each."""
    groups = sorted({str(r["id"]).split(":")[0] for r in rows})
    if len(groups) <= k:
        return [[r for r in rows if str(r["id"]).split(":")[0] == g] for g in groups]
    return [list(rows[i::k]) for i in range(k)]


def compare_in_folds(
    rows: Sequence[Row], without: Sequence[str] = (), model: str = "logistic"
) -> dict[str, Any]:
    """`compare` with each fold judged by a ranker fitted on the others; means weigh every question alike."""
    parts = folds(rows)
    results = [
        (len(held), compare([r for other in parts if other is not held for r in other], held, without, model))
        for held in parts
    ]
    n = sum(size for size, _ in results)
    return {
        side: {key: sum(size * r[side][key] for size, r in results) / n for key in results[0][1][side]}
        for side in ("today", "learned")
    }


def _read(path: Path) -> list[Row]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [session_features(row) for row in rows]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="learned_rank")
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("collect")
    c.add_argument("--memories", type=Path, required=True)
    c.add_argument("--queries", type=Path, required=True)
    c.add_argument("--out", type=Path, required=True)
    c.add_argument("--embedding-cache", type=Path, default=Path(".cache/embeddings"))
    for name, files in (("compare", ("a", "b")), ("folds", ("a",))):
        j = sub.add_parser(name)
        for file in files:
            j.add_argument(file, type=Path)
        j.add_argument("--model", choices=("logistic", "boosted"), default="logistic")
        j.add_argument(
            "--without", default="", help="features left out, comma-separated (f:log_rank,f:below_top,total)"
        )
    args = parser.parse_args(argv)
    if args.command == "collect":
        dataset = load_dataset(args.memories, args.queries)

        async def go() -> list[Row]:
            async with open_target(None, None, embedding_cache=args.embedding_cache) as target:
                return await collect(target, dataset)

        rows = asyncio.run(go())
        args.out.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        print(f"collect: {len(rows)} questions; wrote {args.out}")
        return
    without = [n for n in args.without.split(",") if n]
    if args.command == "folds":
        result = compare_in_folds(_read(args.a), without, args.model)
        print(json.dumps({"folds": args.a.stem, "model": args.model, **result}))
        return
    a, b = _read(args.a), _read(args.b)
    for name, (fit_on, judge_on) in {f"{args.a.stem} -> {args.b.stem}": (a, b),
                                     f"{args.b.stem} -> {args.a.stem}": (b, a)}.items():  # fmt: skip
        print(
            json.dumps(
                {"fit -> judge": name, "model": args.model, **compare(fit_on, judge_on, without, args.model)}
            )
        )


if __name__ == "__main__":
    main()
