"""How a later memory says it restates a value with another (stages/rank.py, stages/changed_events.py):
the words of a change ("going up to", "from 1/3", "from AMS on", "transferred to"), a month that is a
month and not a name that begins like one, a statement that names the other's value as the one it left,
an event that says a lasting change and gives the statement's number anew, and a word the question
names tying an event to a statement where the question asks the value now."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from mnemo.memtypes.language.changes import leaves
from mnemo.memtypes.queries import ScoredPoint
from mnemo.memtypes.types import MemoryType
from mnemo.retrieval.ranking.model import DEFAULT_MODEL
from mnemo.retrieval.stages.asked_values import Question
from mnemo.retrieval.stages.changed_events import lift_changed_events, tells_change, tells_lasting_change
from mnemo.retrieval.stages.rank import newer_first, states_change
from tests.unit.test_fact_rules import undated
from tests.unit.test_left_values import event, fact
from tests.unit.verdicts import answer_test

MARGIN = 0.15
HALF = MARGIN * DEFAULT_MODEL.changed_events.share


test_an_event_tells_a_change_by_these_words = answer_test(
    tells_change,
    [
        ("PDs going up to €30 a day in Europe from AMS on, Sadie signed it off.", True),
        ("Agnes is moving to her daughter's in Ayr for good on the 28th.", True),
        ("Call log: Gail has retired; both policies were transferred to agent Derrick Lowe.", True),
        ("Local rules amended: Tom Hirst is Radiation Protection Supervisor from 01.02.2027.", True),
        ("Meera's doing the cat's food and pill from 1/3.", True),
        ("Nick texted - labour's gone up, so he's revised his rate from $68 to $78/m2.", True),  # a sum
        ("Jess starts her leave on the 18th. From then Tom is my contact there.", True),
        ("Dr Osler shifted the standing osteo slot to Thursdays at 8am.", True),
        ("Parents' evening rescheduled to the 14th after the strike.", True),
        ("Transferred £500 to savings for the van.", False),  # money moved, no holder changed
        ("Moving the sofa upstairs took all afternoon.", False),
        ("Landed at six; the taxi came two hours from then.", False),  # a time, not a start
        ("Stipend in, £1,731.66 this month. New UKRI rate is £20,780/yr.", True),
        ("A new letter from the hospital came today.", False),
        ("Stand-up from 9.30 every day this week.", False),  # a time of day, not a date
        ("Picked up the cash from Marta after the show.", False),  # a name, not March
        ("Came back from the gig on Friday, knackered.", False),  # "on" a day, not "from … on"
    ],
)


test_a_statement_says_it_changed_by_these_words = answer_test(
    states_change,
    [
        ("PDs going up to €30 a day in Europe from AMS on.", True),
        ("Harbour Lights in C from now on.", True),
        ("From 1 February the rent is £925.", True),
        ("PDs: £20 a day in the UK, €25 a day in Europe, cash from Marta.", False),
        ("Parcels from Mayfield Farm come on Tuesdays.", False),
    ],
)


def test_instead_of_alone_tells_no_lasting_change() -> None:
    assert tells_change("Pennine Dairy short-delivered: 4 cases of butter instead of 6.")
    assert not tells_lasting_change("Pennine Dairy short-delivered: 4 cases of butter instead of 6.")
    assert tells_lasting_change("Their rate goes up to 0,12 EUR per new word instead of 0,11.")


def test_a_value_left_ends_where_a_clause_of_when_or_why_begins() -> None:
    plumber = "Vendor: Plumber - Ruiz Plumbing, Hector Ruiz. Service call $95; on both properties since 2012."
    change = "Vendor change: Judy no longer uses Ruiz Plumbing after the February no-show."
    assert leaves(change, plumber)
    assert not leaves("Judy no longer uses Capital City Plumbing after the move.", plumber)


def test_a_statement_that_names_the_others_value_as_left_overtakes_the_whole_margin() -> None:
    """Written in one batch, the older saying "since 2012": the value left tells which is the newer."""
    old = undated("old", "Vendor: Plumber - Ruiz Plumbing, Hector Ruiz. Worked for us since 2012.", 0.42, 13)
    new = undated(
        "new",
        "Vendor change: no longer uses Ruiz Plumbing after the no-show. Now Capital City Plumbing.",
        0.31,
        53,
    )
    assert set(newer_first([old, new], MARGIN)[1]) == {"new"}
    assert not newer_first([old, ScoredPoint("new", 0.26, new.payload)], MARGIN)[1]  # past the margin
    # Saying only that it changed, against an older that says "since": no newer by the words.
    said = undated(
        "new", "Vendor change: plumbing now goes to Capital City Plumbing (Hector Ruiz retired).", 0.39, 53
    )
    assert not newer_first([old, said], MARGIN)[1]


LEXIS = "Lexis Agency is your biggest client. They pay 0,11 EUR per new word, invoices within 30 days."
# The statement's vector; an event alike it under the pair's bar (0.45) but over the lower bar of a value
# given anew; one alike it by the pair's bar (0.6) but far from the question (-0.12, the statement 0.6).
VECTORS = {
    "fact": [1.0, 0.0, 0.0],
    "alike": [0.45, 0.893, 0.0],
    "close": [0.6, -0.6, 0.529],
    "query": [0.6, 0.8, 0.0],
}


async def read(memory_type: MemoryType, points: Sequence[ScoredPoint]) -> dict[str, list[float]]:
    return {p.id: VECTORS[p.id] for p in points}


@pytest.mark.parametrize(
    ("told", "lead", "lifted"),
    [
        # A lasting change and the number anew: the whole margin.
        ("Sanne phoned from Lexis: their rate goes up to 0,12 EUR per new word for new jobs.", 0.11, True),
        ("Sanne phoned from Lexis: their rate goes up to 0,12 EUR per new word for new jobs.", 0.16, False),
        # The number anew without a lasting change ("instead of" a one-off): half the margin.
        ("Lexis paid 0,12 EUR per new word instead of the usual on the rush job.", 0.11, False),
        ("Lexis PO for the catalogue: 0,12 EUR per new word.", 0.05, True),
    ],
)
async def test_an_event_that_says_a_lasting_change_and_gives_the_number_anew_overtakes_the_whole_margin(
    told: str, lead: float, lifted: bool
) -> None:
    hits = {MemoryType.SEMANTIC: [fact(LEXIS, 0.6)], MemoryType.EPISODIC: [event("alike", told, 0.6 - lead)]}
    lifts = await lift_changed_events(hits, HALF, read, DEFAULT_MODEL, left_reach=MARGIN)
    assert bool(lifts) is lifted


# No number of the one given anew in the other: only the tie can link them.
MORTGAGE = "mortgage is with huntington, 30 year at 6.9, payment comes out of joint checking on the first"
REFI = "signed the refi at huntington today, payment goes down and comes out of the credit union from march"


@pytest.mark.parametrize(
    ("question", "lifted"),
    [
        ("what's the mortgage payment these days", True),
        # Not asking the value now: a shared word alone, where no name is shared, ties nothing.
        ("what's the mortgage payment", False),
    ],
)
async def test_a_word_the_question_names_ties_an_event_to_a_statement_where_it_asks_now(
    question: str, lifted: bool
) -> None:
    """A store written without capitals names no names: where the question asks the value now, a word
    it names that both share ("payment") ties them, their meanings alike by the pair's own bar."""
    # The event is alike the statement by the pair's bar but far from the question: no two values of
    # it by nearness; within half the margin, so that only the tie decides.
    hits = {MemoryType.SEMANTIC: [fact(MORTGAGE, 0.42)], MemoryType.EPISODIC: [event("close", REFI, 0.37)]}
    lifts = await lift_changed_events(
        hits, HALF, read, DEFAULT_MODEL, Question(question, VECTORS["query"]), left_reach=MARGIN
    )
    assert bool(lifts) is lifted
    # Where names are written and none is shared, a shared word the question names ties nothing.
    named = {
        MemoryType.SEMANTIC: [fact(MORTGAGE.replace("huntington", "Huntington"), 0.42)],
        MemoryType.EPISODIC: [event("close", REFI.replace("huntington", "Fifth Third"), 0.37)],
    }
    assert not await lift_changed_events(
        named, HALF, read, DEFAULT_MODEL, Question(question, VECTORS["query"]), left_reach=MARGIN
    )


test_an_event_tells_a_change_by_these_further_words = answer_test(
    tells_change,
    [
        ("Joyce Pak retired. Wes's taxes move to Ron Ellis at Ellis & Roe CPAs.", True),
        ("Gary redid the projection -- bump federal estimates to $6,200 a quarter.", True),
        ("Camille revised the public-programming request down to $18,000.", True),
        ("Stood up the new staging RDS on PG 15 -> host clinic-staging-15.", True),
        ("Coach posted on Spond: from this week U16A trains Mondays and Wednesdays.", True),
        ("Bumped into Tom at the market; he says hi.", False),  # no value it went to
        ("The revised quote from Armando came in.", False),
        ("We move on Friday; boxes everywhere.", False),  # no place it went to
        ("Build 2.3->2.4 notes drafted.", False),  # an arrow inside a word is a version, not a change told
        ("The steering committee pushed Remit go-live to 6 May 2026.", True),
        ("Jen says we're dropping PT to once a week on Mondays.", True),
        ("Pushed the fix to prod before lunch.", False),  # a change shipped, no value it went to
        ("The boiler dropped to 0.6 bar overnight.", False),  # a reading, not a value set anew
    ],
)
