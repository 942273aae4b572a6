"""A learned re-ranking of the engine's candidates, judged across datasets against today's order.

`collect`: per question, the top `TOP` memories of one explained retrieval (`explain: true`, no
confidence floor, a budget nothing is trimmed under), each with its features: every ranking term's
and post-engine stage's contribution (`c:` + name) and every confidence feature (`f:` + name), and
whether it is relevant. `compare`: a logistic ranker fitted on one file's candidates (each question
weighs the same) re-orders the other file's, and both orders are scored by recall@K and ndcg@K.
Both orders rank the same candidates, so a relevant memory the engine did not find is missed alike.

    python -m mnemo.benchmarks.quality.learned_rank collect --memories M --queries Q --out rows.jsonl
    python -m mnemo.benchmarks.quality.learned_rank compare locomo.jsonl lme.jsonl
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..dataset import Dataset, load_dataset
from ..metrics import ranking_metrics
from ..target import Target, open_target
from .calibrate import fit_logistic

TOP = 50
RANK_BUDGET = 32_000  # as `mnemo bench quality`: the top candidates are never trimmed
KS = (10,)
Row = dict[str, Any]


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
        body = {**query.retrieve_body(RANK_BUDGET), "explain": True, "min_confidence": 0}
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


def feature_names(*sets: Sequence[Row], without: Sequence[str] = ()) -> list[str]:
    names = {name for rows in sets for row in rows for hit in row["hits"] for name in hit["features"]}
    return sorted(n for n in names if n not in without)


def design(rows: Sequence[Row], names: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every candidate's features (a missing one is 0), its label, and its weight (1 / the number
    of its question's candidates, so that every question weighs the same)."""
    xs, ys, ws = [], [], []
    for row in rows:
        relevant = set(row["relevant_ids"])
        for hit in row["hits"]:
            xs.append([hit["features"].get(n, 0.0) for n in names])
            ys.append(1.0 if hit["id"] in relevant else 0.0)
            ws.append(1.0 / len(row["hits"]))
    return np.array(xs, dtype=float), np.array(ys), np.array(ws)


def fit(rows: Sequence[Row], names: Sequence[str]) -> np.ndarray:
    x, y, w = design(rows, names)
    return fit_logistic(x, y, w)


def reorder(row: Row, names: Sequence[str], beta: np.ndarray) -> list[str]:
    """The row's candidates by the ranker's score, best first (ties keep today's order)."""
    scores = [beta[0] + sum(b * hit["features"].get(n, 0.0) for b, n in zip(beta[1:], names, strict=True))
              for hit in row["hits"]]  # fmt: skip
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    return [row["hits"][i]["id"] for i in order]


def score(rows: Sequence[Row], orders: Sequence[Sequence[str]], ks: Sequence[int] = KS) -> dict[str, float]:
    """Mean recall@K and ndcg@K of `orders` (one per row) against each row's relevant ids."""
    per = [ranking_metrics(list(o), row["relevant_ids"], ks) for row, o in zip(rows, orders, strict=True)]
    return {key: float(np.mean([p[key] for p in per])) for key in per[0]} if per else {}


def compare(fit_on: Sequence[Row], judge_on: Sequence[Row], without: Sequence[str] = ()) -> dict[str, Any]:
    names = feature_names(fit_on, judge_on, without=without)
    beta = fit(fit_on, names)
    today = score(judge_on, [[h["id"] for h in row["hits"]] for row in judge_on])
    learned = score(judge_on, [reorder(row, names, beta) for row in judge_on])
    coefficients = dict(zip(names, (round(float(b), 4) for b in beta[1:]), strict=True))
    return {"today": today, "learned": learned, "coefficients": coefficients}


def _read(path: Path) -> list[Row]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="learned_rank")
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("collect")
    c.add_argument("--memories", type=Path, required=True)
    c.add_argument("--queries", type=Path, required=True)
    c.add_argument("--out", type=Path, required=True)
    c.add_argument("--embedding-cache", type=Path, default=Path(".cache/embeddings"))
    j = sub.add_parser("compare")
    j.add_argument("a", type=Path)
    j.add_argument("b", type=Path)
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
    a, b = _read(args.a), _read(args.b)
    without = [n for n in args.without.split(",") if n]
    for name, (fit_on, judge_on) in {f"{args.a.stem} -> {args.b.stem}": (a, b),
                                     f"{args.b.stem} -> {args.a.stem}": (b, a)}.items():  # fmt: skip
        result = compare(fit_on, judge_on, without)
        print(json.dumps({"fit -> judge": name, **result}))


if __name__ == "__main__":
    main()
