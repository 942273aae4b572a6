"""The value an event says it left behind (memtypes/language/changes.py), and the events lifted over
the statement that states it (stages/changed_events.py)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from mnemo.memtypes.language.changes import leaves, left_values, retells_with_another_value
from mnemo.memtypes.queries import ScoredPoint
from mnemo.memtypes.types import MemoryType
from mnemo.retrieval.ranking.model import DEFAULT_MODEL
from mnemo.retrieval.stages.changed_events import lift_changed_events
from tests.unit.verdicts import answer_test

BIN_DAY = "Bin day is Tuesday morning: the black bin and the recycling boxes go out on alternate weeks."
FOOD = "Juni eats Lily's Kitchen adult dry food, two scoops in the morning and two in the evening."


@pytest.mark.parametrize(
    ("event", "left", "went"),
    [
        (
            "Our black bin collection moves from Tuesday to Wednesday (they've redrawn the rounds).",
            {"tuesday"},
            {"wednesday"},
        ),
        (
            "The vet thinks it's an intolerance, so we've switched her from Lily's Kitchen to Forthglade.",
            {"lily", "kitchen"},
            {"forthglade"},
        ),
        ("Dr Mulvey has increased her levothyroxine from 75 to 88 micrograms.", {"75"}, {"88"}),
        ("Standup moved from 9:00 to 9:30.", {"9:00"}, {"9:30"}),
        ("Switched the car insurance away from Admiral.", {"admiral"}, set()),
        ("Leo no longer goes to Cubs on Mondays.", {"cub", "monday"}, set()),
        # A month written short is the month: "sept 30" is "september 30".
        (
            "steel delays pushed substantial completion from sept 30 to october 29",
            {"september", "30"},
            {"october", "29"},
        ),
        ("Delayed the handover from 3 Feb to 10 Feb.", {"3", "february"}, {"10", "february"}),
        # "revised" is a verb of change as "raised" is; a sum keeps its currency sign
        ("Nick has revised his rate from $68 to $78 a square metre.", {"$68"}, {"$78"}),
        # a thing given up or stopped is the value left, whatever replaced it
        ("The van lives at the Elwood yard now, I gave up the Channahon spot.", {"channahon"}, set()),
        ("Moved gyms, stopped using the Südost card.", {"südost"}, set()),
        # "instead of" after the clause's own "now": a lasting change
        ("The settling-in now starts Monday 12 April instead of 1 April.", {"1", "april"}, set()),
    ],
)
def test_a_change_names_the_value_it_left(event: str, left: set[str], went: set[str]) -> None:
    assert left_values(event) == ((frozenset(left), frozenset(went)),)


@pytest.mark.parametrize(
    "text",
    [
        "Drove from York to Whitby for New Year.",  # a journey, no change of a value
        "The pool is open from Monday to Friday.",  # a span
        "Leo no longer takes a packed lunch.",  # no name or number to tell the value by
        "From January the squad's Tuesday session moves to Monday.",  # no value it moved from
        "Northern Mill delivered Extra Strong instead of Strong White.",  # a one-off as often as a change
        "The revised quote from Armando, after the tile upgrade, is 41,200 EUR.",  # who sent it
        "Gave up smoking in March.",  # a habit, no "the" or "my" thing held
        "Stopped at the Shell on the A1 for diesel.",  # a stop on the way
        "Had the Tuesday slot now and then instead of Friday.",  # "now and then" is no change
    ],
)
def test_what_is_no_change_away_from_a_value(text: str) -> None:
    assert left_values(text) == ()


def test_a_statement_is_left_behind_only_if_it_states_the_old_value_and_not_the_new() -> None:
    moved = "Letter from the council: from 4 January our bin collection moves from Tuesday to Wednesday."
    assert leaves(moved, BIN_DAY)
    assert leaves(moved, "The bins go out on Tuesdays.")  # a plural is the same day
    assert not leaves(moved, "Cubs is on Monday evenings.")
    assert not leaves(moved, "Bin day moved from Tuesday to Wednesday in January.")  # it tells the change


def test_a_month_written_short_leaves_the_month_stated_whole() -> None:
    pushed = "schedule update, steel delays pushed substantial completion from sept 30 to october 29"
    assert leaves(pushed, "substantial completion on the schedule is september 30")
    assert not leaves(pushed, "the crane comes back on october 29 for the roof")  # names the new value
    # "may" is a month only where written as one: "you may" is no value left.
    assert left_values("We moved the meeting from what you may remember to Friday.") == ()


test_a_number_told_again_in_the_same_words_is_a_value_given_anew = answer_test(
    retells_with_another_value,
    [
        # The same words, another number of the same form: the value given anew.
        (
            "Your minimum fee for small jobs is 45 EUR, which covers up to about 350 words.",
            "You sent your 2027 price list: technical 0,14 EUR per word, minimum fee 55 EUR.",
            True,
        ),
        (
            "gate code for the north gate is 4471 dont give it out to delivery drivers",
            "gave the rumpke driver the gate code, 5820, he'll be swapping early",
            True,
        ),
        (
            "Payment terms: net 30 from invoice date.",
            "Renewal signed: payment terms net 45 from the invoice date.",
            True,
        ),
        (
            "Lexis pay 0,11 EUR per new word, fuzzy matches on their own grid.",
            "Their rate goes up to 0,12 EUR per new word from 01.01.2027.",
            True,
        ),
        # A unit alone ties no two sums: two invoices.
        (
            "You invoiced Lexis Agency 1.240,50 EUR for job LX-2212.",
            "Invoice to Hafenkraft for manual part 2: 14.600 words at 0,14 EUR = 2.044,00 EUR.",
            False,
        ),
        # Another form is another kind of value ("45" a fee, "1.385" a rent).
        (
            "Your minimum fee for small jobs is 45 EUR a month.",
            "Rent for the flat: 1.385 EUR a month.",
            False,
        ),
        # It names the old value too: it may tell the change, or two things.
        ("Standup is at 9:00 in room 4.", "Standup at 9:30 in room 4 from Monday, not 9:00 any more.", False),
        # Dates and years are when things happened, not a standing value.
        (
            "The lease runs to 31.12.2026, rent paid monthly.",
            "The lease runs to 31.12.2027, rent paid monthly.",
            False,
        ),
        ("Mila is allergic to peanuts.", "Mila had 2 slices of cake at the party.", False),
        # A short unit right after the number is a word of its frame: watts told again.
        ("FTP 262 W (ramp test in November).", "Ramp test on the trainer: FTP 274 W at 80 kg.", True),
        # ... a unit alone is not enough, nor a word of the sentence after a number.
        ("Bought 2 kg of flour at the market.", "The parcel weighed 3 kg.", False),
        ("Ordered 2 x 2.5 L of the grey.", "Picked up 3 x 2.5 L tins of white.", False),
    ],
)


def fact(content: str, score: float) -> ScoredPoint:
    return ScoredPoint("fact", score, {"content": content, "created_ts": 0.0, "occurred_ts": 0.0})


def event(point_id: str, content: str, score: float) -> ScoredPoint:
    return ScoredPoint(point_id, score, {"content": content, "created_ts": 0.0, "occurred_ts": 90 * 86400.0})


# The fact's vector, one less alike it than two statements must be to restate one another (a cosine
# of 0.45), and one about something else (0.1).
VECTORS = {"fact": [1.0, 0.0], "alike": [0.45, 0.893], "unlike": [0.1, 0.995]}


async def read(memory_type: MemoryType, points: Sequence[ScoredPoint]) -> dict[str, list[float]]:
    return {p.id: VECTORS[p.id] for p in points}


@pytest.mark.parametrize(
    ("statement", "told", "lead", "lifted"),
    [
        (
            FOOD,
            ("alike", "Vet visit for Juni: we've switched her from Lily's Kitchen to Forthglade."),
            0.04,
            True,
        ),
        # Naming the value left is the evidence a time between two statements is: the whole margin.
        (BIN_DAY, ("alike", "Letter from the council: our bin moves from Tuesday to Wednesday."), 0.13, True),
        (
            BIN_DAY,
            ("alike", "Letter from the council: our bin moves from Tuesday to Wednesday."),
            0.16,
            False,
        ),
        # The same day of another thing: not alike enough.
        (BIN_DAY, ("unlike", "Maya's swim session moves from Tuesday to Monday."), 0.04, False),
        # A change that names no value of the statement: it must restate it, and half the margin.
        (FOOD, ("alike", "Vet visit for Juni: we've switched her to Forthglade turkey."), 0.04, False),
    ],
)
async def test_an_event_that_leaves_a_statements_value_is_lifted_over_it(
    statement: str, told: tuple[str, str], lead: float, lifted: bool
) -> None:
    hits = {MemoryType.SEMANTIC: [fact(statement, 0.6)], MemoryType.EPISODIC: [event(*told, 0.6 - lead)]}
    margin = 0.15
    share = DEFAULT_MODEL.changed_events.share
    lifts = await lift_changed_events(hits, margin * share, read, DEFAULT_MODEL, left_reach=margin)
    assert bool(lifts) is lifted
    if lifted:
        assert hits[MemoryType.EPISODIC][0].score > 0.6


@pytest.mark.parametrize(
    ("told", "lead", "lifted"),
    [
        # A later record of the new value in the statement's words: lifted within half the margin.
        (
            ("alike", "Gave the Rumpke driver the Maple Ridge gate code, 5820, for the early swap."),
            0.05,
            True,
        ),
        (
            ("alike", "Gave the Rumpke driver the Maple Ridge gate code, 5820, for the early swap."),
            0.09,
            False,
        ),
        # The same number in other words: no value given anew.
        (("alike", "Gave the Maple Ridge driver 5820 sheets of the site induction pack."), 0.05, False),
        # Given anew, but about something else: not alike enough.
        (
            ("unlike", "Gave the Rumpke driver the Maple Ridge gate code, 5820, for the early swap."),
            0.05,
            False,
        ),
    ],
)
async def test_an_event_that_gives_a_statements_value_anew_is_lifted_over_it(
    told: tuple[str, str], lead: float, lifted: bool
) -> None:
    gate = "Gate code for the Maple Ridge north gate is 4471; open it for delivery drivers."
    hits = {MemoryType.SEMANTIC: [fact(gate, 0.6)], MemoryType.EPISODIC: [event(*told, 0.6 - lead)]}
    margin = 0.15
    share = DEFAULT_MODEL.changed_events.share
    lifts = await lift_changed_events(hits, margin * share, read, DEFAULT_MODEL, left_reach=margin)
    assert bool(lifts) is lifted
