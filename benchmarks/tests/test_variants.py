"""`mnemo bench folds` / `ablation` variants and judged metrics are checked before any dataset is
loaded: a variant named like a baseline would have its rows silently replaced by the baseline's in
every table, and a metric no run computes would fail only after every variant had run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mnemo.benchmarks.cli import mnemo_bench
from mnemo.benchmarks.quality.fold_runner import FoldOptions
from mnemo.benchmarks.target import BenchError, ranking_variant


def test_a_variant_named_like_a_baseline_is_refused() -> None:
    with pytest.raises(BenchError, match="dense"):
        FoldOptions(variants={"default": {}, "dense": {"ranking": {"search": "dense"}}})
    # Without the baselines the name is free.
    assert FoldOptions(variants={"default": {}, "dense": {}}, baselines=False).variants["dense"] == {}


def test_the_reference_must_be_a_variant_and_each_variant_an_object() -> None:
    with pytest.raises(BenchError, match="reference"):
        FoldOptions(variants={"other": {}})
    with pytest.raises(BenchError, match="'x'"):
        FoldOptions(variants={"default": {}, "x": [1]})


def test_a_judged_metric_the_run_does_not_compute_is_refused_before_loading() -> None:
    # A metric no row holds could only fail after the load and every variant: it is refused first.
    with pytest.raises(BenchError, match=r"--metrics: recall@7 .*computes recall@1, .*session_recall_all@5"):
        FoldOptions(ks=(1, 10), metrics=("recall@10", "recall@7"))
    with pytest.raises(BenchError, match="budget_recall@300"):
        FoldOptions(budgets=(512,), metrics=("budget_recall@300",))
    judged = ("recall_all@10", "session_recall_all@5", "session_recall_all@10", "budget_recall@512")
    assert FoldOptions(ks=(10,), budgets=(512,), metrics=judged).metrics == judged


@pytest.mark.parametrize(
    "text",
    ['{"default": {}, "bm25": {}}', "[1, 2]", "{}", "{not json"],
    ids=["baseline name", "a list", "empty", "not json"],
)
def test_a_bad_variants_file_is_a_message_and_exit_2(
    tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    memories, queries = tmp_path / "m.jsonl", tmp_path / "q.jsonl"
    memories.write_text(json.dumps({"id": "m1", "type": "episodic", "content": "Bob likes tea."}) + "\n")
    queries.write_text(json.dumps({"id": "q1", "query": "tea?", "relevant_ids": ["m1"]}) + "\n")
    variants = tmp_path / "variants.json"
    variants.write_text(text)
    args = ["--memories", str(memories), "--queries", str(queries), "--variants", str(variants)]
    assert mnemo_bench(["folds", *args, "--out", str(tmp_path / "out")]) == 2
    assert "mnemo bench: error:" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("path", sorted(Path("benchmarks/variants").glob("*.json")), ids=lambda p: p.name)
def test_every_committed_variant_passes_the_check_before_the_load(path: Path) -> None:
    # A variant that names a ranking option, a preset or a ranking model path the code no longer has
    # would fail only hours into a run: each is checked here as a run checks it before its load.
    # (That its settings are the server's is checked in the server's tests/unit/test_ranking_variant.py.)
    for name, spec in json.loads(path.read_text()).items():
        FoldOptions(variants={name: spec}, reference=name, baselines=False)


def test_a_ranking_option_the_api_refuses_is_refused_before_loading() -> None:
    with pytest.raises(BenchError, match=r"'typo'.*ranking options"):
        FoldOptions(variants={"default": {}, "typo": {"ranking": {"serch": "dense"}}})


def test_a_ranking_model_variant_is_a_changed_copy_and_an_unknown_path_is_refused() -> None:
    varied = ranking_variant(None, {"expand.neighbour_decay": 0.9, "how_to.steps_phrasings": False})
    assert varied.expand.neighbour_decay == 0.9 and varied.how_to.steps_phrasings is False
    default = ranking_variant(None, {})
    assert default.expand.neighbour_decay != 0.9 and default.how_to.steps_phrasings
    with pytest.raises(BenchError, match=re.escape("expand.neighbour_decy")):
        ranking_variant(None, {"expand.neighbour_decy": 0.9})
    with pytest.raises(BenchError, match=re.escape("how_to.steps_phrasings")):
        ranking_variant(None, {"how_to.steps_phrasings": "(?!)"})  # a switch, not a pattern
    with pytest.raises(BenchError, match="no-such-preset"):
        ranking_variant("no-such-preset", {})
    with pytest.raises(BenchError, match="throwaway"):
        ranking_variant(None, {"terms_off": ["time", "throwaway"]})
    # Refused before any dataset is loaded.
    with pytest.raises(BenchError, match=re.escape("sizing.stage_factr")):
        FoldOptions(variants={"default": {}, "typo": {"model": {"sizing.stage_factr": 0}}})
