"""Which questions ask in the past tense what happened (mnemo.retrieval.ranking.terms.past): the
events that tell it are lifted, by a little, over the standing facts about the same things; a
question in the present asks what holds, one of what one meant to do asks for a reminder."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mnemo.memtypes.types import SPECS, MemoryType
from mnemo.retrieval.options import RetrievalConfig, resolve_tuning
from mnemo.retrieval.ranking.model import DEFAULT_MODEL
from mnemo.retrieval.ranking.policy import RankingPolicy, ranking_policies
from mnemo.retrieval.ranking.terms.past import asks_in_past_tense
from tests.unit.verdicts import verdict_test

NOW = datetime(2026, 12, 8, 13, 30, tzinfo=UTC)

IN_THE_PAST = [
    "how did tyler do at hockey tryouts",
    "what did Helen say at the last QBR?",
    "how much did i gross on the memphis round trip plus the dallas load in november",
    "when was my last pm",
    "When did I file Oumar Diallo's arraigo application?",
    "what was the incident on my first on-call week",
    "how'd the weserstr viewing go",
    "Why didn't the eeg lab stay in the old building?",
    # The asking clause's tense, not an aside's.
    "the insurance form wants the police reference for the stolen bike, what was it?",
]
NOT_IN_THE_PAST = [
    "what's jen's phone number",
    "What does Juno's groomer charge?",
    "what lanes do i like to run",
    "where's the truck parked",
    "who's my guy at lakeshore logistics",
    "how many miles til my next pm",
    # An aside in the past, a question in the present.
    "Lisa said she was moving, what's her new address?",
    # What one meant to do: a reminder answers it.
    "im at the peterbilt dealer what did i want to ask em",
    "rohan calling soon, anything i was supposed to ask him?",
    "I'm popping into B&Q, what was I getting",
    "mamá y papá land in two weeks, was there something they're bringing?",
    "what did I need to do before the audit?",
    # No auxiliary at all.
    "my best batting and bowling this season?",
]


test_which_questions_ask_in_the_past_tense = verdict_test(asks_in_past_tense, IN_THE_PAST, NOT_IN_THE_PAST)


def _policies(query: str) -> dict[MemoryType, RankingPolicy]:
    config = RetrievalConfig()
    return ranking_policies(query, list(MemoryType), NOW, resolve_tuning(config, None), config, True)


def _lift(policy: RankingPolicy) -> float:
    component = policy.explain({"occurred_ts": NOW.timestamp(), "status": "pending"}, 0.5).components
    return component["past_events"].contribution if "past_events" in component else 0.0


def test_a_question_in_the_past_lifts_events_only() -> None:
    past = _policies("how did Tyler do at the tryouts?")
    for memory_type, policy in past.items():
        expected = DEFAULT_MODEL.past_events.weight if SPECS[memory_type].holds_events else 0.0
        assert _lift(policy) == pytest.approx(expected)
    present = _policies("what team does Tyler play for?")
    assert all(_lift(policy) == 0.0 for policy in present.values())


def test_a_question_of_when_something_happened_is_left_to_the_when_events_stage() -> None:
    # In the past tense, but the when-events stage lifts events for it; a second lift would put
    # events that mention the thing above the fact that states its date.
    assert asks_in_past_tense("when did they switch off the SAP connector?")
    when = _policies("when did they switch off the SAP connector?")
    assert all(_lift(policy) == 0.0 for policy in when.values())


def test_the_lift_is_smaller_than_the_lift_of_asking_how() -> None:
    # The tense tells which kind of memory answers less surely than "how do I" does: a fact much
    # nearer the question still comes first.
    assert 0.0 < DEFAULT_MODEL.past_events.weight < DEFAULT_MODEL.how_to.weight
