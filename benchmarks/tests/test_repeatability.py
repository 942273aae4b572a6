"""`python -m mnemo.benchmarks.quality.repeatability` compares two processes' answers part by part and
says whether the points that come and go tie at a relevance stage's cut without a dense score."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mnemo.benchmarks.quality.repeatability import (
    bodies,
    compare,
    dataset_store,
    main,
    store_and_questions,
)


def _answers(stage: list[list[Any]], search: list[list[Any]], answer: str) -> dict[str, Any]:
    dense = [["d1", 0.9], ["d2", 0.8]]
    return {
        "answers": ["same", answer],
        "contexts": ["same", "same"],
        "searches": [{"dense": dense, "bm25": [["b1", 3.0]], "stage": stage, "search": search}],
    }


def test_points_that_swap_at_a_tied_cut_without_a_dense_score_are_told_apart_from_other_changes() -> None:
    first = _answers([["d1", 0.6], ["b1", 0.2], ["b2", 0.2]], [["d1", 1.0], ["b2", 0.3]], "one")
    tied = _answers([["d1", 0.6], ["b1", 0.2], ["b3", 0.2]], [["d1", 1.0], ["b3", 0.3]], "other")
    result = compare(first, tied)
    assert result["answers_unlike"] == 1 and result["contexts_unlike"] == 0
    assert result["searches"]["dense"] == {"asked": 1, "unlike": 0, "other_points": 0, "other_scores": 0}
    assert result["searches"]["stage"] == {"asked": 1, "unlike": 1, "other_points": 1, "other_scores": 0}
    assert result["stages_with_other_points_all_tied_at_the_cut_without_a_dense_score"] == 1
    assert compare(first, {**tied, "contexts": ["same", "another"]})["contexts_unlike"] == 1

    # A point that came with a dense score, or above the cut, is another kind of change.
    dense_one = _answers([["d1", 0.6], ["b1", 0.2], ["d2", 0.2]], [["d1", 1.0]], "one")
    assert (
        compare(first, dense_one)["stages_with_other_points_all_tied_at_the_cut_without_a_dense_score"] == 0
    )
    rescored = _answers([["d1", 0.5], ["b1", 0.2], ["b2", 0.2]], [["d1", 1.0], ["b2", 0.3]], "one")
    assert compare(first, rescored)["searches"]["stage"]["other_scores"] == 1


def test_the_store_holds_no_two_memories_alike_in_a_scope() -> None:
    memories, questions = store_and_questions(300, seed=5)
    by_text = {(m["scope"]["user_id"], m["content"]) for m in memories}
    by_time = {(m["scope"]["user_id"], m["occurred_at"]) for m in memories}
    assert len(by_text) == len(by_time) == len(memories) and questions


def test_a_datasets_questions_keep_their_scope_and_clock(tmp_path: Path) -> None:
    memories, queries = tmp_path / "memories.jsonl", tmp_path / "queries.jsonl"
    memory = {"id": "m1", "type": "episodic", "content": "Ann: I adopted a cat.", "scope": {"user_id": "u"}}
    memories.write_text(json.dumps({**memory, "occurred_at": "2023-05-01T10:00:00Z"}) + "\n")
    query = {"id": "q1", "query": "What did Ann adopt?", "scope": {"user_id": "u"}, "relevant_ids": ["m1"]}
    queries.write_text(json.dumps({**query, "category": "single-hop", "now": "2023-06-01T00:00:00Z"}) + "\n")
    stored, questions = dataset_store(memories, queries)
    assert [m["id"] for m in stored] == ["m1"]
    [body, *_] = bodies(questions, "hybrid")
    assert body["scope"] == {"user_id": "u"} and body["now"].startswith("2023-06-01")
    assert body["ranking"] == {"search": "hybrid"}


def test_memories_without_queries_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--memories", str(tmp_path / "memories.jsonl")])
    assert "--memories and --queries go together" in capsys.readouterr().err
