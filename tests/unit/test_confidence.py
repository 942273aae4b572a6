"""The confidence model (retrieval/ranking/confidence.py), its fit (`mnemo bench calibrate`) and how
`mnemo bench quality` judges it (ECE, abstention)."""

from __future__ import annotations

import json
import random
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mnemo.benchmarks.dataset import DatasetError, load_dataset, with_unanswerable
from mnemo.benchmarks.quality.calibrate import (
    calibrate,
    choose_floor,
    fit_logistic,
    floor_keeps,
    read_source,
)
from mnemo.benchmarks.quality.confidence import (
    abstention,
    auroc,
    by_kind,
    by_size,
    calibrated_ece,
    calibration,
    default_context,
    judged_hits,
)
from mnemo.retrieval.ranking.confidence import (
    FEATURES,
    RELATED_WINDOW,
    SHIPPED,
    Calibration,
    RankedHit,
    hit_features,
    ranks,
    shipped_calibration,
)
from mnemo.retrieval.ranking.model import DEFAULT_MODEL

THRESHOLDS = DEFAULT_MODEL.confidence_features  # what the service reads features with

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_model_loads_and_says_how_it_was_fitted() -> None:
    model = shipped_calibration()
    assert model.coefficients and set(model.coefficients) <= set(FEATURES)
    assert "fitted_on" in model.about and "leave_one_out_ece" in model.about
    assert json.loads(SHIPPED.read_text())["model"] == "logistic"


def test_confidence_rises_with_the_cosine_and_the_words_and_falls_with_the_rank() -> None:
    model = shipped_calibration()
    query = "how do I run the parser tests?"

    def alone(content: str, cosine: float) -> float:
        return model.confidences(query, [RankedHit(0.5, content, cosine)], THRESHOLDS)[0]

    assert alone("run the parser tests with make ptest", 0.7) > alone(
        "run the parser tests with make ptest", 0.3
    )
    assert alone("run the parser tests with make ptest", 0.5) > alone("the weather is nice today", 0.5)
    ranked = model.confidences(
        query, [RankedHit(0.9 - 0.05 * i, "parser tests", 0.5) for i in range(12)], THRESHOLDS
    )
    assert ranked == sorted(ranked, reverse=True) and ranked[0] > ranked[-1]
    assert model.confidences(query, [], THRESHOLDS) == []


def test_related_counts_the_other_best_candidates_that_share_meaning_with_the_query() -> None:
    """An answer alone, or beside memories that share nothing with the query, has no related
    candidates; beside memories on its topic it has them, and so does each of those."""
    query = "how do I run the parser tests?"
    answer = RankedHit(0.9, "run the parser tests with make ptest", 0.7)
    strangers = [RankedHit(0.3 - 0.01 * i, f"the weather on day {i}", 0.05) for i in range(30)]
    on_topic = [RankedHit(0.8 - 0.01 * i, f"the parser tests failed on run {i}", 0.5) for i in range(5)]

    def related(hits: list[RankedHit]) -> list[float]:
        return [f["related"] for f in hit_features(query, hits, THRESHOLDS)]

    assert related([answer]) == [0.0]
    beside_strangers = related([answer, *strangers])
    assert beside_strangers[0] == 0.0  # each stranger has one: the answer
    assert set(beside_strangers[1:]) == {beside_strangers[1]} and beside_strangers[1] > 0.0
    crowded = related([answer, *on_topic, *strangers])
    assert crowded[0] == crowded[1] > 0.0  # five others each: the answer and each on-topic memory
    assert crowded[6:] == [crowded[-1]] * len(crowded[6:]) and crowded[-1] > crowded[0]  # six others
    # Counted among the first RELATED_WINDOW candidates only: past them, however many there are.
    many = related([answer, *[RankedHit(0.8, "parser tests", 0.5)] * (3 * RELATED_WINDOW)])
    assert max(many) == 1.0


def test_a_model_naming_an_unknown_feature_or_bad_bounds_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown confidence features"):
        Calibration({"spread": 1.0}, 0.0)
    with pytest.raises(ValueError, match="bounds"):
        Calibration({"cosine": 1.0}, 0.0, floor=0.6, ceiling=0.5)
    with pytest.raises(ValueError, match="unknown confidence model"):
        Calibration.from_dict({"model": "isotonic", "coefficients": {}, "intercept": 0})


def test_the_model_ships_in_the_wheel() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"mnemo.retrieval.ranking" = ["confidence.json"]' in pyproject
    wheels = sorted((ROOT / "build").glob("*.whl")) if (ROOT / "build").exists() else []
    for wheel in wheels[-1:]:  # when a wheel was built here (test_repository_layout builds one)
        assert "mnemo/retrieval/ranking/confidence.json" in zipfile.ZipFile(wheel).namelist()


def test_ece_and_reliability_bins() -> None:
    perfect = [(0.25, True)] + [(0.25, False)] * 3 + [(0.75, True)] * 3 + [(0.75, False)]
    result = calibration(perfect)
    assert result["ece"] == pytest.approx(0.0)
    assert [b["hits"] for b in result["bins"]] == [4, 4]
    overconfident = [(0.9, False)] * 9 + [(0.9, True)]
    assert calibration(overconfident)["ece"] == pytest.approx(0.8)
    assert calibration([(1.0, True)])["bins"][-1]["hits"] == 1  # 1.0 falls in the last bin


def test_a_calibrated_models_ece_by_chance_shrinks_with_the_hits_and_vanishes_at_certainty() -> None:
    assert calibrated_ece([0.0, 1.0] * 10) == 0.0 and calibrated_ece([]) == 0.0
    few, many = calibrated_ece([0.3, 0.6, 0.9] * 12), calibrated_ece([0.3, 0.6, 0.9] * 1200)
    assert few > 0.05 > 0.01 > many  # 36 hits read noise as error; 3,600 barely do
    # ... and what it is the mean of: labels drawn from the confidences, judged as `calibration` bins
    rng = random.Random(1)
    draws = [calibration([(c, rng.random() < c) for c in [0.3, 0.6, 0.9] * 12])["ece"] for _ in range(400)]
    assert few == pytest.approx(sum(draws) / len(draws), abs=0.01)


def _row(
    qid: str, relevant: list[str], ranked: list[str], confidence: list[float], **more: Any
) -> dict[str, Any]:

    return {
        "id": qid,
        "category": more.get("category", "c"),
        "scope": more.get("scope", {"user_id": "u"}),
        "relevant_ids": relevant,
        "ranked": {"mnemo": ranked},
        "scores": {"mnemo": more.get("scores", confidence)},
        "confidence": {"mnemo": confidence},
        "top_confidence": {"mnemo": confidence[0] if confidence else 0.0},
    }


def test_abstention_counts_unanswerable_and_answerable_questions_apart() -> None:
    rows = [
        _row("a", [], ["x", "y"], [0.3, 0.2]),  # abstains
        _row("b", [], ["x"], [0.7]),  # does not
        _row("c", ["y"], ["x", "y"], [0.8, 0.6]),  # keeps a relevant hit at 0.6
        _row("d", ["y"], ["x", "y"], [0.6, 0.4]),  # its relevant hit is below 0.5
    ]
    result = abstention(rows)
    assert result["unanswerable"] == 2 and result["abstained"] == 0.5
    assert result["answerable"] == 2 and result["answerable_kept"] == 0.5
    assert result["answerable_abstained"] == 0.0
    assert judged_hits(rows)[:2] == [(0.3, False), (0.2, False)]


def test_the_default_context_counts_near_empty_unanswerables_and_the_answerables_recall() -> None:
    def packed(row: dict[str, Any], ids: list[str]) -> dict[str, Any]:
        return {**row, "packed": {"mnemo": {"1024": {"ids": ids, "tokens": 10 * len(ids)}}}}

    rows = [
        packed(_row("a", [], ["x"], [0.1]), []),  # near empty
        packed(_row("b", [], ["x"], [0.1]), ["x"]),  # near empty: one memory
        packed(_row("c", [], ["x", "y"], [0.1, 0.1]), ["x", "y"]),  # not
        packed(_row("d", ["y", "z"], ["x", "y"], [0.8, 0.6]), ["x", "y"]),  # half its evidence
    ]
    context = default_context(rows)
    assert context is not None
    assert context["unanswerable"] == 3 and context["near_empty"] == pytest.approx(2 / 3)
    assert context["answerable"] == 1 and context["answerable_budget_recall"] == 0.5
    assert default_context(rows, budget="512") is None  # no run at that budget


def _features(cosine: float, rank: int) -> dict[str, float]:
    return {
        "cosine": cosine,
        "overlap": 0.5,
        "matched": 0.3,
        "names_found": 1.0,
        "below_top": 0.01 * rank,
        "log_rank": float(np.log1p(rank)),
        "found": 1.0,
        "related": 0.5,
    }


def _synthetic_rows(seed: int, units: int, per_unit: int) -> list[dict[str, Any]]:
    """Questions whose top hits are relevant with a probability that grows with their cosine."""
    rng = random.Random(seed)
    rows = []
    for u in range(units):
        for q in range(per_unit):
            cosines = sorted((rng.random() for _ in range(10)), reverse=True)
            ranked = [f"{u}-{q}-{i}" for i in range(10)]
            relevant = [r for r, c in zip(ranked, cosines, strict=True) if rng.random() < c**3]
            row = _row(f"{u}-{q}", relevant, ranked, [0.0] * 10, category=f"unit{u}")
            row["features"] = {"mnemo": [_features(c, i) for i, c in enumerate(cosines)]}
            row["relevant_features"] = {r: row["features"]["mnemo"][ranked.index(r)] for r in relevant}
            row["packed"] = {"mnemo": {"512": {"ids": ranked[:5], "tokens": 400}}}
            rows.append(row)
    return rows


def test_calibrate_fits_a_calibrated_model_and_judges_it_leaving_each_unit_out(tmp_path: Path) -> None:
    rows = _synthetic_rows(0, units=3, per_unit=150)
    path = tmp_path / "per_query.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    source = read_source(f"syn={path}:category")
    assert source.fold_by == "category" and len(source.rows) == len(rows)
    result = calibrate([source])
    assert result["units"] == ["syn/unit0", "syn/unit1", "syn/unit2"]
    assert result["leave_one_out"]["syn"]["calibration"]["ece"] < 0.05
    assert result["model"]["coefficients"]["cosine"] > 0  # relevance grows with the cosine
    model = Calibration.from_dict(result["model"])
    assert model.about["fitted_on"] == {"syn": len(rows)}
    assert result["leave_one_out"]["syn"]["abstention"]["answerable"] > 0
    assert result["leave_one_out"]["syn"]["by_size"]["full"]["queries"] == len(rows)
    # The default floor, chosen on the held-out confidences, keeps what it promises.
    chosen = calibrate([source], floor_on=["syn"])["floor"]
    assert chosen["floor"] > 0 and all(v >= 0.95 for v in chosen["kept"]["syn"].values())


def _dataset(tmp_path: Path, relevant: list[str]) -> tuple[Path, Path]:
    memories, queries = tmp_path / "memories.jsonl", tmp_path / "queries.jsonl"
    memories.write_text(json.dumps({"id": "m1", "type": "semantic", "content": "Ada likes tea."}) + "\n")
    queries.write_text(
        json.dumps({"id": "q1", "query": "What does Ada like?", "relevant_ids": relevant}) + "\n"
    )
    return memories, queries


def test_unanswerable_questions_load_only_where_asked_for(tmp_path: Path) -> None:
    memories, queries = _dataset(tmp_path, [])
    with pytest.raises(DatasetError, match="relevant_ids"):
        load_dataset(memories, queries)
    (query,) = load_dataset(memories, queries, unanswerable=True).queries
    assert not query.answerable
    memories, queries = _dataset(tmp_path, ["m1"])
    assert load_dataset(memories, queries).queries[0].answerable


def _folder(path: Path, memories: list[dict[str, Any]], queries: list[dict[str, Any]]) -> Path:
    path.mkdir()
    (path / "memories.jsonl").write_text("".join(json.dumps(m) + "\n" for m in memories))
    (path / "queries.jsonl").write_text("".join(json.dumps(q) + "\n" for q in queries))
    return path


def test_an_unanswerable_set_runs_beside_a_dataset_only_in_stores_of_its_own(tmp_path: Path) -> None:
    memories, queries = _dataset(tmp_path, ["m1"])  # scope: none
    answerable = load_dataset(memories, queries)
    memory = {"id": "x1", "type": "semantic", "content": "Bo owns a kayak.", "scope": {"user_id": "abs"}}
    question = {
        "id": "x",
        "query": "What car does Bo drive?",
        "scope": {"user_id": "abs"},
        "relevant_ids": [],
    }
    both = with_unanswerable(answerable, _folder(tmp_path / "abs", [memory], [question]))
    assert [m.id for m in both.memories] == ["m1", "x1"]
    assert [q.answerable for q in both.queries] == [True, False]
    # a store shared with the answerable set: its memories could answer the other set's questions
    unscoped = {**memory, "scope": {}}
    with pytest.raises(DatasetError, match="x1"):
        with_unanswerable(answerable, _folder(tmp_path / "shared", [unscoped], [question]))
    answered = {**question, "relevant_ids": ["x1"]}
    with pytest.raises(DatasetError, match="relevant_ids"):
        with_unanswerable(answerable, _folder(tmp_path / "answered", [memory], [answered]))


def test_each_kind_of_question_has_its_own_calibration() -> None:
    rows = [
        _row("a", [], ["x", "z"], [0.4, 0.2]),  # unanswerable: every hit irrelevant
        _row("c", ["y"], ["y", "w"], [0.9, 0.3]),
    ]
    kinds = by_kind(rows)
    assert kinds["unanswerable"] == {"ece": pytest.approx(0.3), "queries": 1}
    assert kinds["answerable"] == {"ece": pytest.approx((0.1 + 0.3) / 2), "queries": 1}
    assert list(by_kind(rows[1:])) == ["answerable"]


def test_auroc_is_the_chance_an_answerable_questions_top_hit_is_the_more_confident() -> None:
    rows = [
        _row("a@1-", [], ["x"], [0.1]),
        _row("b@1-", [], ["x"], [0.6]),
        _row("c@1+", ["y"], ["y"], [0.9]),
        _row("d@30+", ["y"], ["y"], [0.5]),
    ]
    assert auroc(rows) == pytest.approx(3 / 4)
    assert auroc(rows[2:]) is None  # no unanswerable question to tell apart
    bands = by_size(rows)
    assert list(bands) == ["1", "30"] and bands["1"]["queries"] == 3 and bands["30"]["auroc"] is None


def test_a_floor_keeps_the_packed_relevant_memories_at_or_above_it() -> None:
    row = _row("q", ["a", "b"], ["a", "b", "c"], [0.9, 0.2, 0.1])
    row["packed"] = {
        "mnemo": {"512": {"ids": ["a", "b", "c"], "tokens": 90}, "256": {"ids": ["a"], "tokens": 30}}
    }
    row["relevant_confidence"] = {"a": 0.9, "b": 0.2}
    assert floor_keeps([row], 0.1) == {"256": 1.0, "512": 1.0}
    assert floor_keeps([row], 0.5) == {"256": 1.0, "512": 0.5}
    assert choose_floor({"s": [row]}, ["s"])["floor"] == pytest.approx(0.2)


def test_a_one_category_set_is_held_out_question_by_question(tmp_path: Path) -> None:
    rows = _synthetic_rows(1, units=1, per_unit=4)
    path = tmp_path / "abstention.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    source = read_source(f"abs={path}:query")
    assert source.fold_by == "query"
    assert sorted({source.unit(r) for r in rows}) == [f"abs/0-{q}" for q in range(4)]


def test_the_fit_recovers_a_steep_coefficient_on_a_feature_of_small_range() -> None:
    """Scores differ by hundredths: an unstandardized ridge held their coefficient back."""
    rng = np.random.default_rng(0)
    x = rng.uniform(0.5, 0.6, size=(20_000, 1))
    p = 1.0 / (1.0 + np.exp(-(-55.0 + 100.0 * x[:, 0])))
    y = (rng.uniform(size=len(x)) < p).astype(float)
    intercept, slope = fit_logistic(x, y, np.ones(len(x)))
    assert slope == pytest.approx(100.0, rel=0.1) and intercept == pytest.approx(-55.0, rel=0.1)


def test_an_older_statement_keeps_its_rank_under_a_newer_one_lifted_over_it() -> None:
    """A knowledge update orders two versions of one fact; the older reads as sure as before it."""
    older = RankedHit(0.60, "Maya has her violin lesson on Wednesdays at 4.15.", 0.8)
    newer = RankedHit(0.6001, "Maya's violin lesson: Fridays, 4.30.", 0.6, lifted_from=0.50)
    other = RankedHit(0.45, "Maya trains on Tuesdays.", 0.5)
    assert ranks([newer, older, other]) == [0, 0, 2]  # past the newer one's old score: its place
    assert ranks([older, other]) == [0, 1]
    model = shipped_calibration()
    query = "when is Maya's violin lesson?"
    alone = model.confidences(query, [older, replace(newer, lifted_from=None, score=0.5), other], THRESHOLDS)[
        0
    ]
    assert model.confidences(query, [newer, older, other], THRESHOLDS)[1] == pytest.approx(alone, abs=1e-3)


def test_a_newer_statement_lifted_into_the_window_counts_as_where_it_was() -> None:
    """The related window is the best candidates before any knowledge update lifted one into it."""
    query = "when is Maya's violin lesson?"
    top = RankedHit(0.9, "Maya has her violin lesson on Wednesdays.", 0.8)
    others = [RankedHit(0.8 - i / 100, f"Note {i} about the garden.", 0.1) for i in range(RELATED_WINDOW)]
    newer = RankedHit(0.3, "Maya's violin lesson: Fridays, 4.30.", 0.6)
    unlifted = hit_features(query, [top, *others, newer], THRESHOLDS)
    lifted = hit_features(query, [replace(newer, score=0.9001, lifted_from=0.3), top, *others], THRESHOLDS)
    assert lifted[1]["related"] == unlifted[0]["related"]
    assert lifted[1]["log_rank"] == unlifted[0]["log_rank"] == 0.0
