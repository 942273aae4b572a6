"""The ranking model as a value: frozen, its presets valid, a copy varied by dotted paths that must
exist, and names of terms and stages to leave out that must be registered."""

from __future__ import annotations

import dataclasses
import re

import pytest

from mnemo.retrieval import pipeline
from mnemo.retrieval.pipeline import check_model
from mnemo.retrieval.ranking import terms
from mnemo.retrieval.ranking.confidence import shipped_calibration
from mnemo.retrieval.ranking.model import (
    DEFAULT_MODEL,
    POST_ENGINE_STAGES,
    PRESETS,
    TIME_AND_INTENT_TERMS,
    RankingModel,
    varied,
)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_is_a_valid_ranking_model(name: str) -> None:
    model = PRESETS[name]
    assert isinstance(model, RankingModel)
    assert check_model(model) is model  # every term and stage it leaves out is registered
    assert model.calibration.as_dict() == shipped_calibration().as_dict()


def test_the_default_preset_is_the_default_model_and_leaves_nothing_out() -> None:
    assert PRESETS["default"] is DEFAULT_MODEL
    assert not DEFAULT_MODEL.terms_off and not DEFAULT_MODEL.stages_off
    assert DEFAULT_MODEL.calibration is shipped_calibration()  # loaded once, the fit shipped
    # The presets' names are the registries' own: a renamed term or stage fails here, not silently.
    assert {stage.name for stage in pipeline.POST_STAGES} == POST_ENGINE_STAGES
    assert {term.name for term in terms.TERMS} > TIME_AND_INTENT_TERMS
    assert PRESETS["semantic-only"].terms_off == TIME_AND_INTENT_TERMS
    assert PRESETS["engine-only"].stages_off == POST_ENGINE_STAGES and not PRESETS["engine-only"].terms_off


def test_a_model_is_frozen_and_varied_as_a_copy() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_MODEL.expand.neighbour_decay = 0.5  # type: ignore[misc]
    copy = varied(
        DEFAULT_MODEL,
        {
            "expand.neighbour_decay": 0.9,
            "time.slack_s": 0,
            "newer_first.change_marker": False,
            "terms_off": ["how_to"],
        },
    )
    assert (
        copy.expand.neighbour_decay == 0.9
        and copy.expand.unrelated_decay == DEFAULT_MODEL.expand.unrelated_decay
    )
    assert copy.time.slack_s == 0.0 and isinstance(copy.time.slack_s, float)  # an int stands for a float
    assert copy.newer_first.change_marker is False and copy.terms_off == frozenset({"how_to"})
    assert DEFAULT_MODEL.expand.neighbour_decay == 0.93 and DEFAULT_MODEL.newer_first.change_marker
    assert copy.sizing is DEFAULT_MODEL.sizing  # what was not varied is shared, not copied


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"expand.neighbour_decy": 0.9}, "expand.neighbour_decy"),
        ({"expnd.neighbour_decay": 0.9}, "expnd.neighbour_decay"),
        ({"expand.neighbour_decay.more": 0.9}, "expand.neighbour_decay.more"),
        ({"newer_first.change_marker": "(?!)"}, "newer_first.change_marker"),
        ({"sizing.stage_factor": 0.5}, "sizing.stage_factor"),
        ({"expand.neighbour_decay": True}, "expand.neighbour_decay"),
    ],
    ids=["unknown field", "unknown group", "past a number", "pattern for a switch", "float for int", "bool"],
)
def test_an_unknown_path_or_a_value_of_another_kind_is_refused(
    changes: dict[str, object], named: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(named)):
        varied(DEFAULT_MODEL, changes)


def test_a_term_or_stage_no_registry_names_is_refused() -> None:
    with pytest.raises(ValueError, match="tells_tme"):
        check_model(varied(DEFAULT_MODEL, {"terms_off": ["tells_tme"]}))
    with pytest.raises(ValueError, match="neighbours"):
        check_model(varied(DEFAULT_MODEL, {"stages_off": ["neighbours"]}))
