"""Two near-tied versions of one fact (stages/version_ties.py): for a question about now, the newer is put
just above the older where they restate one another about the question's subject; not where the older
leads by more than a tie, nor where the newer is about another subject, nor where it is not newer."""

from __future__ import annotations

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


async def test_without_now_two_versions_share_two_words_of_the_question() -> None:
    """Two statements with no time of their own, the later written holding "weekly" and "meeting" as
    the older does: put above; holding one of them only, left alone."""
    found = meetings(OLD_MEETING, NEW_MEETING)
    assert set(await order_ties(found, MEETING, QUERY, vectors_of(VECTORS), 0.03, HOUR)) == {"new"}
    one = meetings(
        "Weekly 1:1 with Fiona on Tuesdays at 10:00.", "Weekly 1:1 with Ruth on Thursdays at 14:00."
    )
    assert not await order_ties(one, MEETING, QUERY, vectors_of(VECTORS), 0.03, HOUR)


async def test_without_now_an_older_that_says_it_changed_is_the_current_value() -> None:
    """ "From now on …" says the older holds from some time on: a later statement is no newer version."""
    changed = "From now on the weekly meeting is on Tuesdays at 10:00 with Fiona."
    found = meetings(changed, NEW_MEETING)
    assert not await order_ties(found, MEETING, QUERY, vectors_of(VECTORS), 0.03, HOUR)


ACCOUNTANT = "who's my accountant"


async def test_without_now_a_question_of_one_subject_word_is_its_whole_subject() -> None:
    """ "who's my accountant" names one word beside what it asks: two statements holding it, the later
    written is put above; a later one without it is left alone."""
    found = meetings(
        "accountant: Fenna de Wit (De Wit Belastingadvies). yearly tax return, 650 a year.",
        "accountant: Joris Bakker, Cijferwerk Rotterdam. 85 a month fixed, tax return included.",
    )
    assert set(await order_ties(found, ACCOUNTANT, QUERY, vectors_of(VECTORS), 0.03, HOUR)) == {"new"}
    other = meetings(
        "accountant: Fenna de Wit (De Wit Belastingadvies). yearly tax return, 650 a year.",
        "bookkeeping: Joris Bakker, Cijferwerk Rotterdam. 85 a month fixed, tax return included.",
    )
    assert not await order_ties(other, ACCOUNTANT, QUERY, vectors_of(VECTORS), 0.03, HOUR)


async def test_a_question_word_typed_without_its_apostrophe_is_no_subject_word() -> None:
    """ "whens stammtisch" asks about the stammtisch alone: read as the plan reads it, typed ("when's"),
    two statements holding it, the later written is put above."""
    found = meetings(
        "Stammtisch with the gang: every Thursday from 20:00 at Café Linger.",
        "Stammtisch moved: first Friday of every month at Klunkerkranich.",
    )
    assert set(
        await order_ties(found, typed_form("whens stammtisch"), QUERY, vectors_of(VECTORS), 0.03, HOUR)
    ) == {"new"}


async def test_a_word_of_now_of_any_length_is_no_subject_word() -> None:
    """ "currently" says when, not what: the two versions need to share "rent" only, not "currently"."""
    found = meetings("rent is currently 950 a month, on the 1st.", "rent goes to 990 a month from March.")
    question = "how much is the rent currently?"
    assert set(await order_ties(found, question, QUERY, vectors_of(VECTORS), 0.03, HOUR)) == {"new"}


async def test_a_short_word_and_its_plural_or_verb_s_are_one_subject_word() -> None:
    """The older "sends" the paperwork, the newer says "send" it: one word of the question in both."""
    found = meetings(
        "Kauri Ridge: Dave does the paperwork himself and sends receipts as phone photos.",
        "Kauri Ridge: Karen now handles the paperwork; send requests to her email.",
    )
    question = "who should I send the paperwork requests to?"
    assert set(await order_ties(found, question, QUERY, vectors_of(VECTORS), 0.03, HOUR)) == {"new"}


async def test_a_rate_in_percent_answers_what_is_charged() -> None:
    """ "charging" asks an amount: a rate said as "two percent" is one, as "2 %" is."""
    found = meetings(
        "I factor my invoices with Prairie Capital at two and a half percent; my rep is Sheila.",
        "Sheila at Prairie Capital agreed to drop my factoring rate to two percent.",
    )
    question = typed_form("whats sheila charging me to factor")
    assert set(await order_ties(found, question, QUERY, vectors_of(VECTORS), 0.03, HOUR)) == {"new"}


async def test_a_name_asked_is_no_form_the_versions_are_read_by() -> None:
    """ "what's the weekly meeting called" asks a name, which the asked-detail check reads (no
    form of a text holds one): the versions are still compared, not failed on."""
    found = meetings(OLD_MEETING, NEW_MEETING)
    question = "what's the weekly meeting called"
    assert set(await order_ties(found, question, QUERY, vectors_of(VECTORS), 0.03, HOUR)) <= {"new"}
