"""Times named by an event: the clause read off a query, whether an event says its words, and the
window the event found gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mnemo.retrieval.ranking.times.event_anchors import (
    AnchorClause,
    anchor_clause,
    anchored_window,
    due_anchored_window,
    names_deadline,
    names_itself,
    names_itself_alone,
    says_clause,
    without_clause,
)

NOW = datetime(2026, 6, 12, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("query", "phrase", "ahead"),
    [
        ("what have we done since we moved?", "since we moved", False),
        ("what have we done since we moved to Lisbon?", "since we moved to Lisbon", False),
        ("anything new since we switched to Flogas", "since we switched to Flogas", False),
        ("where did I work before I switched jobs?", "before I switched jobs", False),
        ("what did we buy after the wedding?", "after the wedding", False),
        ("how's the app doing since the last release?", "since the last release", False),
        ("which incidents did we have before Marcus left?", "before Marcus left", False),
        ("what QBRs have we held since Dean took over from Lucy?", "since Dean took over from Lucy", False),
        ("what did we do with the kids before Maeve was born?", "before Maeve was born", False),
        ("tickets since the order form was signed, and whose", "since the order form was signed", False),
        ("what changed after our wedding", "after our wedding", False),
        ("since she finally started, what has she done?", "since she finally started", False),
        ("what do I need to do before the move?", "before the move", True),
        ("anything due after the audit?", "after the audit", True),
        ("what's left before the wedding?", "before the wedding", True),
        ("what do I need to do before Fionn's party?", "before Fionn's party", True),
        ("anything due before Vicente's health check?", "before Vicente's health check", True),
        ("anything due before the next QBR?", "before the QBR", True),  # "next" says only that it is ahead
        ("anything due after the QBR in Bristol?", "after the QBR in Bristol", True),
        ("what's left to do before the V300 exam", "before the V300 exam", True),  # a code, not a number
        ("since the Q3 review, what changed?", "since the Q3 review", False),
        # Ahead, the verb is in the present: a subject and its verb name the event.
        ("what's due after Dai starts the bathroom", "after Dai starts the bathroom", True),
        ("anything I need to do before we move?", "before we move", True),
        # A period or occasion of one's own calendar, as a bare compound: the store says when it is.
        ("anything due before half-term?", "before half-term", True),
        ("anything due after half-term?", "after half-term", True),
        ("what needs doing before go-live?", "before go-live", True),
        # A bare code: an acronym or a version names a conference, an exam or a release ahead.
        ("open items before GDC", "before GDC", True),
        ("what do I need to ship before v1.2", "before v1.2", True),
        ("anything due after v2?", "after v2", True),
        ("anything due before the 1.2 release?", "before the 1.2 release", True),
    ],
)
def test_a_clause_naming_an_event_past_or_ahead_is_read(query: str, phrase: str, ahead: bool) -> None:
    relation, clause = phrase.split(" ", 1)
    assert anchor_clause(query, ahead=ahead) == AnchorClause(relation, clause, phrase, ahead)


@pytest.mark.parametrize(
    ("query", "ahead"),
    [
        ("what have we done since May?", False),  # a month: the calendar's
        ("since 2022", False),
        ("what happened after the weekend?", False),
        ("anything due before the end of the month?", False),
        ("since the 3rd of June", False),
        ("since last spring", False),
        ("what's left before the next QBR?", False),  # ahead: no event yet
        ("how long since we moved?", False),  # asks for the span: the event is the answer
        ("how many days since I quit smoking?", False),
        ("what did we do the week before the move?", False),  # a span around the event
        ("before I forget, what's on tomorrow?", False),  # not in the past
        ("what should I do after I finish the report?", False),
        ("should I make coffee for Nuala after the choir?", False),  # a habit, not an event that happened
        ("can we meet after the standup?", False),
        ("since then nothing happened", False),
        ("since Christmas", False),
        ("who was here before Tomás?", False),  # a name without a verb
        ("what is my favourite colour?", False),
        ("anything due before next week?", True),
        ("anything due before the next week?", True),
        ("what's left before the end of the month?", True),
        ("anything due before Friday?", True),
        ("anything due after the 3rd?", True),
        ("what do I need to do before Fionn?", True),  # a name alone, not its event
        ("before I forget, anything I need to do?", True),
        ("anything due before it starts?", True),  # "it": which event, the store cannot say
        ("what have we done since the 2026 offsite?", False),  # a year is a time
        ("what did we do after Dai starts?", False),  # in the past, the verb must be too
        ("anything due before year-end?", True),  # a time of the calendar
        ("what did we do before half-term?", False),  # a bare compound is read only of what is ahead
        # A deadline's shorthand, a quarter, a time of day or a zone is the calendar's, not a code.
        ("anything due before EOD?", True),
        ("anything due before COB?", True),
        ("anything due before Q3?", True),
        ("anything due before FY27?", True),
        ("anything due before 9AM?", True),
        ("anything due before 5pm EST?", True),
        ("what did we do before GDC?", False),  # a bare code is read only of what is ahead
    ],
)
def test_a_time_of_the_calendar_or_no_event_is_not_an_anchor(query: str, ahead: bool) -> None:
    assert anchor_clause(query, ahead=ahead) is None


def test_the_clause_ends_where_another_begins() -> None:
    found = anchor_clause("What did we fix after the last release and who fixed it?")
    assert found is not None and found.clause == "the last release"


def test_an_event_says_the_clause_when_it_has_every_word_that_names_something() -> None:
    moved = AnchorClause("since", "we moved into Fernanda's flat", "since we moved into Fernanda's flat")
    assert says_clause(moved, "The family moved into Fernanda's flat in Alvalade for the renovation.")
    assert not says_clause(moved, "The family moved back into the flat in Arroios.")
    assert not says_clause(AnchorClause("since", "we got it", "since we got it"), "We got it.")


def test_since_an_event_runs_from_just_after_it_until_now() -> None:
    moved = datetime(2026, 3, 14, 9, tzinfo=UTC)
    since = anchored_window(AnchorClause("since", "we moved", "since we moved"), moved, NOW)
    assert since is not None and moved < since.start < datetime(2026, 3, 14, 9, 0, 2, tzinfo=UTC)
    assert since.end == NOW and since.phrase == "since we moved"
    before = anchored_window(AnchorClause("before", "we moved", "before we moved"), moved, NOW)
    assert before is not None and before.end == moved and before.start.year == 1970


def test_an_event_not_before_now_gives_no_window() -> None:
    later = datetime(2026, 7, 1, tzinfo=UTC)
    assert anchored_window(AnchorClause("since", "we moved", "since we moved"), later, NOW) is None


def test_a_name_s_event_or_a_coming_one_is_only_read_for_a_question_about_what_is_due() -> None:
    assert anchor_clause("what did we do before Fionn's party?") is None
    assert anchor_clause("anything due before the next QBR?") is None


def test_a_reminder_for_the_event_does_not_name_it() -> None:
    clause = AnchorClause("before", "the move", "before the move", True)
    assert names_itself(clause, "We move into the new flat in Campo de Ourique on 12 March.")
    assert names_itself(clause, "The move: the van comes at nine.")
    assert not names_itself(clause, "Book the removal van for the move.")
    assert not names_itself(clause, "Pack the kitchen before the big move.")
    assert not names_itself(clause, "Water the plants.")


def test_an_event_named_as_what_a_thing_is_of_is_not_the_event_itself() -> None:
    fair = AnchorClause("before", "the science fair", "before the science fair", True)
    assert names_itself_alone(fair, "Dunmore Science Fair on Thursday, April 29: judging 9 to noon.")
    assert names_itself_alone(fair, "The science fair.")
    assert names_itself(fair, "Science fair check-in forms are due from students on Friday.")
    assert not names_itself_alone(fair, "Science fair check-in forms are due from students on Friday.")
    assert not names_itself_alone(fair, "Science fair set-up in the gym with Jenna.")
    assert not names_itself_alone(fair, "Book the science fair judges' lunch.")
    half_term = AnchorClause("before", "half-term", "before half-term", True)
    assert not names_itself_alone(half_term, "Pat and Geoff arrive for half-term, around lunchtime.")
    assert names_itself_alone(half_term, "Half-term: the kids are off from 15 Feb.")


def test_an_event_ahead_said_as_a_verb_is_named_by_its_noun() -> None:
    starts = AnchorClause("before", "the Okafor patio starts", "before the Okafor patio starts", True)
    assert names_itself(starts, "Okafor patio start, Crew B on site 7:30.")
    assert not names_itself(starts, "Call 811 for the Okafor locate (before the 4/19 start).")
    assert not names_itself(starts, "Order pavers for the Okafor patio start.")
    glass = AnchorClause("after", "the glass class", "after the glass class", True)
    assert names_itself(glass, "Glass class at the studio, 7 pm.")  # "class" is no plural


@pytest.mark.parametrize(
    ("clause", "reminder", "named"),
    [
        # A deadline is a reminder's due time: the reminder names it by the clause's other words.
        ("the BTW deadline", "File and pay the BTW return for Q1 2027 by Friday 30.04.", True),
        ("the visa deadline", "Submit the visa renewal form at the consulate.", True),
        ("the tax return due date", "Send the tax return to Ruud by Friday.", True),
        ("the grant cut-off", "Upload the grant application to the portal.", True),
        # Another thing's reminder; one only for it; or no deadline named (the words must name it).
        ("the BTW deadline", "Send the renewal application to the Landgericht.", False),
        ("the BTW deadline", "Book the accountant for the BTW return.", False),  # only for it
        ("the deadline", "Submit the visa renewal form.", False),
        ("the move", "Book the removal van for the move.", False),
    ],
)
def test_a_deadline_is_named_by_the_reminder_due_then(clause: str, reminder: str, named: bool) -> None:
    assert names_deadline(AnchorClause("before", clause, f"before {clause}", True), reminder) == named


def test_a_deadline_s_own_reminder_is_of_its_window() -> None:
    due = datetime(2026, 6, 30, 17, tzinfo=UTC)
    clause = AnchorClause("before", "the BTW deadline", "before the BTW deadline", True)
    window = due_anchored_window(clause, due, NOW, including=True)
    assert window is not None and window.start == NOW and window.start <= due < window.end


def test_an_event_ahead_bounds_the_due_dates_from_now_until_it_or_from_it_on() -> None:
    move = datetime(2026, 6, 20, 9, tzinfo=UTC)
    before = due_anchored_window(AnchorClause("before", "the move", "before the move", True), move, NOW)
    assert before is not None and (before.start, before.end) == (NOW, move)
    after = due_anchored_window(AnchorClause("after", "the move", "after the move", True), move, NOW)
    assert after is not None and after.start == move + timedelta(seconds=1) and after.end.year == 9999
    assert due_anchored_window(AnchorClause("before", "the move", "before the move", True), NOW, NOW) is None


@pytest.mark.parametrize(
    ("query", "searched"),
    [
        ("what QBRs have we held since Dean took over from Lucy?", "what QBRs have we held  ?"),
        ("what's happened in Leicester since the Leicester go-live?", "what's happened in Leicester  ?"),
        ("Since we moved, what have we done?", " , what have we done?"),
        ("tickets since the order form was signed, and whose", "tickets  , and whose"),
    ],
)
def test_the_words_that_time_a_question_are_left_out_of_what_it_asks(query: str, searched: str) -> None:
    clause = anchor_clause(query)
    assert clause is not None
    assert without_clause(query, clause) == searched


def test_half_term_in_two_words_is_the_compound_and_is_left_out_of_the_search() -> None:
    found = anchor_clause("anything due before half term?", ahead=True)
    assert found == AnchorClause("before", "half-term", "before half-term", True)
    assert "half" not in without_clause("anything due before half term?", found)


def test_until_an_event_ahead_is_before_it_and_left_out_of_the_search() -> None:
    query = "From now until the festival, what's due?"
    found = anchor_clause(query, ahead=True)
    assert found == AnchorClause("before", "the festival", "until the festival", True)
    assert "festival" not in without_clause(query, found)
    # Of what happened, "until" times nothing: "what did we do until we moved?" is not read.
    assert anchor_clause("what did we do until we moved?") is None
