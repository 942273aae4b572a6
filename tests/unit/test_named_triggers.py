"""A pending reminder whose trigger names whom or where an open question about tasks names
(mnemo.retrieval.stages.named_triggers): which words of a trigger are names, when a question names
one, and which questions read them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mnemo.memtypes.formula import Excludes, Missing
from mnemo.memtypes.queries import MemoryFilter
from mnemo.retrieval.ranking.due_windows import task_question
from mnemo.retrieval.stages.named_triggers import names_trigger, trigger_names

NOW = datetime(2027, 4, 21, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("trigger", "names"),
    [
        ("next time I speak to Helen", {"helen"}),
        ("next on-site visit to Bristol", {"bristol"}),
        ("when Pennine Dairy's top-up delivery arrives", {"pennine", "dairy"}),
        ("when LL-SUP-51802 is fixed", {"ll-sup-51802"}),
        ("Before leaving for Christmas", {"christmas"}),  # the first word is not a name
        ("if Gail asks for net 60 again", {"gail"}),  # nor a bare number
        ("when the new passport arrives", set()),
    ],
)
def test_the_names_a_trigger_says(trigger: str, names: set[str]) -> None:
    assert trigger_names(trigger) == names


@pytest.mark.parametrize(
    ("query", "trigger"),
    [
        ("talking to Helen soon, anything I wanted to raise with her?", "next time I speak to Helen"),
        ("going to Bristol for the on-site, anything to pick up or bring?", "next on-site visit to Bristol"),
        (
            "Pennine's van just pulled up, anything I need to do?",
            "when Pennine Dairy's top-up delivery arrives",
        ),
        ("is LL-SUP-51802 fixed yet? anything I need to do", "when LL-SUP-51802 is fixed"),
    ],
)
def test_an_open_question_about_tasks_that_names_the_occasion(query: str, trigger: str) -> None:
    asked = task_question(query, NOW)
    assert asked is not None and asked.open
    assert names_trigger(query, trigger)


@pytest.mark.parametrize(
    ("query", "trigger"),
    [
        ("talking to Helen soon, anything I wanted to raise with her?", "next time I speak to Gail"),
        ("we'll be in the office, anything to bring?", "when LL-SUP-51802 is fixed"),
        ("anything to do in 60 days?", "if Gail asks for net 60 again"),
        ("anything I need to do before the passport arrives?", "when the new passport arrives"),
    ],
)
def test_a_question_that_names_none_of_its_names(query: str, trigger: str) -> None:
    assert not names_trigger(query, trigger)


def test_the_search_of_reminders_with_a_trigger() -> None:
    conditions = MemoryFilter(tenant="t", status="pending", triggered=True).conditions()
    assert Excludes((Missing("trigger_key"),)) in conditions
    assert Excludes((Missing("trigger_key"),)) not in MemoryFilter(tenant="t").conditions()
