"""Which texts state a time or since when they hold, and which queries ask when
(mnemo.memtypes.language.time_mentions)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mnemo.memtypes.language.time_mentions import (
    asks_when,
    asks_when_happened,
    holds_from,
    keeps_schedule,
    mentions_time,
    speaks_ahead,
)
from tests.unit.verdicts import verdict_test, yes_and_no

STATED_TIMES = [
    "I went to a support group yesterday and it was powerful.",
    "We're going camping next month!",
    "I ran a charity race last Saturday.",
    "That was two weeks ago, I think.",
    "A few days ago I painted a sunrise.",
    "On Friday we signed the lease.",
    "I started in March and loved it.",
    "Back in 2019 I lived in Osaka.",
    "See you tonight.",
    "We met over the weekend.",
    "Since May I've been running daily.",
    "Mel's birthday is on 12/07.",
    "last summer we went to the lake",
    "this morning I fed the cat",
    "Island Hospital confirmed dad's review with Dr Lee on 30 Mar at 10.15am.",  # a month shortened
    "proposed on Sept 20th at Fort Canning",
    "Dec. 4: invoice sent",
]
NO_STATED_TIME = [
    "The charity race was really well organised.",
    "May I ask you something?",  # "may" the verb
    "It took a week to finish.",  # a duration, not a time
    "I love painting sunrises.",
    "Order 17 arrived damaged.",
    "You may want to try yoga.",
    "Nothing will mar the view.",  # a shortened month's letters, with no day beside them
    "I ate 12 mars bars.",
]
WHEN_QUESTIONS = [
    "When did Melanie run a charity race?",
    "What year did John start surfing?",
    "Which month did they move?",
    "In what year was the house built?",
    "How long ago was Caroline's 18th birthday?",
    "How many days passed between the two trips?",
    "How many weeks ago did I read the book?",
    "I forgot, when was the concert?",
    "What date is the wedding?",
    "dentist when?",  # a note's terse question ends with it
    "sprint planning when",
]
OTHER_QUESTIONS = [
    "What did Melanie paint?",
    "How many days did I spend in Rome?",  # a duration
    "Where did I buy my bookshelf?",
    "What time management tips did you give me?",
    "Tell me what happens whenever I skip breakfast.",
]


WHEN_IT_HAPPENED = [
    "When did Melanie run a charity race?",
    "when exactly did the paper go in?",
    "What year did John start surfing?",
    "Which month did they move?",
    "In what year was the house built?",
    "How long ago was Caroline's 18th birthday?",
    "How many weeks ago did I read the book?",
    "I forgot, when was the concert?",
    "since when do I have settled status?",  # when it began
]
WHEN_AHEAD_OR_NOW = [
    "What date is the wedding?",
    "when's the exec call with Helen?",
    "when does my citizen card run out?",
    "Fionn's birthday, what do we get him and when is the party?",
    "when are Miguel and Oliver coming?",
    "How many days passed between the two trips?",  # asks how long, not when
]
WHEN_OPENS_A_CLAUSE = ["what did Seamus find when he did the boiler?"]


test_which_texts_state_a_time = verdict_test(mentions_time, STATED_TIMES, NO_STATED_TIME)


SCHEDULES = [
    "calls with my parents: Sundays at 17:00 Berlin time",  # a day of every week
    "sup mtgs are thurs 11am from now on",  # a day and a time of day, shortened
    "1:1 w/ Kwame: weekly, Tue 15:00.",
]
NO_SCHEDULE = [
    "Monday's agenda is long.",  # a day's, not a day of every week
    "We sat 12 people at the long table.",  # "sat" the verb
    "I ran a charity race last Saturday.",
]


test_which_texts_state_the_time_a_schedule_keeps = verdict_test(keeps_schedule, SCHEDULES, NO_SCHEDULE)


test_which_questions_ask_when = verdict_test(asks_when, WHEN_QUESTIONS, OTHER_QUESTIONS)


@pytest.mark.parametrize(("query", "happened"), yes_and_no(WHEN_IT_HAPPENED, WHEN_AHEAD_OR_NOW))
def test_which_questions_ask_when_something_happened(query: str, happened: bool) -> None:
    assert asks_when(query)  # each asks when
    assert asks_when_happened(query) == happened


@pytest.mark.parametrize("query", WHEN_OPENS_A_CLAUSE)
def test_a_when_that_opens_a_clause_asks_nothing(query: str) -> None:
    assert not asks_when(query) and not asks_when_happened(query)


@pytest.mark.parametrize(
    ("text", "start", "days"),
    [
        ("Since 14 Sep 2026 Noor reports to Aoife Kinsella (VP Eng).", "2026-09-14", 1),
        ("levothyroxine 75 micrograms (for an underactive thyroid since 2009)", "2009-01-01", 365),
        ("Platform team = 6 ICs since Mar 2026: Katrin, Kwame, Tomasz.", "2026-03-01", 31),
        ("Core API SLOs from Q1 2027: availability 99.95%.", "2027-01-01", 90),
        ("The desk rate is €185 as of 1st February, 2026.", "2026-02-01", 1),
        ("Policy effective 2026-09-01.", "2026-09-01", 1),
        # Of several, the latest: the value's current start.
        ("A €450 rate from 2024, €520 from 1 January 2026.", "2026-01-01", 1),
        # A span whose end gives the year: it holds from its start.
        ("The project is signed: 30 days from January to March 2026, invoiced monthly.", "2026-01-01", 31),
        ("Cover from 12 Jan until 3 Mar 2026.", "2026-01-12", 1),
        ("Winter hours from November to February 2027.", "2026-11-01", 30),
    ],
)
def test_a_statement_says_the_period_it_holds_from(text: str, start: str, days: int) -> None:
    period = holds_from(text)
    assert period is not None
    assert datetime.fromtimestamp(period[0], UTC).date().isoformat() == start
    assert round((period[1] - period[0]) / 86_400) == days


@pytest.mark.parametrize(
    "text",
    [
        "Since the three Bluebelles came, the flock is seven.",  # says it changed, not when
        "She increased the dose from 75 to 88 micrograms.",
        "Since May the standup is async.",  # no year: which May is the reader's guess
        "Since 31 February 2026 nothing.",  # no such day
        "Datadog log volume up 40% since July.",
        "Open from May to June.",  # a span that names no year
    ],
)
def test_a_statement_without_a_dated_start_has_none(text: str) -> None:
    assert holds_from(text) is None


AHEAD = [
    "which school is Matilde going to in September?",
    "what will we do in May?",
    "I'm going to Lisbon in May, what do I pack?",
    "what are we planning to do in August?",
    "when's she due to start?",
]
NOT_AHEAD = [
    "when did Gerry start going to the physio?",
    "what did I do in May?",
    "we were going to move in May, why didn't we?",
    "is there anything in September?",
]


test_a_question_of_what_is_to_come_speaks_ahead = verdict_test(speaks_ahead, AHEAD, NOT_AHEAD)
