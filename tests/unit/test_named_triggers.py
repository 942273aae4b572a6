"""A pending reminder whose trigger names whom or where an open question about tasks names
(mnemo.retrieval.stages.named_triggers): which words of a trigger are names, when a question names
one, and which questions read them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mnemo.memtypes.formula import Excludes, Missing
from mnemo.memtypes.queries import MemoryFilter
from mnemo.retrieval.ranking.times.task_questions import task_question
from mnemo.retrieval.stages.named_triggers import (
    lists_a_kind,
    names_trigger,
    question_names,
    says_occasion,
    says_trigger,
    tells_arrival,
    trigger_names,
)
from tests.unit.verdicts import answer_test

NOW = datetime(2027, 4, 21, 13, 0, tzinfo=UTC)


test_the_names_a_trigger_says = answer_test(
    trigger_names,
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


test_a_question_that_tells_the_trigger_s_occasion = answer_test(
    says_trigger,
    [
        # Any question that tells the occasion in all the trigger's own words, in any form or case.
        ("phil the inspector is calling back", "when phil the inspector calls back", True),
        (
            "What should I do when the Landgericht's renewal decision arrives?",
            "when the Landgericht's decision on the renewal arrives",
            True,
        ),
        ("The OLED Deck arrived, what was I going to test", "when the OLED Deck arrives", True),
        ("kowalski's coming round later", "when kowalski comes round", True),
        # Part of the occasion only, or a word of it with another: not the occasion.
        ("marcus just pulled in, what did i need from him", "next time i see marcus", False),
        ("what's phil the inspector's email?", "when phil the inspector calls back", False),
        (
            "when does the renewal decision usually take?",
            "when the Landgericht's decision on the renewal arrives",
            False,
        ),
        # A trigger of one word of its own says too little.
        ("going to IKEA", "at IKEA", False),
        # A question of when it happens asks about the event; it does not tell it.
        ("when are Pat and Geoff getting here", "when Pat and Geoff are here", False),
        # An occasion named, not an event waited for: questions ask about it too.
        ("what night is choir practice on?", "at the next choir practice", False),
        ("anything done to the caravan since the caravan trip?", "before the next caravan trip", False),
    ],
)


test_news_that_someone_has_come = answer_test(
    tells_arrival,
    [
        ("sadie's on the phone", True),
        ("jonno's just come in", True),
        ("Mr. Fitch just knocked on my door. Was there something I needed to ask him?", True),
        ("Ernesto is on his way over. Is there anything I meant to give him?", True),
        ("Rachel is calling. Did I want to ask her anything?", True),
        ("marcus just pulled in, what did i need from him", True),
        ("I'm meeting Helen at noon", True),
        ("felix is in the office today, wanted to ask him something?", True),
        ("Kev's on site, anything for him?", True),
        # Not news of someone come: a question about them, or a past call.
        ("what's Sadie's number?", False),
        ("when did Jonno come in last week?", False),
        ("who called about the boiler in March?", False),
        ("where is the spare key in the office?", False),
    ],
)


test_the_words_of_a_trigger_s_occasion = answer_test(
    says_occasion,
    [
        # Every word of the occasion but those of time, grammar and meeting, in any form or case.
        ("sadie's on the phone", "when Sadie calls", True),
        ("jonno's just come in", "next time I see Jonno", True),
        ("marcus just pulled in, what did i need from him", "next time i see marcus", True),
        ("in a music shop in prague, need anything?", "next time I'm in a music shop", True),
        ("Mr. Fitch just knocked", "next time I talk to Mr. Fitch", True),
        # Someone's home said by the possessive alone.
        ("heading over to gran's, what did I want to do there?", "next time I'm at gran's house", True),
        ("heading over to gran's, what did I want to do there?", "next time I'm at Tom's house", False),
        # Part of the occasion only.
        ("in a shop in prague, need anything?", "next time I'm in a music shop", False),
        ("sadie's on the phone", "when the Hallorans call back", False),
    ],
)


test_whom_a_question_names = answer_test(
    question_names,
    [
        ("Maya's deadlines", {"maya"}),  # a possessive the question opens with is a name
        ("Pennine's van just pulled up, anything I need to do?", {"pennine"}),
        ("anything I need to sort for Pickle?", {"pickle"}),
        ("What's due for Pickle?", {"pickle"}),  # not "what"
        ("Today's list", set()),
        ("anything I need to do?", set()),
    ],
)


test_an_open_question_that_lists_a_kind_of_thing = answer_test(
    lists_a_kind,
    [
        ("netball stuff to sort", True),
        ("deck stuff still to do", True),
        # One that names whom it is about asks what was meant for the occasion.
        ("Ravi's calling me later - anything I wanted to ask him", False),
        ("what should I sort out when Minh turns up for the fit-off", False),
        ("whatsapp or sms reminders", False),
    ],
)
