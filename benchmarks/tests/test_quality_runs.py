"""`mnemo bench quality` end to end on a tiny synthetic dataset: its report agrees with a recomputation
from its own per-query output, done here with independent code."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from mnemo.benchmarks.cli import mnemo_bench


def _recall(ranked: list[str], relevant: list[str], k: int) -> float:
    return sum(1 for r in set(relevant) if r in ranked[:k]) / len(set(relevant))


def _ndcg(ranked: list[str], relevant: list[str], k: int) -> float:
    gains = [
        1.0 / math.log2(i + 2) for i, r in enumerate(ranked[:k]) if r in relevant and r not in ranked[:i]
    ]
    ideal = [1.0 / math.log2(i + 2) for i in range(min(k, len(set(relevant))))]
    return sum(gains) / sum(ideal)


@pytest.mark.slow
def test_quality_report_matches_a_recomputation_from_per_query_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, out = tmp_path / "data", tmp_path / "out"
    assert mnemo_bench(["generate", "--size", "300", "--seed", "7", "--out", str(data)]) == 0
    code = mnemo_bench(
        [
            "quality",
            "--memories", str(data / "memories.jsonl"),
            "--queries", str(data / "queries.jsonl"),
            "--k", "1,5,10", "--budgets", "128,512",
            "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    results = json.loads((out / "results.json").read_text())
    rows = [json.loads(line) for line in (out / "per_query.jsonl").read_text().splitlines()]
    assert len(rows) == results["queries"] > 0
    # Each step says when it ended; stderr is not a terminal here, so no bar is drawn into it.
    said = capsys.readouterr().err
    assert f"loaded {results['memories']} memories in " in said
    assert f"asked {len(rows)} questions in " in said
    assert "%|" not in said
    assert {p.name for p in out.iterdir()} >= {"summary.md", "recall_at_k.png", "budget_recall.png"}

    for system in ("mnemo", "bm25", "dense", "fusion"):
        reported = results["systems"][system]
        for k in (1, 5, 10):
            recall = sum(_recall(r["ranked"][system], r["relevant_ids"], k) for r in rows) / len(rows)
            hit = sum(_recall(r["ranked"][system], r["relevant_ids"], k) > 0 for r in rows) / len(rows)
            ndcg = sum(_ndcg(r["ranked"][system], r["relevant_ids"], k) for r in rows) / len(rows)
            assert reported["all"][f"recall@{k}"] == pytest.approx(recall)
            assert reported["all"][f"hit@{k}"] == pytest.approx(hit)
            assert reported["all"][f"ndcg@{k}"] == pytest.approx(ndcg)
        for budget in (128, 512):
            packed = [r["packed"][system][str(budget)] for r in rows]
            recall = sum(
                _recall(p["ids"], r["relevant_ids"], 10**9) for p, r in zip(packed, rows, strict=True)
            ) / len(rows)
            assert reported["all"][f"budget_recall@{budget}"] == pytest.approx(recall)
            assert all(p["tokens"] <= budget for p in packed)  # the budget contract, baselines included
        for category in {r["category"] for r in rows}:
            mine = [r for r in rows if r["category"] == category]
            recall = sum(_recall(r["ranked"][system], r["relevant_ids"], 10) for r in mine) / len(mine)
            assert reported[category]["recall@10"] == pytest.approx(recall)
            assert reported[category]["queries"] == len(mine)
    # On planted facts mnemo finds something for nearly every question; a sanity floor, not a target.
    assert results["systems"]["mnemo"]["all"]["hit@10"] > 0.5
    assert results["ann_vs_exact"]["recall@10"] == pytest.approx(1.0)  # a few hundred vectors: exact
