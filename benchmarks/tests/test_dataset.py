"""Benchmark datasets: the synthetic generator, and clear errors for bad dataset files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mnemo.benchmarks.cli import mnemo_bench
from mnemo.benchmarks.dataset import DatasetError, load_dataset, write_jsonl
from mnemo.benchmarks.synthetic import generate


def test_generator_is_deterministic_per_seed_and_exact_in_size() -> None:
    first = generate(700, seed=3)
    assert first == generate(700, seed=3)
    assert first != generate(700, seed=4)
    memories, queries = first
    assert len(memories) == 700
    assert len(queries) >= 10
    assert {m["type"] for m in memories} == {"episodic", "semantic", "procedural", "prospective"}
    assert {q["category"] for q in queries} == {"fact", "preference", "procedure", "intention", "temporal"}


@pytest.mark.parametrize("size", [1, 2, 13, 401, 2_345])
def test_generated_datasets_load_and_their_relevant_ids_exist(tmp_path: Path, size: int) -> None:
    memories, queries = generate(size, seed=size)
    assert len(memories) == size
    write_jsonl(tmp_path / "m.jsonl", memories)
    # The smallest sizes have no room for a planted item; give them one query so the files load.
    only = {"id": "q", "query": "x", "scope": memories[0]["scope"], "relevant_ids": [memories[0]["id"]]}
    write_jsonl(tmp_path / "q.jsonl", queries or [only])
    dataset = load_dataset(tmp_path / "m.jsonl", tmp_path / "q.jsonl")  # checks every relevant id
    by_id = {m.id: m for m in dataset.memories}
    for query in dataset.queries:
        assert all(by_id[r].scope == query.scope for r in query.relevant_ids)


def _files(tmp_path: Path, memories: str, queries: str) -> tuple[Path, Path]:
    m, q = tmp_path / "memories.jsonl", tmp_path / "queries.jsonl"
    m.write_text(memories)
    q.write_text(queries)
    return m, q


GOOD_MEMORY = json.dumps({"id": "m1", "type": "semantic", "content": "Ada likes tea."}) + "\n"
GOOD_QUERY = json.dumps({"id": "q1", "query": "What does Ada like?", "relevant_ids": ["m1"]}) + "\n"


@pytest.mark.parametrize(
    ("memories", "queries", "where", "says"),
    [
        (GOOD_MEMORY + "{not json\n", GOOD_QUERY, "memories.jsonl:2", "not valid JSON"),
        (
            GOOD_MEMORY + '{"id": "m2", "type": "nope", "content": "x"}\n',
            GOOD_QUERY,
            "memories.jsonl:2",
            "type",
        ),
        ('{"type": "semantic", "content": "no id"}\n', GOOD_QUERY, "memories.jsonl:1", "needs an `id`"),
        (GOOD_MEMORY + GOOD_MEMORY, GOOD_QUERY, "memories.jsonl:2", "already used on line 1"),
        (GOOD_MEMORY, GOOD_QUERY + GOOD_QUERY.replace('"m1"', '"m9"'), "queries.jsonl:2", "'m9' is not in"),
        (GOOD_MEMORY, "\n\n", "queries.jsonl", "no queries"),
        (GOOD_MEMORY, '["a list"]\n', "queries.jsonl:1", "expected a JSON object"),
        (GOOD_MEMORY, GOOD_QUERY.replace('["m1"]', "[]"), "queries.jsonl:1", "relevant_ids"),
        ("", GOOD_QUERY, "memories.jsonl", "no memories"),
    ],
)
def test_bad_dataset_files_fail_with_file_and_line(
    tmp_path: Path, memories: str, queries: str, where: str, says: str
) -> None:
    m, q = _files(tmp_path, memories, queries)
    with pytest.raises(DatasetError) as caught:
        load_dataset(m, q)
    assert where in str(caught.value)
    assert says in str(caught.value)


def test_the_cli_reports_a_bad_dataset_and_exits_non_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    m, q = _files(tmp_path, GOOD_MEMORY, GOOD_QUERY.replace('"m1"', '"ghost"'))
    code = mnemo_bench(["quality", "--memories", str(m), "--queries", str(q), "--out", str(tmp_path / "o")])
    assert code == 2
    err = capsys.readouterr().err
    assert "queries.jsonl:1" in err and "'ghost' is not in the memories file" in err
    assert not (tmp_path / "o").exists()  # nothing half-written


def test_a_memory_too_long_for_the_service_is_left_out_and_reported_not_a_reason_to_stop(
    tmp_path: Path,
) -> None:
    long = json.dumps({"id": "m2", "type": "episodic", "content": "x" * 40_000})
    m, q = _files(tmp_path, GOOD_MEMORY + long + "\n", GOOD_QUERY.replace('["m1"]', '["m1", "m2"]'))
    dataset = load_dataset(m, q)
    assert [x.id for x in dataset.memories] == ["m1"]
    [left] = dataset.not_stored
    assert (left.line, left.id) == (2, "m2") and "content" in left.reason and "32000" in left.reason
    assert dataset.queries[0].relevant_ids == ["m1", "m2"]  # named, so counted as missed
