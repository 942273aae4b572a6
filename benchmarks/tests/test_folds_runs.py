"""`mnemo bench folds` end to end on a tiny synthetic dataset: the variants' per-question metrics
back every reported mean, config and ranking model overrides really change the ranking (and are undone), and a
second run over the same embedding cache embeds nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mnemo.benchmarks.cli import mnemo_bench

# Candidate lists of 1 memory a type: the ranking model's sizing.
STARVED = {
    f"sizing.{name}": 1 for name in ("min_candidates", "max_candidates", "min_prefetch", "max_prefetch")
}
STARVED["sizing.tokens_per_candidate"] = 100000


@pytest.mark.slow
def test_folds_runs_variants_judges_them_and_reuses_the_embedding_cache(tmp_path: Path) -> None:
    data, cache = tmp_path / "data", tmp_path / "cache"
    assert mnemo_bench(["generate", "--size", "200", "--seed", "3", "--out", str(data)]) == 0
    variants = tmp_path / "variants.json"
    # "starved": candidate lists of 1 memory a type (the ranking model's sizing) and no neighbours
    # (the retriever's config), set on the in-process app, must rank otherwise.
    variants.write_text(
        json.dumps(
            {
                "default": {},
                "neighbours off": {"ranking": {"neighbours": 0}},
                "starved": {"config": {"neighbours": 0}, "model": STARVED},
                "default again": {"ranking": {}},
            }
        )
    )  # fmt: skip

    def run(out: Path) -> dict:
        code = mnemo_bench(
            [
                "folds",
                "--memories", str(data / "memories.jsonl"), "--queries", str(data / "queries.jsonl"),
                "--variants", str(variants), "--fold-by", "category", "--k", "1,10", "--budgets", "512",
                "--metrics", "recall@10,budget_recall@512,session_recall_all@5",
                "--embedding-cache", str(cache), "--out", str(out),
            ]
        )  # fmt: skip
        assert code == 0
        return json.loads((out / "results.json").read_text())

    first = run(tmp_path / "first")
    assert first["embedding_cache"]["embedded"] > 0
    n = first["queries"]
    compared = ("default", "neighbours off", "starved", "default again")
    systems = (*compared, "bm25", "dense", "fusion")
    assert list(first["per_query"]) == list(systems)  # the variants' order, then the baselines
    for system in systems:
        rows = first["per_query"][system]
        assert len(rows) == n
        for metric in ("recall@10", "budget_recall@512", "session_recall_all@5"):
            assert first["means"][system]["all"][metric] == pytest.approx(sum(r[metric] for r in rows) / n)
    # The override took effect: starved lists rank otherwise. (Compared within one run: the engine's
    # BM25 sums vary at float32 rounding from process to process, and with 10 questions one packing
    # flip moves budget_recall by 0.05, so no mean is sure to be lower in every run.)
    assert first["per_query"]["starved"] != first["per_query"]["default"]
    loo = first["folds"]["recall@10"]
    assert {f["held_out"] for f in loo["folds"]} == set(first["units"])
    tests = {(t["a"], t["b"]) for t in first["paired"]["recall@10"]}
    # The override was undone: the defaults after "starved" rank exactly as before it.
    assert first["per_query"]["default again"] == first["per_query"]["default"]
    assert tests == {("neighbours off", "default"), ("starved", "default"), ("default again", "default"),
                     ("default", "bm25"), ("default", "dense"), ("default", "fusion")}  # fmt: skip
    assert (tmp_path / "first" / "summary.md").read_text().count("### recall@10: leave one category out") == 1

    second = run(tmp_path / "second")
    assert second["embedding_cache"]["embedded"] == 0 and second["embedding_cache"]["served"] > 0
    # Same vectors (from disk), same stored memories: the same rankings at their head, but for two
    # neighbours at a near-tie, which may come in either order: the engine's BM25 sums differ at
    # float32 rounding between two stores of the same memories, so near-ties may also let another
    # memory into a ranking's tail. (Budget packing can differ by such a tie too; so can the
    # "starved" variant's one-point prefetch.)
    for system in ("default", "neighbours off", "default again", "bm25", "dense", "fusion"):
        for again, before in zip(second["rankings"][system], first["rankings"][system], strict=True):
            assert same_head_but_for_neighbour_swaps(again, before), (system, again, before)


HEAD = 5  # the head of a ranking that two stores of the same memories must agree on


def same_head_but_for_neighbour_swaps(a: list[str], b: list[str]) -> bool:
    """Whether each of the first `HEAD` memories of either ranking stands within one place of where
    it stands in the other (two neighbours at a near-tie may swap; nothing else may move)."""

    def near(x: list[str], y: list[str]) -> bool:
        return all(m in y[max(0, i - 1) : i + 2] for i, m in enumerate(x[:HEAD]))

    return len(a) == len(b) and near(a, b) and near(b, a)


@pytest.mark.slow
def test_folds_rank_unfloored_as_bench_quality_does(tmp_path: Path) -> None:
    # recall@K measures the ranking: a variant that only raises the default confidence floor must rank
    # exactly as the defaults (as `bench quality` does), and only its budget runs pack less.
    data = tmp_path / "data"
    assert mnemo_bench(["generate", "--size", "120", "--seed", "5", "--out", str(data)]) == 0
    variants = tmp_path / "variants.json"
    raised = {"config": {"default_min_confidence": 0.99}}
    variants.write_text(json.dumps({"default": {}, "floor 0.99": raised}))
    code = mnemo_bench(
        [
            "folds", "--no-baselines",
            "--memories", str(data / "memories.jsonl"), "--queries", str(data / "queries.jsonl"),
            "--variants", str(variants), "--fold-by", "category", "--k", "10", "--budgets", "2048",
            "--metrics", "recall@10,budget_recall@2048",
            "--embedding-cache", str(tmp_path / "cache"), "--out", str(tmp_path / "out"),
        ]
    )  # fmt: skip
    assert code == 0
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["rankings"]["floor 0.99"] == results["rankings"]["default"]
    assert all(len(top) == 10 for top in results["rankings"]["default"])
    means = results["means"]
    assert means["floor 0.99"]["all"]["recall@10"] == means["default"]["all"]["recall@10"] > 0
    assert means["floor 0.99"]["all"]["budget_recall@2048"] < means["default"]["all"]["budget_recall@2048"]


@pytest.mark.slow
def test_a_variant_setting_the_retrieval_settings_have_not_is_refused_not_ignored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    assert mnemo_bench(["generate", "--size", "40", "--seed", "5", "--out", str(data)]) == 0
    variants = tmp_path / "variants.json"
    variants.write_text(json.dumps({"default": {}, "typo": {"config": {"default_min_confidense": 0.5}}}))
    code = mnemo_bench(
        [
            "folds", "--no-baselines",
            "--memories", str(data / "memories.jsonl"), "--queries", str(data / "queries.jsonl"),
            "--variants", str(variants), "--k", "10", "--budgets", "512", "--metrics", "recall@10",
            "--embedding-cache", str(tmp_path / "cache"), "--out", str(tmp_path / "out"),
        ]
    )  # fmt: skip
    assert code == 2
    assert "default_min_confidense" in capsys.readouterr().err


@pytest.mark.slow
def test_ablation_reads_the_variants_files_folds_reads(tmp_path: Path) -> None:
    # One variants format for both commands: the committed ablation ladder (config and ranking model
    # changes beside ranking options) must run under `mnemo bench ablation` as under `folds`.
    data = tmp_path / "data"
    assert mnemo_bench(["generate", "--size", "200", "--seed", "3", "--out", str(data)]) == 0
    variants = tmp_path / "variants.json"
    variants.write_text(
        json.dumps(
            {
                "default": {},
                "starved": {"config": {"neighbours": 0}, "model": STARVED},
            }
        )
    )  # fmt: skip
    code = mnemo_bench(
        [
            "ablation",
            "--memories", str(data / "memories.jsonl"), "--queries", str(data / "queries.jsonl"),
            "--variants", str(variants), "--k", "10", "--budgets", "512",
            "--embedding-cache", str(tmp_path / "cache"), "--out", str(tmp_path / "out"),
        ]
    )  # fmt: skip
    assert code == 0
    results = json.loads((tmp_path / "out" / "results.json").read_text())["variants"]
    assert list(results) == ["default", "starved"]
    default, starved = (results[n]["metrics"]["all"] for n in ("default", "starved"))
    assert starved != default  # the overrides ranked otherwise
