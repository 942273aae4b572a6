"""Events lifted for a question that asks when (mnemo.retrieval.stages.when_events): above a fact
that mentions the same thing, and only in a store that holds more than events."""

from __future__ import annotations

import pytest

from mnemo.memtypes.language.time_mentions import asks_when
from mnemo.memtypes.queries import ScoredPoint
from mnemo.memtypes.types import MemoryType
from mnemo.retrieval.ranking.model import DEFAULT_MODEL
from mnemo.retrieval.stages.when_events import lift_events

WHEN_EVENT_LIFT = DEFAULT_MODEL.when_events.lift


def _hit(name: str, score: float, tells_time: bool = False) -> ScoredPoint:
    return ScoredPoint(name, score, {"content": name, "tells_time": tells_time})


def test_the_event_overtakes_a_fact_that_mentions_it() -> None:
    hits = {
        MemoryType.SEMANTIC: [_hit("Aoife lives in Oranmore since April.", 0.48)],
        MemoryType.EPISODIC: [_hit("Aoife moved into the new house.", 0.46), _hit("Aoife rang.", 0.39)],
        MemoryType.PROSPECTIVE: [],
    }
    lifts = lift_events(hits, WHEN_EVENT_LIFT)
    assert set(lifts) == {"Aoife moved into the new house.", "Aoife rang."}
    assert [h.score for h in hits[MemoryType.EPISODIC]] == pytest.approx([0.51, 0.44])
    assert hits[MemoryType.SEMANTIC][0].score == 0.48


def test_an_event_whose_words_state_no_time_is_lifted_as_a_dated_fact_was() -> None:
    told = 0.1  # the tells_time term's weight: the dated fact's score below includes it
    hits = {
        MemoryType.SEMANTIC: [_hit("Since November 2025 Vicente does judo.", 0.53, tells_time=True)],
        MemoryType.EPISODIC: [
            _hit("Vicente passed his first judo grading.", 0.47),
            _hit("On Saturday Vicente had a judo gala.", 0.50, tells_time=True),
        ],
    }
    lifts = lift_events(hits, WHEN_EVENT_LIFT, {MemoryType.EPISODIC: told})
    assert lifts == pytest.approx(
        {
            "Vicente passed his first judo grading.": max(WHEN_EVENT_LIFT, told),
            "On Saturday Vicente had a judo gala.": WHEN_EVENT_LIFT,
        }
    )
    # Best first again: the event the fact mentions now above it.
    assert [h.score for h in hits[MemoryType.EPISODIC]] == pytest.approx([0.57, 0.55])
    assert hits[MemoryType.EPISODIC][0].score > hits[MemoryType.SEMANTIC][0].score


def test_an_event_that_merely_mentions_the_thing_stays_below_the_dated_fact_that_answers() -> None:
    told = 0.1
    hits = {
        MemoryType.SEMANTIC: [_hit("Since August butter comes from Pennine Dairy.", 0.53, tells_time=True)],
        MemoryType.EPISODIC: [_hit("Pennine Dairy short-delivered butter.", 0.42)],
    }
    lift_events(hits, WHEN_EVENT_LIFT, {MemoryType.EPISODIC: told})
    assert hits[MemoryType.EPISODIC][0].score < hits[MemoryType.SEMANTIC][0].score


def test_a_store_of_events_alone_is_left_as_it_is() -> None:
    turns = [_hit("Caroline: I went to the support group yesterday.", 0.5), _hit("Melanie: Nice!", 0.4)]
    hits = {MemoryType.EPISODIC: list(turns), MemoryType.SEMANTIC: [], MemoryType.PROCEDURAL: []}
    assert lift_events(hits, WHEN_EVENT_LIFT) == {}
    assert hits[MemoryType.EPISODIC] == turns


def test_only_a_question_that_asks_when_runs_it() -> None:
    assert asks_when("when did Aoife move house?") and asks_when("how long ago did the element go?")
    assert not asks_when("where does Aoife live?")
