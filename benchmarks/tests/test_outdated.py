"""Knowledge-update pairs in the datasets: `outdated_ids` on a question (or from a side file for a
dataset that is not ours to edit), checked as relevant ids are, and the stores' fields as their READMEs'
chains of updates tell them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mnemo.benchmarks.dataset import Dataset, DatasetError, load_dataset, with_outdated
from mnemo.benchmarks.quality.run import SYSTEMS, score_rows

Fields = dict[str, object]
DATASETS = Path(__file__).resolve().parents[1] / "datasets"
STORES = sorted(p for p in DATASETS.glob("assistant-*") if p.is_dir())
# The development stores live beside the repository, not in it: the first `shared/` found going up.
SHARED_DEV = next(
    (
        folder / "shared" / "datasets" / "assistant-dev"
        for folder in Path(__file__).resolve().parents[2:]
        if (folder / "shared" / "datasets" / "assistant-dev").is_dir()
    ),
    Path("shared-datasets-not-found"),
)

MEMORIES = "".join(
    json.dumps({"id": i, "type": "semantic", "content": text}) + "\n"
    for i, text in (
        ("old", "Ada lives in Porto."),
        ("new", "Ada moved to Lyon."),
        ("other", "Ada likes tea."),
    )
)


def _query(**fields: object) -> str:
    return json.dumps({"id": "q1", "query": "Where does Ada live?", "relevant_ids": ["new"], **fields}) + "\n"


def _load(tmp_path: Path, queries: str) -> Dataset:
    (tmp_path / "m.jsonl").write_text(MEMORIES)
    (tmp_path / "q.jsonl").write_text(queries)
    return load_dataset(tmp_path / "m.jsonl", tmp_path / "q.jsonl", unanswerable=True)


def test_a_question_names_the_memories_its_answer_replaced(tmp_path: Path) -> None:
    dataset = _load(tmp_path, _query(outdated_ids=["old"]) + _query(id="q2"))
    assert [q.outdated_ids for q in dataset.queries] == [["old"], []]


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"outdated_ids": ["ghost"]}, "outdated id 'ghost' is not in the memories file"),
        ({"outdated_ids": ["old", "new"]}, "'new' is both relevant and outdated"),
        ({"relevant_ids": [], "outdated_ids": ["old"]}, "nothing answers"),
    ],
)
def test_outdated_ids_are_checked_like_relevant_ids(tmp_path: Path, fields: Fields, says: str) -> None:
    with pytest.raises(DatasetError) as caught:
        _load(tmp_path, _query(**fields))
    assert "q.jsonl:1" in str(caught.value) and says in str(caught.value)


def test_a_side_file_gives_a_dataset_its_outdated_ids(tmp_path: Path) -> None:
    dataset = _load(tmp_path, _query() + _query(id="q2", outdated_ids=["other"]))
    side = tmp_path / "outdated.jsonl"
    # A line for a question of another dataset is passed over: one file serves a folder of stores.
    side.write_text(
        json.dumps({"id": "q1", "outdated_ids": ["old"]}) + "\n" + '{"id": "elsewhere", "outdated_ids": []}\n'
    )
    given = with_outdated(dataset, side)
    assert [q.outdated_ids for q in given.queries] == [["old"], ["other"]]


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ({"id": "q1", "outdated_ids": ["ghost"]}, "outdated.jsonl:1: outdated id 'ghost'"),
        ({"id": "q1", "outdated_ids": "old"}, "outdated.jsonl:1: expected"),
        ({"id": "elsewhere", "outdated_ids": ["old"]}, "no line names a question of the dataset"),
    ],
)
def test_a_side_file_is_checked_against_the_dataset(tmp_path: Path, line: Fields, says: str) -> None:
    dataset = _load(tmp_path, _query())
    side = tmp_path / "outdated.jsonl"
    side.write_text(json.dumps(line) + "\n")
    with pytest.raises(DatasetError) as caught:
        with_outdated(dataset, side)
    assert says in str(caught.value)


def _chain_ids(readme: Path) -> list[list[list[str]]]:
    """Each chain of the README's knowledge updates: its steps, each the memory numbers it names."""
    section = readme.read_text(encoding="utf-8").split("## Knowledge updates", 1)[1].split("\n## ", 1)[0]
    # A long chain wraps onto indented lines, which belong to the numbered line above them.
    unwrapped = re.sub(r"\n[ \t]+(?=\S)", " ", section)
    lines = [line for line in unwrapped.splitlines() if re.match(r"\d+\.", line)]
    return [[re.findall(r"\bm\d{3}\b", step) for step in line.split(" → ")] for line in lines]


def _is_older_in_a_chain(outdated: str, relevant: list[str], chains: list[list[list[str]]]) -> bool:
    """Whether some chain names `outdated` at a step before one naming a relevant memory."""
    number, answers = outdated.split("-")[-1], {r.split("-")[-1] for r in relevant}
    for steps in chains:
        later = [i for i, step in enumerate(steps) if answers & set(step)]
        if later and any(number in step for step in steps[: max(later)]):
            return True
    return False


@pytest.mark.parametrize("store", STORES, ids=lambda p: p.name)
def test_every_update_question_of_a_store_names_older_steps_of_its_readme_chain(store: Path) -> None:
    dataset = load_dataset(store / "memories.jsonl", store / "queries.jsonl")
    chains = _chain_ids(store / "README.md")
    updates = [q for q in dataset.queries if q.category == "update"]
    assert updates and all(q.outdated_ids for q in updates)
    assert not [q.id for q in dataset.queries if q.outdated_ids and q.category != "update"]
    for query in updates:
        assert all(_is_older_in_a_chain(o, query.relevant_ids, chains) for o in query.outdated_ids), query.id


@pytest.mark.skipif(not SHARED_DEV.is_dir(), reason="the assistant-dev stores are not on this machine")
@pytest.mark.parametrize("store", ["d1-marco", "d2-bakery"])
def test_the_side_file_names_older_steps_for_the_assistant_dev_stores(store: str) -> None:
    folder = SHARED_DEV / store
    dataset = with_outdated(
        load_dataset(folder / "memories.jsonl", folder / "queries.jsonl"),
        DATASETS / "assistant-dev-outdated.jsonl",
    )
    chains = _chain_ids(folder / "README.md")
    updates = [q for q in dataset.queries if q.category == "update"]
    assert updates and all(q.outdated_ids for q in updates)
    for query in updates:
        assert all(_is_older_in_a_chain(o, query.relevant_ids, chains) for o in query.outdated_ids), query.id


def _row(ranked: list[str], outdated: list[str] | None) -> dict[str, object]:
    """A per-query row as `mnemo bench quality` writes it, every system ranking alike."""
    packed = {"64": {"ids": ranked[:1], "tokens": 10}}
    row: dict[str, object] = {
        "id": "q",
        "category": "update",
        "relevant_ids": ["new"],
        "ranked": dict.fromkeys(SYSTEMS, ranked),
        "packed": dict.fromkeys(SYSTEMS, packed),
        "confidence": {"mnemo": [0.5] * len(ranked)},
        "top_confidence": {"mnemo": 0.5},
    }
    return row | ({"outdated_ids": outdated} if outdated else {})


def test_the_quality_report_counts_update_pairs_from_the_per_query_rows() -> None:
    rows = [_row(["new", "old"], ["old"]), _row(["old", "x", "new"], ["old"]), _row(["old"], None)]
    results = score_rows(rows, ks=(1, 2), budgets=(64,))
    # Depth 2 (the largest K): the second question's newer memory is not ranked, its older one is.
    assert results["update_order"]["mnemo"] == {"newer_above": 1, "pairs": 2, "share": 0.5}
    assert "update_order" not in score_rows(rows[2:], ks=(1, 2), budgets=(64,))
