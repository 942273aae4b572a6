"""Two near-tied versions of one fact (stages/version_ties.py): for a question about now, the newer is put
just above the older where they restate one another about the question's subject; not where the older
leads by more than a tie, nor where the newer is about another subject, nor where it is not newer."""

from __future__ import annotations

import pytest

from mnemo.memtypes.language.text import typed_form
from mnemo.memtypes.queries import ScoredPoint
from mnemo.memtypes.types import MemoryType
from mnemo.retrieval.stages.version_ties import asks_a_value, asks_latest, is_newer, order_ties
from tests.unit.test_fact_rules import LOADED, written, written_hit
from tests.unit.test_retold_values import vectors_of

DAY = 86_400.0
HOUR = 3_600.0
QUESTION = "How much does dad weigh now?"
OLD = "dad weighed one seventy one on his bathroom scale the first week of december"
NEW = "weighed dad at home with his shoes off and he was one sixty four"
OTHER = "dad's home blood pressure this week averages one twenty eight over seventy six"
# cosines: question-old 0.8, question-new 0.75, old-new 0.6; the other far from both
VECTORS = {"old": [0.8, 0.6, 0.0], "new": [0.6, 0.8, 0.0], "other": [0.0, 0.0, 1.0]}
QUERY = [0.8, 0.6, 0.0]


def hits(new_score: float, new_text: str = NEW) -> dict[MemoryType, list[ScoredPoint]]:
    old = written_hit("old", 0.45, OLD, LOADED)
    new = written_hit("new", new_score, new_text, LOADED, LOADED - 10 * DAY)
    return {MemoryType.SEMANTIC: [old], MemoryType.EPISODIC: [new]}


async def test_the_newer_version_near_tied_is_put_just_above_the_older() -> None:
    found = hits(0.43)
    lifts = await order_ties(found, QUESTION, QUERY, vectors_of(VECTORS), 0.03, HOUR)
    assert set(lifts) == {"new"}
    assert 0.45 < found[MemoryType.EPISODIC][0].score < 0.4501


async def test_a_lead_past_a_tie_is_left_alone() -> None:
    assert not await order_ties(hits(0.40), QUESTION, QUERY, vectors_of(VECTORS), 0.03, HOUR)


async def test_a_newer_memory_about_another_subject_is_left_alone() -> None:
    """The older holds the question's "weigh"; a newer reading of his blood pressure does not."""
    found = hits(0.43, OTHER)
    assert not await order_ties(found, QUESTION, QUERY, vectors_of(VECTORS), 0.03, HOUR)


async def test_two_versions_that_do_not_restate_one_another_are_left_alone() -> None:
    far = VECTORS | {"new": [0.0, 0.6, 0.8]}  # old-new 0.36: under the bar
    assert not await order_ties(hits(0.43), QUESTION, QUERY, vectors_of(far), 0.03, HOUR)


def test_which_is_newer() -> None:
    undated = written(LOADED)
    event = {"content": "x", **written(LOADED, occurred=LOADED - 10 * DAY)}
    assert is_newer(event, {"content": "y", **undated}, HOUR)  # one import: the dated event
    assert not is_newer({"content": "y", **undated}, event, HOUR)
    since = {"content": "K = B6 since 1 Jul 2026", **written(LOADED)}
    before = {"content": "K = B5 since Mar 2019", **written(LOADED)}
    assert is_newer(since, before, HOUR) and not is_newer(before, since, HOUR)
    first, later = {"content": "a", **undated, "seq": 1}, {"content": "b", **undated, "seq": 2}
    assert is_newer(later, first, HOUR) and not is_newer(first, later, HOUR)


def test_which_questions_ask_a_value_as_it_stands() -> None:
    assert asks_a_value("How much does dad weigh now?")
    assert asks_a_value("when's my weekly supervisor meeting?")
    assert not asks_a_value("what was the rate before?")
    assert not asks_a_value("why did we switch to Dojo?")
    assert not asks_a_value("weekly supervisor meeting")  # a topic, not a question
    # the last value taken, asked in the past tense: the value as it stands
    assert asks_a_value("what did the extension cost in the end?")
    assert asks_latest("what's the latest figure for the roof?")
    assert not asks_latest("what did the extension cost?")


MEETING = "when's my weekly supervisor meeting?"
OLD_MEETING = "Weekly 1:1 with Fiona is on Tuesdays at 10:00 in her office. The lab meeting is on Mondays."
NEW_MEETING = "Marco's weekly 1:1 with Ruth is on Thursdays at 14:00. The lab meeting is Wednesdays at 09:30."


def meetings(old_text: str, new_text: str) -> dict[MemoryType, list[ScoredPoint]]:
    old = ScoredPoint("old", 0.52, {"content": old_text, **written(LOADED), "seq": 1})
    new = ScoredPoint("new", 0.515, {"content": new_text, **written(LOADED), "seq": 2})
    return {MemoryType.SEMANTIC: [old, new]}


async def lifted(found: dict[MemoryType, list[ScoredPoint]], question: str) -> set[str]:
    """The ids put just above their older version, for a question about now."""
    return set(await order_ties(found, question, QUERY, vectors_of(VECTORS), 0.03, HOUR))


ACCOUNTANT = "who's my accountant"
FENNA = "accountant: Fenna de Wit (De Wit Belastingadvies). yearly tax return, 650 a year."


@pytest.mark.parametrize(
    ("question", "older", "newer"),
    [
        # Two statements with no time of their own, the later written holding "weekly" and "meeting"
        # as the older does.
        pytest.param(MEETING, OLD_MEETING, NEW_MEETING, id="two-words-of-the-question"),
        # "who's my accountant" names one word beside what it asks: both hold it.
        pytest.param(
            ACCOUNTANT,
            FENNA,
            "accountant: Joris Bakker, Cijferwerk Rotterdam. 85 a month fixed, tax return included.",
            id="one-subject-word-is-the-whole-subject",
        ),
        # "whens stammtisch" asks about the stammtisch alone, read as the plan reads it, typed ("when's").
        pytest.param(
            typed_form("whens stammtisch"),
            "Stammtisch with the gang: every Thursday from 20:00 at Café Linger.",
            "Stammtisch moved: first Friday of every month at Klunkerkranich.",
            id="question-word-typed-without-apostrophe",
        ),
        # "currently" says when, not what: the two versions need to share "rent" only.
        pytest.param(
            "how much is the rent currently?",
            "rent is currently 950 a month, on the 1st.",
            "rent goes to 990 a month from March.",
            id="word-of-now-of-any-length",
        ),
        # The older "sends" the paperwork, the newer says "send" it: one word of the question in both.
        pytest.param(
            "who should I send the paperwork requests to?",
            "Kauri Ridge: Dave does the paperwork himself and sends receipts as phone photos.",
            "Kauri Ridge: Karen now handles the paperwork; send requests to her email.",
            id="short-word-and-its-plural-or-verb-s",
        ),
        # "charging" asks an amount: a rate said as "two percent" is one, as "2 %" is.
        pytest.param(
            typed_form("whats sheila charging me to factor"),
            "I factor my invoices with Prairie Capital at two and a half percent; my rep is Sheila.",
            "Sheila at Prairie Capital agreed to drop my factoring rate to two percent.",
            id="rate-in-percent-answers-what-is-charged",
        ),
    ],
)
async def test_without_now_the_later_written_version_of_the_subject_is_put_above(
    question: str, older: str, newer: str
) -> None:
    assert await lifted(meetings(older, newer), question) == {"new"}


@pytest.mark.parametrize(
    ("question", "older", "newer"),
    [
        # The two hold one word of the question only ("weekly", not "meeting").
        pytest.param(
            MEETING,
            "Weekly 1:1 with Fiona on Tuesdays at 10:00.",
            "Weekly 1:1 with Ruth on Thursdays at 14:00.",
            id="one-word-of-the-question-of-two",
        ),
        # "From now on …" says the older holds from some time on: a later statement is no newer version.
        pytest.param(
            MEETING,
            "From now on the weekly meeting is on Tuesdays at 10:00 with Fiona.",
            NEW_MEETING,
            id="older-says-it-changed",
        ),
        # The later one does not hold the question's one subject word.
        pytest.param(
            ACCOUNTANT,
            FENNA,
            "bookkeeping: Joris Bakker, Cijferwerk Rotterdam. 85 a month fixed, tax return included.",
            id="later-without-the-subject-word",
        ),
    ],
)
async def test_without_now_versions_not_both_of_the_subject_are_left_alone(
    question: str, older: str, newer: str
) -> None:
    assert not await lifted(meetings(older, newer), question)


async def test_a_name_asked_is_no_form_the_versions_are_read_by() -> None:
    """ "what's the weekly meeting called" asks a name, which the asked-detail check reads (no
    form of a text holds one): the versions are still compared, not failed on."""
    found = meetings(OLD_MEETING, NEW_MEETING)
    assert await lifted(found, "what's the weekly meeting called") <= {"new"}
