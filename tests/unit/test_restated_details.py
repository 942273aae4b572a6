"""One detail of one thing told twice with another value (stages/restated_details.py): for a question
that asks a value as it stands, a later event that tells the asked detail of an older fact's thing with
another value is put just above the fact; not where it tells the same value again, another detail, or
another thing, nor where it is not newer or the question asks an earlier value."""

from __future__ import annotations

from mnemo.memtypes.queries import ScoredPoint
from mnemo.memtypes.types import MemoryType
from mnemo.retrieval.ranking.asked.value_forms import Kind, values_of
from mnemo.retrieval.stages.restated_details import order_restated
from tests.unit.test_fact_rules import LOADED, written, written_hit
from tests.unit.test_retold_values import vectors_of

DAY = 86_400.0
HOUR = 3_600.0
MARGIN = 0.15
CHOIR = "when is choir practice now?"
FACT = "Choir practice: Thursdays 6 pm at St Brigid's hall, bring the folder."
MOVED = "St Brigid's choir: practice on Tuesdays at 6:30 pm from February."
# cosines: fact-event 0.6 (they restate one another); far: 0.0
NEAR = {"fact": [0.8, 0.6, 0.0], "event": [0.6, 0.8, 0.0]}
FAR = {"fact": [1.0, 0.0, 0.0], "event": [0.0, 0.0, 1.0]}


def store(event_text: str, event_score: float = 0.35, occurred: float = LOADED - 10 * DAY) -> dict:
    """An undated fact and a dated event written in one import, the fact ahead by its words."""
    fact = ScoredPoint("fact", 0.45, {"content": FACT, **written(LOADED)})
    event = written_hit("event", event_score, event_text, LOADED, occurred)
    return {MemoryType.SEMANTIC: [fact], MemoryType.EPISODIC: [event]}


async def test_a_later_event_telling_the_asked_detail_anew_is_put_just_above_the_fact() -> None:
    """Both state the day and time of St Brigid's choir practice; the event another one: the fact's
    lead of 0.1 is overtaken, by no more than needed."""
    found = store(MOVED)
    assert set(await order_restated(found, CHOIR, vectors_of(NEAR), MARGIN, HOUR)) == {"event"}
    assert 0.45 < found[MemoryType.EPISODIC][0].score < 0.4501


async def test_the_same_value_told_again_is_no_change() -> None:
    same = "St Brigid's choir: practice as ever on Thursdays 6 pm, new hymn books."
    assert not await order_restated(store(same), CHOIR, vectors_of(NEAR), MARGIN, HOUR)
    among = "St Brigid's choir: practice Thursdays 6 pm as ever; the concert is Friday 7 pm."
    assert not await order_restated(store(among), CHOIR, vectors_of(NEAR), MARGIN, HOUR)


async def test_an_event_without_the_asked_detail_is_left_alone() -> None:
    """ "when" asks a time: an event of the same choir that names none tells another detail."""
    other = "St Brigid's choir: new folders for everyone, the hall heating fixed."
    assert not await order_restated(store(other), CHOIR, vectors_of(NEAR), MARGIN, HOUR)


async def test_another_thing_or_another_meaning_is_left_alone() -> None:
    """No name shared (another activity's day), or not alike in meaning."""
    other = "Ruth's pottery class: on Tuesdays at 6:30 pm from February."
    assert not await order_restated(store(other), CHOIR, vectors_of(NEAR), MARGIN, HOUR)
    assert not await order_restated(store(MOVED), CHOIR, vectors_of(FAR), MARGIN, HOUR)


async def test_a_lead_past_the_margin_or_an_older_event_is_left_alone() -> None:
    assert not await order_restated(store(MOVED, 0.25), CHOIR, vectors_of(NEAR), MARGIN, HOUR)
    before = store(MOVED, occurred=LOADED - 10 * DAY)
    before[MemoryType.SEMANTIC][0].payload.update(written(LOADED, occurred=LOADED - 5 * DAY))
    assert not await order_restated(before, CHOIR, vectors_of(NEAR), MARGIN, HOUR)


async def test_a_person_asked_is_not_read_by_the_names_an_event_writes() -> None:
    """ "who's my dentist?": an event names the people of its day, not only the one in the role asked
    (the check-up's dentist, a receptionist, a referral), so names tell no other value of the role."""
    fact = ScoredPoint(
        "fact", 0.39, {"content": "Dentist: Dr Anna Petrovic at Kingsland Dental.", **written(LOADED)}
    )
    event = written_hit(
        "event", 0.3, "six-monthly check-up at Kingsland Dental with Dr Hamish Lowe.", LOADED, LOADED - DAY
    )
    found = {MemoryType.SEMANTIC: [fact], MemoryType.EPISODIC: [event]}
    assert not await order_restated(found, "who's my dentist?", vectors_of(NEAR), MARGIN, HOUR)


async def test_an_older_event_is_no_fact_a_later_event_restates() -> None:
    """Two events of one matter tell two days of its own (a letter of a change, a later filing): the
    older of two events is left to the scores."""
    found = store(MOVED)
    fact = found.pop(MemoryType.SEMANTIC)[0]
    fact.payload.update(written(LOADED, occurred=LOADED - 40 * DAY))
    found[MemoryType.EPISODIC].insert(0, fact)
    assert not await order_restated(found, CHOIR, vectors_of(NEAR), MARGIN, HOUR)


async def test_a_later_written_statement_is_no_newer_record() -> None:
    """Two facts with no time of their own: a later-written fact states another detail of a person as
    often as it tells the count anew."""
    old = ScoredPoint(
        "fact", 0.45, {"content": "I do PT with Jen twice a week, Mondays.", **written(LOADED), "seq": 1}
    )
    new = ScoredPoint(
        "event", 0.4, {"content": "PT with Jen is once a week now.", **written(LOADED), "seq": 2}
    )
    found = {MemoryType.SEMANTIC: [old, new]}
    question = "how many times a week am i doing pt"
    assert not await order_restated(found, question, vectors_of(NEAR), MARGIN, HOUR)


async def test_a_shared_name_without_a_word_of_the_question_is_another_thing() -> None:
    """Every note of a shop names it: a hire's shift times at Chorlton tell nothing of its opening."""
    fact = ScoredPoint(
        "fact", 0.45, {"content": "Chorlton opens at 07:30 Tuesday to Friday.", **written(LOADED)}
    )
    hire = written_hit(
        "event", 0.4, "Hired Hamza at Chorlton, Tuesday to Friday 07:00-13:00.", LOADED, LOADED - DAY
    )
    found = {MemoryType.SEMANTIC: [fact], MemoryType.EPISODIC: [hire]}
    question = "what time does Chorlton open on a Wednesday?"
    assert not await order_restated(found, question, vectors_of(NEAR), MARGIN, HOUR)


async def test_a_lower_case_store_ties_by_a_word_of_the_question() -> None:
    fact = ScoredPoint("fact", 0.45, {"content": "quarterly estimates: $4,800/quarter", **written(LOADED)})
    event = written_hit(
        "event", 0.4, "gary redid the projection, estimates go to $6,200 a quarter", LOADED, LOADED - DAY
    )
    found = {MemoryType.SEMANTIC: [fact], MemoryType.EPISODIC: [event]}
    question = "how much is each quarterly estimate now"
    assert set(await order_restated(found, question, vectors_of(NEAR), MARGIN, HOUR)) == {"event"}


async def test_a_question_about_an_earlier_value_asks_nothing_of_it() -> None:
    """The stage's weight is 0 for a question that does not say now (asked_values.asks_now); a question that
    asks no kind of value by form or by names moves nothing either."""
    assert not await order_restated(store(MOVED), "tell me about choir", vectors_of(NEAR), MARGIN, HOUR)


def test_a_value_is_read_whole() -> None:
    """The form finds "$4" in "$4,800/quarter"; the value is the words it is found in."""
    assert values_of(Kind.MONEY, "estimates: $4,800/quarter; no state tax") == {"$4,800/quarter"}
    assert values_of(Kind.DAY, "training Tuesdays and Thursdays 5pm.") == {"tuesdays", "thursdays"}
    assert values_of(Kind.DATE, "before the trip in March 2027") == {"march", "2027"}
    assert values_of(Kind.MONEY, "factoring at two percent") == {"percent"}
    assert not values_of(Kind.PERSON, "Dr Anna Petrovic")
    # A sum said in words is no count; "a couple" says no number.
    said = "put in a new filter, a hundred forty nine dollars, good for another couple years"
    assert not values_of(Kind.COUNT, said)
    assert values_of(Kind.COUNT, "takes a sixteen by twenty five by one filter") == {"16", "25", "one"}
