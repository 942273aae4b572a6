"""What `mnemo bench folds` / `ablation` vary, on the server's side (the harness reaches it through
mnemo.lab): a variant's ranking model is a changed copy of the default or a preset, and every
committed variant file names settings, ranking options and model paths the server has."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mnemo.benchmarks.quality.fold_runner import split_variant
from mnemo.memtypes.requests import RankingOptions
from mnemo.retrieval.options import RetrievalConfig
from mnemo.retrieval.pipeline import ranking_variant
from mnemo.retrieval.ranking.model import DEFAULT_MODEL, PRESETS

VARIANTS = Path(__file__).resolve().parents[2] / "benchmarks" / "variants"


def test_a_variant_is_a_changed_copy_of_the_default_or_of_a_preset() -> None:
    varied = ranking_variant(None, {"expand.neighbour_decay": 0.9})
    assert varied.expand.neighbour_decay == 0.9 and DEFAULT_MODEL.expand.neighbour_decay != 0.9
    assert ranking_variant("semantic-only", {}) is PRESETS["semantic-only"]
    base = ranking_variant(None, {"how_to.steps_phrasings": False})
    assert ranking_variant(None, {"expand.neighbour_decay": 0.9}, base).how_to.steps_phrasings is False


@pytest.mark.parametrize(
    ("preset", "changes", "named"),
    [
        ("no-such-preset", {}, "no-such-preset"),
        (None, {"expand.neighbour_decy": 0.9}, "expand.neighbour_decy"),
        (None, {"terms_off": ["time", "throwaway"]}, "throwaway"),
    ],
    ids=["preset", "path", "term"],
)
def test_a_name_the_model_has_not_is_a_value_error(
    preset: str | None, changes: dict[str, object], named: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(named)):
        ranking_variant(preset, changes)


@pytest.mark.parametrize("path", sorted(VARIANTS.glob("*.json")), ids=lambda p: p.name)
def test_every_committed_variant_names_what_the_server_has(path: Path) -> None:
    # A variant naming a setting the code no longer has would fail only hours into a run.
    for spec in json.loads(path.read_text()).values():
        ranking, config, preset, changes = split_variant(spec)
        RankingOptions.model_validate(ranking)
        RetrievalConfig.model_validate({**RetrievalConfig().model_dump(), **config})
        ranking_variant(preset, changes)  # a ValueError naming what it has not
