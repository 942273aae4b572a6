"""The committed split id lists (benchmarks/splits/) against the datasets the published figures were
measured on (shared/datasets/, converted from the public LoCoMo and LongMemEval releases): each list
selects exactly the conversations or questions of its dataset, and the counts its header states are
the dataset's. The releases themselves are not on the test machines, so what `bench convert --split`
makes of them is checked on small files of their format (test_convert.py), not byte for byte."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from mnemo.benchmarks.convert import SPLITS, read_split

ROOT = Path(__file__).resolve().parents[2]


def shared_datasets() -> Path | None:
    """shared/datasets beside the checkout (or beside a folder above it: a worktree's)."""
    for folder in ROOT.parents:
        if (folder / "shared" / "datasets").is_dir():
            return folder / "shared" / "datasets"
    return None


DATASETS = shared_datasets()
needs_datasets = pytest.mark.skipif(DATASETS is None, reason="no shared/datasets beside the checkout")


def rows(path: Path) -> list[dict[str, Any]]:
    # Lines end at "\n" only: a text may hold U+2028 and the like, which splitlines() would cut at.
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]


def stated(split: str, what: str) -> int | None:
    """A count the split file's header states ("1,451 turns"), None when it states none."""
    lines = (SPLITS / f"{split}.txt").read_text().splitlines()
    header = " ".join(line for line in lines if line.startswith("#"))
    found = re.search(rf"([\d,]+) {what}\b", header)
    return int(found.group(1).replace(",", "")) if found else None


def test_every_split_file_has_its_dataset_named() -> None:
    names = sorted(path.stem for path in SPLITS.glob("*.txt"))
    assert names == ["locomo-dev", "longmemeval-abstention-dev", "longmemeval-dev", "longmemeval-train"]


@needs_datasets
def test_the_locomo_split_names_exactly_the_conversations_of_locomo_dev() -> None:
    assert DATASETS is not None
    folder = DATASETS / "locomo-dev"
    memories, queries = rows(folder / "memories.jsonl"), rows(folder / "queries.jsonl")
    conversations = {m["scope"]["user_id"] for m in memories}
    assert sorted(conversations) == sorted(read_split("locomo-dev"))
    assert {q["id"].split(":")[0] for q in queries} == conversations
    assert len(memories) == stated("locomo-dev", "turns")
    assert len(queries) == stated("locomo-dev", "questions")


@needs_datasets
@pytest.mark.parametrize("split", ["longmemeval-dev", "longmemeval-train", "longmemeval-abstention-dev"])
def test_a_longmemeval_split_names_exactly_the_questions_of_its_dataset(split: str) -> None:
    assert DATASETS is not None
    folder = DATASETS / split
    queries = rows(folder / "queries.jsonl")
    ids = read_split(split)
    assert len(ids) == len(set(ids))
    assert sorted(q["id"] for q in queries) == sorted(ids)
    # Each question's haystack is its own scope: the memories hold no other question's.
    memories = rows(folder / "memories.jsonl")
    assert {m["scope"]["user_id"] for m in memories} == set(ids)
    if (count := stated(split, "questions")) is not None:
        assert len(queries) == count
    if (turns := stated(split, "turns")) is not None:
        assert len(memories) == turns
