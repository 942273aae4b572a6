"""What a question about tasks asks as a whole, in the ways speech and formal writing ask it
(mnemo.retrieval.ranking.times.task_questions): "gotta", a thing named between "what" and "do I have",
"what remains", "blew off", what is late or ahead asked as one, and windows of days in a named zone
across its change of clocks. Pinned to Friday 20 November 2026, 09:00 UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from mnemo.retrieval.ranking.times.task_questions import (
    asked_topics,
    asks_to_list,
    task_question,
    topic_stems,
)
from tests.unit.verdicts import answer_test

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)
FIRST = datetime.min.replace(tzinfo=UTC)
LAST = datetime.max.replace(tzinfo=UTC)


def d(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def window_of(query: str, now: datetime = NOW) -> tuple[datetime, datetime]:
    asked = task_question(query, now)
    assert asked is not None and asked.window is not None
    return asked.window.start, asked.window.end


@pytest.mark.parametrize(
    ("query", "start", "end"),
    [
        ("what do i gotta do this week", NOW, d(2026, 11, 23)),
        ("any tax paperwork i gotta do before the end of january", NOW, d(2027, 2, 1)),
        # A thing named between "what" or "which" and "do I have / need to", with a time named.
        ("what kid stuff do i got before christmas", NOW, d(2026, 12, 25)),
        ("Which client matters do I need to act on before the end of the year?", NOW, d(2027, 1, 1)),
        ("What remains for the rest of this week?", NOW, d(2026, 11, 23)),
    ],
)
def test_spoken_and_formal_questions_about_tasks_name_their_window(
    query: str, start: datetime, end: datetime
) -> None:
    assert window_of(query) == (start, end)


@pytest.mark.parametrize(
    "query",
    [
        # Asked of a situation, "what do I gotta do" asks for steps, as "need to do" does.
        "what do i gotta do before a kids weekend",
        # "what time" asks when.
        "we're at the wedding Saturday, what time do we need to be there?",
        # A thing one has, with no time named.
        "what kind of van do i got",
        # A clause that tells of the asker's situation, then one that asks something else: what went
        # wrong ("missed"), a time ahead ("tomorrow") or a plan are not what is asked.
        "Daniel's team missed the SLA again – how do I normally structure a vendor escalation note?",
        "Flying out tomorrow – what's the gate code for the Airbnb?",
        "I dropped the ball on the invoices, how do I word a polite reminder?",
        # A time with other words, or past.
        "what did we do in April?",
        "is the office open on Friday?",
        "who covers December?",
        "April 2026",
        # An event with other words, or since it.
        "since the move",
        "before I approve",
        "what did we eat before the berlin show?",
        "after Fionn's party, who drove?",
    ],
)
def test_other_questions_stay_apart_from_tasks(query: str) -> None:
    assert task_question(query, NOW) is None


def test_what_is_still_to_do_besides_what_was_blown_off_is_all_that_is_pending() -> None:
    asked = task_question("knee stuff i still gotta do including anything i blew off", NOW)
    assert asked is not None and asked.undone
    assert window_of("knee stuff i still gotta do including anything i blew off") == (FIRST, LAST)


def test_a_clause_joined_by_and_asks_only_what_is_overdue() -> None:
    assert window_of("is there anything we said we'd do and never did?") == (FIRST, NOW)


def test_what_is_outstanding_or_coming_up_asks_for_both() -> None:
    query = "Are there any health-related tasks outstanding or coming up in the next two months?"
    asked = task_question(query, NOW)
    assert asked is not None and asked.undone
    assert window_of(query) == (FIRST, d(2027, 1, 21))


def test_a_month_after_the_change_of_clocks_starts_at_its_own_midnight() -> None:
    """Asked in Berlin on 25 March 2027 (winter time, +01:00): April starts at midnight summer time
    (+02:00), 22:00 UTC on 31 March, and ends at midnight on 1 May, also summer time."""
    asked = datetime(2027, 3, 25, 8, tzinfo=ZoneInfo("Europe/Berlin"))
    assert window_of("what's coming up in april", asked) == (d(2027, 3, 31, 22), d(2027, 4, 30, 22))
    # A fixed offset keeps its own: the asker's clock as given.
    fixed = asked.astimezone(timezone(timedelta(hours=1)))
    assert window_of("what's coming up in april", fixed) == (d(2027, 3, 31, 23), d(2027, 4, 30, 23))


def test_a_time_told_before_the_question_still_times_what_it_asks_to_do() -> None:
    assert window_of("Off to the shops tomorrow, what do I need to get?") == (
        d(2026, 11, 21),
        d(2026, 11, 22),
    )
    assert window_of("Busy week next week, what have I got on?") == (d(2026, 11, 23), d(2026, 11, 30))


test_the_topic_a_question_about_tasks_names = answer_test(
    asked_topics,
    [
        ("What dad-related things do I still need to do?", {"dad"}),
        ("Rachel's asking – what wedding stuff is still on my list?", {"wedd"}),  # the asking clause
        ("What condo and moving admin do I still have pending?", {"condo", "mov"}),
        ("What do I still have to do for Zara?", {"zara"}),
        ("talking to Helen soon, anything I wanted to raise with her?", {"helen"}),
        ("anything I need to do?", set()),
        # Spoken: a filler and a question word are no topic.
        ("hey when's my next dentist, anything dentist to do", {"dentist"}),
        ("um what bills have i got coming up", {"bill"}),
    ],
)


def test_a_topic_is_matched_in_any_form() -> None:
    said = topic_stems("Pay the pre-wedding shoot balance; order dad's pills before the move.")
    assert {"wedd", "dad", "mov"} <= said


def test_a_consonant_doubled_before_an_ending_is_one() -> None:
    assert topic_stems("running shopping planned") == topic_stems("run shop plan")
    assert topic_stems("calling added passing") == topic_stems("call add pass")


@pytest.mark.parametrize(
    ("query", "all_ahead"),
    [
        ("what's coming up for fiadh", True),  # from now on, with no end
        ("footy jobs coming up", True),
        ("dad stuff due in the next two months?", False),  # a window with an end
        ("knee stuff i still gotta do including anything i blew off", False),  # all that is pending
        ("anything overdue?", False),
        ("anything I need to do?", False),  # no window
    ],
)
def test_a_window_of_all_that_is_ahead(query: str, all_ahead: bool) -> None:
    asked = task_question(query, NOW)
    assert asked is not None and asked.all_ahead is all_ahead


test_a_question_that_asks_for_a_list_of_things_to_do = answer_test(
    asks_to_list,
    [
        ("netball stuff to sort", True),
        ("medical aid admin outstanding", True),
        ("anything i need to do for the bike", True),
        ("whatsapp or sms reminders", False),  # reminders as a thing: a clinic's texts
        ("what happened with the double sms reminders at the clinic", False),
        ("How far in advance would I like to be reminded of tax and court deadlines?", False),  # manner
        ("ok if i hand out the lab report rubric the day before it's due?", False),  # leave
    ],
)
