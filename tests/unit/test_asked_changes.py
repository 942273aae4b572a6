"""A change an event tells, read as the answer to a question about now (stages/asked_changes.py), and
the event lifted over the older statement from the lower bar (stages/changed_events.py): only where the
question says now by a word of time, the event says a lasting change, names the thing asked and holds a
value of the kind asked."""

from __future__ import annotations

from mnemo.memtypes.types import MemoryType
from mnemo.retrieval.ranking.model import DEFAULT_MODEL
from mnemo.retrieval.stages.asked_changes import AskedChange
from mnemo.retrieval.stages.asked_values import Question
from mnemo.retrieval.stages.changed_events import lift_changed_events, tells_lasting_change
from tests.unit.test_fact_rules import LOADED, written_hit
from tests.unit.test_retold_values import vectors_of
from tests.unit.verdicts import verdict_test

DAY = 86_400.0
BOXES = "which day do the boxes go out these days"
STATEMENT = "veg boxes go out on Thursdays from 14:00 - pack Wed eve + Thu am"
MOVED = "box delivery moved to Fridays from 9/4 - Thurs clashes w/ school now. told all 30 + Kaz"


def told(question: str, event: str) -> bool:
    return AskedChange.of(question).told_by(event, tells_lasting_change(event))


CHANGES_TOLD = [
    (BOXES, MOVED),  # "boxes" / "box"
    ("how much is a veg box now?", "emailed the box households: from April boxes are £15.50"),
    (
        "who owns the ERP integration on their side now?",
        "Tomasz is leaving; Hollie Tran joins as ERP Manager and will own the connector.",
    ),
]


NO_CHANGE_TOLD = [
    # a shared name, not the thing asked
    ("how much levothyroxine is Nuala on now?", "Four hens left now, and Nuala is very upset."),
    ("what's Imran's title now?", "Order form signed by Imran: total ARR is now £68,200."),
    # no value of the kind asked (a day)
    (BOXES, "box delivery changed: Kaz packs them now"),
    # "still" asks what remains, not a value as it stands
    ("how much do we still need for the organ?", "the fete raised €2,340 toward the organ, now €3,520"),
    # no word of time: a question that may ask what stayed true
    ("which day do the boxes go out", MOVED),
    # a one-off
    (BOXES, "boxes went out on Friday instead of Thursday this week"),
]


test_which_events_tell_a_lasting_change_of_the_thing_asked_about_now = verdict_test(
    told, CHANGES_TOLD, NO_CHANGE_TOLD
)


async def test_the_event_is_lifted_over_the_older_statement_from_the_lower_bar() -> None:
    """Their cosine 0.47: under the bar two statements restate from (0.55), over the one two values of
    one question do (0.4). Asked about now, the event is lifted; asked without now, left below."""
    vectors = {"old": [1.0, 0.0], "event": [0.47, 0.8827], "query": [0.8, 0.6]}
    for question, lifted in ((BOXES, {"event"}), ("which day do the boxes go out", set())):
        old = written_hit("old", 0.54, STATEMENT, LOADED)
        event = written_hit("event", 0.46, MOVED, LOADED, LOADED - 20 * DAY)
        hits = {MemoryType.EPISODIC: [event], MemoryType.SEMANTIC: [old]}
        asked = Question(question, vectors["query"])
        lifts = await lift_changed_events(hits, 0.075, vectors_of(vectors), DEFAULT_MODEL, asked, 0.15)
        assert set(lifts) == lifted
        if lifted:
            assert hits[MemoryType.EPISODIC][0].score > old.score


def test_an_event_and_a_statement_naming_different_someones_are_about_different_things() -> None:
    """A weekday or a month is a time, the value that changed, not a name of the subject."""
    asked = AskedChange.of(BOXES)
    assert asked.ties(MOVED, STATEMENT)  # Kaz against no name (Thursdays, Wed: times)
    mortgage = AskedChange.of("what's the mortgage payment these days")
    refi = "signed the refi at Fifth Third today, payment goes down from March"
    assert not mortgage.ties(refi, "mortgage is with Huntington, payment comes out on the first")
    assert mortgage.ties(refi, "mortgage with Fifth Third, payment comes out on the first")
    assert not asked.ties(MOVED, "Cubs is on Thursdays")  # names nothing asked
