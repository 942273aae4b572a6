"""Questions about things to do, and the due dates they name, pinned to one clock: Friday
20 November 2026, 09:00 UTC (mnemo.retrieval.ranking.times.due_windows)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from mnemo.retrieval.ranking.times.due_windows import asks_about_tasks, due_window
from mnemo.retrieval.ranking.times.task_questions import TaskQuestion, anchored_question, task_question
from mnemo.retrieval.ranking.times.temporal import TimeWindow

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)
THURSDAY = datetime(2027, 2, 11, 7, 40, tzinfo=UTC)
# The ends of all time: a window open on one side runs to one of them.
EVER = datetime.min.replace(tzinfo=UTC)
OPEN = datetime.max.replace(tzinfo=UTC)


def d(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, tzinfo=UTC)


def bounds(window: TimeWindow | None) -> tuple[datetime, datetime]:
    """The start and end of a window the test expects to be there."""
    assert window is not None
    return window.start, window.end


def asked_task(query: str, now: datetime = NOW) -> TaskQuestion:
    """The question about tasks that `query` must be."""
    asked = task_question(query, now)
    assert asked is not None
    return asked


def asked_window(query: str, now: datetime = NOW) -> TimeWindow | None:
    """The window of the question about tasks that `query` must be."""
    return asked_task(query, now).window


# Asked at NOW (a Friday): the window of what is due each question names, as (query, start, end).
ASKED_ON_A_FRIDAY = [
    ("what's on my plate next week?", d(2026, 11, 23), d(2026, 11, 30)),  # the calendar week after
    ("what's coming up in the next week?", d(2026, 11, 20), d(2026, 11, 28)),  # seven days on
    ("what's on this week?", d(2026, 11, 16), d(2026, 11, 23)),
    ("anything due in January?", d(2027, 1, 1), d(2027, 2, 1)),  # the next January
    ("what's due in November?", d(2026, 11, 1), d(2026, 12, 1)),  # this month is the next one
    ("what have I got on Thursday 3 December?", d(2026, 12, 3), d(2026, 12, 4)),
    ("what have I got on 19 November?", d(2027, 11, 19), d(2027, 11, 20)),  # yesterday's is past
    ("what's coming up in the week starting 7 December?", d(2026, 12, 7), d(2026, 12, 14)),
    ("what's on in the first week of December?", d(2026, 12, 1), d(2026, 12, 8)),
    ("what have we got between the 7th and the 13th of December?", d(2026, 12, 7), d(2026, 12, 14)),
    ("any deadlines in the next couple of months?", d(2026, 11, 20), d(2027, 1, 21)),
    ("anything I need to do before the end of the year?", NOW, d(2027, 1, 1)),
    ("people reviews due before end of Q1?", NOW, d(2027, 4, 1)),
    ("soc2 stuff this month or next?", d(2026, 11, 1), d(2027, 1, 1)),
    ("what have we on Thursday the 26th?", d(2026, 11, 26), d(2026, 11, 27)),
    ("what have we on the 3rd?", d(2026, 12, 3), d(2026, 12, 4)),  # this month's has passed
    ("off to choir Wednesday, anything to bring?", d(2026, 11, 25), d(2026, 11, 26)),
    ("anything for tomorrow?", d(2026, 11, 21), d(2026, 11, 22)),
    ("anything due in May?", d(2027, 5, 1), d(2027, 6, 1)),
    ("what's lined up for Q3 (Jul-Sep)?", d(2027, 7, 1), d(2027, 10, 1)),  # a range of months
    ("anything due in Q4?", d(2026, 10, 1), d(2027, 1, 1)),  # this quarter, until it ends
    ("what needs doing from January to March?", d(2027, 1, 1), d(2027, 4, 1)),
    ("Brightwater items for June?", d(2027, 6, 1), d(2027, 7, 1)),
    # A named day of the year, and "before" or "by" a time ahead: from today until it.
    ("what have I got to do before Christmas", NOW, d(2026, 12, 25)),
    ("anything due by Christmas Eve?", NOW, d(2026, 12, 25)),
    ("what's on over Easter?", d(2027, 3, 28), d(2027, 3, 29)),  # the computus's Sunday
    ("anything due before Thanksgiving?", NOW, d(2026, 11, 26)),  # 4th Thursday
    ("anything for Halloween?", d(2027, 10, 31), d(2027, 11, 1)),  # this year's has passed
    ("what's due by Wednesday?", NOW, d(2026, 11, 26)),  # until its end
    # "before" an event on a day it names: until that day ("before the crit on Sat 28/11").
    ("what do I need to get done before the club crit on Sat 28/11", NOW, d(2026, 11, 28)),
    ("anything due before I fly out on Thursday 3 December?", NOW, d(2026, 12, 3)),
    ("what's due between now and the end of the month?", NOW, d(2026, 12, 1)),
    ("list what's due this fortnight", d(2026, 11, 20), d(2026, 12, 5)),  # the fourteen days on
    ("anything left for tonight", d(2026, 11, 20), d(2026, 11, 21)),
    ("anything due before January?", NOW, d(2027, 1, 1)),
    ("what needs doing by the 3rd of December?", NOW, d(2026, 12, 4)),
    # What one has at a time, once a time is named.
    ("what do we have in June", d(2027, 6, 1), d(2027, 7, 1)),
    ("what do I have on Friday?", d(2026, 11, 20), d(2026, 11, 21)),
    # Chat shorthand, and words typed without their apostrophe.
    ("anything tmrw?", d(2026, 11, 21), d(2026, 11, 22)),
    ("next wk", d(2026, 11, 23), d(2026, 11, 30)),
    ("remind me whats left today", d(2026, 11, 20), d(2026, 11, 21)),
    ("what've i got today", d(2026, 11, 20), d(2026, 11, 21)),
    # Work to finish at a time, arranging a time.
    ("What should I finish before I leave today?", d(2026, 11, 20), d(2026, 11, 21)),
    ("sort out the weekend", d(2026, 11, 21), d(2026, 11, 23)),
    ("anything I need to do before tonight?", d(2026, 11, 20), d(2026, 11, 21)),  # today, as before
    # Typed fast: months either of which will do, the end of a month, clipped days and words.
    ("anything due in feb or march?", d(2027, 2, 1), d(2027, 4, 1)),
    ("any deadlines in June and July?", d(2027, 6, 1), d(2027, 8, 1)),
    ("tax things due before end of jan", NOW, d(2027, 2, 1)),
    ("what needs doing by the end of December?", NOW, d(2027, 1, 1)),
    ("what's still coming up for the rest of this week", NOW, d(2026, 11, 23)),
    ("anything due b4 the 25th?", NOW, d(2026, 11, 25)),
    ("what's due nxt wk", d(2026, 11, 23), d(2026, 11, 30)),
    ("anything i need to do by thu?", NOW, d(2026, 11, 27)),
    # A span between two times, each read as alone; what goes on at a time ahead.
    ("Between Christmas and New Year's, what do I have to do?", d(2026, 12, 25), d(2027, 1, 2)),
    ("anything due between 20 Dec and 3 Jan?", d(2026, 12, 20), d(2027, 1, 4)),
    # A range to a part of a month, to that part's end.
    ("what's due between 15/12 and the end of December?", d(2026, 12, 15), d(2027, 1, 1)),
    ("what's going on this weekend?", d(2026, 11, 21), d(2026, 11, 23)),
    ("anything due before new year's?", NOW, d(2027, 1, 1)),
]


@pytest.mark.parametrize(
    ("query", "start"),
    [
        ("anything overdue?", None),  # everything due before now
        ("is there anything we said we'd do and never did?", None),
        ("anything overdue from this month?", d(2026, 11, 1)),
        ("anything that hasn't been done yet?", None),
        ("which invoices haven't been done?", None),
        ("what have I let slip over the last couple of months, anything still not done?", d(2026, 9, 20)),
    ],
)
def test_what_is_overdue_ends_now(query: str, start: datetime | None) -> None:
    window = due_window(query, NOW)
    assert window is not None and window.end == NOW
    assert window.start == (start or EVER)


@pytest.mark.parametrize(
    "query",
    [
        "list everything i didnt do that was due before today",
        "anything due before today that has not been done?",
        "List what was due before today and hasn't been done",
        "what's still outstanding from before today",
        "what did I leave undone that was due before today?",
    ],
)
def test_before_a_time_already_begun_is_all_the_time_before_it(query: str) -> None:
    assert bounds(due_window(query, NOW)) == (EVER, d(2026, 11, 20))


@pytest.mark.parametrize(
    "query",
    [
        "what's my dog called?",
        "what's going on with the boiler?",
        "choose between the blue one and the red one",
        "remind me how we fixed the OOMKilled job",
        "Jonas's birthday is coming up, what should I get him?",
        "what would Fionn like for a present? anything to avoid?",
        "when did we move over to Square?",
        # The weather at a time is asked of the world.
        "will it rain in kisumu tomorrow",
        "what's the forecast for this weekend?",
        "is it going to be cold next week?",
        # Asking leave for something is not asking what is due.
        "can I put the call with the client at 9 tomorrow morning?",
        "ok to schedule a config change on the 3rd of next month?",
        "should we book the plumber for next week?",
        # What one has, with no time named, asks about things; "next to" is a place.
        "what do we have in the shed?",
        "what did we have for dinner in June?",
        "what's next to the boiler?",
        # What has to happen before one's own act asks for a rule.
        "Meera's PTO, what has to happen before I approve?",
        "what has to happen for a refund?",
        # What comes after a step, not after an event ahead.
        "what's after step 3 of the install?",
        # What happened, or things to see or know with no time and no event ahead.
        "what did we do over the weekend?",
        "what are some things to do in Lisbon?",
        "what jobs has Marco had?",
        "can you remind me of the work from home jobs for seniors you listed?",
        "what are some things to do for fun on a rainy day?",
        "what do I need to know about sourdough?",
        # A thing's state, a place's hours, a how-to, what is left for someone else to pay.
        "what's the outstanding balance on the invoice?",
        "is the pending refund back yet?",
        "what was outstanding about the keynote?",
        "what are the open hours of the pharmacy?",
        "which cafés are open on Sunday?",
        "what should I do in Lisbon?",
        "what should I do if the build fails?",
        "how should I deal with a leaking tap?",
        "what's the best way to pay invoices?",
        "how much is left for the Okafors to pay after their deposit",
        # What one needs to do of a situation, with no time and no event ahead: its steps.
        "changing the save format, what do I need to do",
        "What do I have to do for subcontractors' schedular payments?",
        "what do we need to do before digging",
        # What is on a thing that holds no tasks.
        "Setting up the go/no-go review – what's on my checklist?",
        "what's on the menu at the Italian place?",
        # What the task at hand asks, after a clause telling of it: not what is due.
        "Drafting the QBR agenda – what did Chloe find about the pass rate?",
        "I'm drafting the note about the agenda – remind me how I like vendor emails written",
    ],
)
def test_other_questions_are_not_about_tasks(query: str) -> None:
    assert not asks_about_tasks(query)
    assert task_question(query, NOW) is None


def test_may_the_verb_names_no_month() -> None:
    assert due_window("anything I may need to do?", NOW) is None


def test_only_an_open_question_about_what_to_do_puts_the_overdue_first() -> None:
    # "anything I need to do?" names no time: what is overdue or due soonest comes first. A question
    # that names a window reads it; one that asks when something is due asks for a date.
    opened = asked_task("anything I need to do?")
    assert opened.open and opened.window is None
    windowed = asked_task("anything due next week?")
    assert not windowed.open and windowed.window is not None
    when = asked_task("when's the thesis due?")
    assert not when.open and when.window is None


def test_an_event_ahead_gives_a_question_that_names_no_time_its_window() -> None:
    move = TimeWindow(NOW, datetime(2026, 12, 1, tzinfo=UTC), "before the move")
    asked = anchored_question(task_question("what do I need to do before the move?", NOW), move)
    assert asked is not None and asked.window == move and not asked.open
    named = asked_task("anything due next week before the move?")
    assert anchored_question(named, move) == named  # its own window stands
    assert anchored_question(None, move) is None


@pytest.mark.parametrize(
    "query",
    [
        "what has to happen before the Okafor patio starts",
        "what needs to be done before the move?",
        "the Maple Court board approved the boxwoods, what's next",
        "what comes next on the kitchen?",
        "what's after GDC",
    ],
)
def test_what_must_happen_or_comes_next_asks_what_is_due(query: str) -> None:
    assert asked_task(query).window is None


# Asked on THURSDAY (11 February 2027, 07:40 UTC), as (query, start, end).
ASKED_ON_A_THURSDAY = [
    # Weekends: this calendar week's, next week's, the one after; Saturday to Monday.
    ("what's on this weekend?", d(2027, 2, 13), d(2027, 2, 15)),
    ("anything due over the weekend?", d(2027, 2, 13), d(2027, 2, 15)),
    ("any plans for the weekend?", d(2027, 2, 13), d(2027, 2, 15)),
    ("what's on next weekend?", d(2027, 2, 20), d(2027, 2, 22)),
    ("anything due the weekend after next?", d(2027, 2, 27), d(2027, 3, 1)),
    ("anything due the day after tomorrow?", d(2027, 2, 13), d(2027, 2, 14)),
    ("what's due between now and Friday?", THURSDAY, d(2027, 2, 13)),  # until Friday's end
    # "after" a time: from its end on; "from" one "onwards": from its start on.
    ("what's due from the 20th onwards?", d(2027, 2, 20), OPEN),
    ("anything due after the 15th?", d(2027, 2, 16), OPEN),
    ("what's happening after the 15th?", d(2027, 2, 16), OPEN),
    ("what's due after Easter?", d(2027, 3, 29), OPEN),
    ("anything due after March?", d(2027, 4, 1), OPEN),
    ("anything due after May?", d(2027, 6, 1), OPEN),
    ("what's on starting Monday?", d(2027, 2, 15), OPEN),
    ("anything due in the next fortnight?", d(2027, 2, 11), d(2027, 2, 26)),
    ("anything due in the next two weeks?", d(2027, 2, 11), d(2027, 2, 26)),
    ("what's due the week ahead?", d(2027, 2, 11), d(2027, 2, 19)),
    # Dates in figures: a number over 12 is the day; otherwise the reading nearest ahead.
    ("anything due on 2/22?", d(2027, 2, 22), d(2027, 2, 23)),
    ("anything due on 22/2?", d(2027, 2, 22), d(2027, 2, 23)),
    ("what's due 4/22?", d(2027, 4, 22), d(2027, 4, 23)),
    ("anything due on 3/4?", d(2027, 3, 4), d(2027, 3, 5)),  # 4 March before 3 April
    ("anything due on 3/2?", d(2027, 3, 2), d(2027, 3, 3)),  # 2 March: 3 February has passed
    ("what's due by 14/2/2027?", THURSDAY, d(2027, 2, 15)),
    # Parts of this or next month, week or year.
    ("anything due later this month?", d(2027, 2, 11), d(2027, 3, 1)),
    ("anything due early next month?", d(2027, 3, 1), d(2027, 3, 11)),
    ("what's due end of next month?", d(2027, 3, 20), d(2027, 4, 1)),
    ("what's on later this week?", d(2027, 2, 11), d(2027, 2, 15)),
    ("anything due early next week?", d(2027, 2, 15), d(2027, 2, 18)),
    ("jobs for Monday?", d(2027, 2, 15), d(2027, 2, 16)),
    # ISO dates read as "15 March 2027" does, "before" and "by" included.
    ("anything due before 2027-03-15?", THURSDAY, d(2027, 3, 15)),
    ("todo by 2027-02-20", THURSDAY, d(2027, 2, 21)),
    ("what's due on 2027-02-20", d(2027, 2, 20), d(2027, 2, 21)),
    ("what's due the week of 2027-03-01", d(2027, 3, 1), d(2027, 3, 8)),
    ("anything due the week of 2/22", d(2027, 2, 22), d(2027, 3, 1)),  # a date in figures too
    ("what's due the week of the 23rd", d(2027, 2, 23), d(2027, 3, 2)),  # a day of the month alone
    # A deadline's shorthand: from today to the end of the day, week, month or year.
    ("what do I need to do by EOW?", THURSDAY, d(2027, 2, 15)),
    ("anything due EOM?", THURSDAY, d(2027, 3, 1)),
    ("what's due EOD", THURSDAY, d(2027, 2, 12)),
    ("anything due by end of day?", THURSDAY, d(2027, 2, 12)),
    ("anything due by COB?", THURSDAY, d(2027, 2, 12)),
    ("anything due by end of month?", THURSDAY, d(2027, 3, 1)),
    ("what should I do today?", d(2027, 2, 11), d(2027, 2, 12)),
    # ISO weeks: this year's, or next year's once it has ended.
    ("anything due week 9?", d(2027, 3, 1), d(2027, 3, 8)),
    ("what's due in W09", d(2027, 3, 1), d(2027, 3, 8)),
    ("what's on in week 6?", d(2027, 2, 8), d(2027, 2, 15)),  # the current one
    ("anything due in week 2?", d(2028, 1, 10), d(2028, 1, 17)),
]


@pytest.mark.parametrize(
    ("now", "query", "start", "end"),
    [(NOW, *case) for case in ASKED_ON_A_FRIDAY] + [(THURSDAY, *case) for case in ASKED_ON_A_THURSDAY],
)
def test_a_question_about_tasks_names_its_window(
    now: datetime, query: str, start: datetime, end: datetime
) -> None:
    assert asks_about_tasks(query)
    assert bounds(due_window(query, now)) == (start, end)


def test_on_a_weekend_this_weekend_is_the_current_one() -> None:
    sunday = datetime(2027, 2, 14, 10, tzinfo=UTC)
    assert bounds(due_window("anything due this weekend?", sunday)) == (d(2027, 2, 13), d(2027, 2, 15))


@pytest.mark.parametrize(
    "query",
    [
        "what do I need to sort out",
        "what should I sort out when Minh turns up for the fit-off",
        "anything I have to get done?",
        "things to do before the school trip",
        "jobs for Monday?",
        "any jobs this weekend?",
        "things to do on Saturday?",
        "what do we have to take care of before the move?",
        "what do I need to ship before v1.2",
        "open items before GDC",
        "what do we need to pack for Friday?",
        "can I see what's due next week?",  # asking leave to see what is due asks about it
        # What one meant to do.
        "at the garden centre, what did I want to do here?",
        "what was I going to bring to the fete?",
        # What one needs to do, as a list or before an event ahead.
        "anything I still need to do for Juni",
        "money stuff I need to do: invoices, payments, tax",
        "what do I need to do before Matilde's show?",
        "what do we have to do today?",
        # A terse list of work to see to or ahead, its topic named.
        "choir stuff to sort",
        "garden bits to get done",
        "club jobs coming up",
        # Spoken, of a kind of thing.
        "what training stuff have i got coming up",
        "hey when's my next dentist, anything dentist to do",
    ],
)
def test_what_one_has_to_see_to_asks_about_tasks(query: str) -> None:
    assert asks_about_tasks(query)


def test_an_iso_date_that_is_none_names_no_window() -> None:
    assert due_window("anything due on 2027-02-30?", THURSDAY) is None


@pytest.mark.parametrize(
    "query",
    [
        "open items?",
        "any open tasks for the Harlow account?",
        "what's outstanding",
        "anything pending?",
        "any pending actions from the retro?",
        "what should I work on first?",
        "invoices to chase",
        "bills to pay this month?",
        "what's blocking the release?",
        "any blockers?",
        "Give me the outstanding debtor actions",
        "I'm popping into B&Q at lunch, do we need anything",
    ],
)
def test_what_is_open_or_in_the_way_asks_about_tasks(query: str) -> None:
    asked_task(query, THURSDAY)


@pytest.mark.parametrize(
    ("query", "start", "end"),
    [
        # A query of only a time ahead asks what is due in it.
        ("April", d(2027, 4, 1), d(2027, 5, 1)),
        ("and Friday?", NOW, d(2026, 11, 21)),  # today: what is still to come
        ("before the year end", NOW, d(2027, 1, 1)),
        ("show me all of December", d(2026, 12, 1), d(2027, 1, 1)),
        # The rest of a time runs from now to its end.
        ("rest of november", NOW, d(2026, 12, 1)),  # this month: from now
        ("the rest of the week?", NOW, d(2026, 11, 23)),
        ("whats on for the rest of today", NOW, d(2026, 11, 21)),
        ("remainder of the month", NOW, d(2026, 12, 1)),
        ("rest of march", d(2027, 3, 1), d(2027, 4, 1)),  # a later month whole
        # A short weekday before a day of the month.
        ("sat the 28th", d(2026, 11, 28), d(2026, 11, 29)),
        ("anything on thu the 26th?", d(2026, 11, 26), d(2026, 11, 27)),
        # A time already begun asks what is still to come in it.
        ("what's on this week?", NOW, d(2026, 11, 23)),
        ("what's left today", NOW, d(2026, 11, 21)),
        ("anything due in November?", NOW, d(2026, 12, 1)),
        # What is overdue in it is asked of all of it; a time ahead is whole.
        ("anything overdue from this month?", d(2026, 11, 1), NOW),
        ("what's on my plate next week?", d(2026, 11, 23), d(2026, 11, 30)),
    ],
)
def test_a_question_of_a_time_asks_what_is_due_in_its_window(
    query: str, start: datetime, end: datetime
) -> None:
    assert bounds(asked_window(query)) == (start, end)


@pytest.mark.parametrize("query", ["by year end", "before the year-end", "by end of year"])
def test_the_year_end_reads_until_the_new_year(query: str) -> None:
    window = due_window(query, NOW)
    assert window is not None and window.end == datetime(2027, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("query", "soonest"),
    [
        ("Everything before the year end", True),
        ("anything due before the 20th?", True),
        ("list my open tasks for next week", True),
        ("soc2 stuff this month or next?", False),  # its words rank what is due
        ("anything I need to do?", False),  # open: soonest first anyway
    ],
)
def test_a_question_of_only_a_window_lists_it_soonest_first(query: str, soonest: bool) -> None:
    assert asked_task(query).soonest == soonest


def test_what_is_coming_up_is_due_from_now_on() -> None:
    asked = asked_task("List the compliance deadlines coming up")
    assert not asked.open and asked.window is not None
    assert (asked.window.start, asked.window.end) == (NOW, OPEN)
    assert task_question("Jonas's birthday is coming up, what should I get him?", NOW) is None


AUSTIN = timezone(timedelta(hours=-6))  # Central Standard Time


def utc(month: int, day: int, hour: int) -> datetime:
    return datetime(2026 + (month < 11), month, day, hour, tzinfo=UTC)  # November 2026 to October 2027


@pytest.mark.parametrize(
    ("query", "start", "end"),
    [
        ("anything for tomorrow?", utc(11, 20, 6), utc(11, 21, 6)),
        ("what's due today?", utc(11, 19, 6), utc(11, 20, 6)),
        ("anything due before today?", EVER, utc(11, 19, 6)),
        ("what's on in December?", utc(12, 1, 6), utc(1, 1, 6)),
    ],
)
def test_the_days_a_question_names_are_the_askers(query: str, start: datetime, end: datetime) -> None:
    """Asked on Thursday 19 November at 18:30 in Austin (00:30 UTC on Friday): "tomorrow" is Friday
    in Austin, from 06:00 UTC, not Saturday; the same instant given in UTC reads UTC days."""
    asked_in_austin = datetime(2026, 11, 19, 18, 30, tzinfo=AUSTIN)
    assert bounds(due_window(query, asked_in_austin)) == (start, end)
    assert bounds(due_window(query, asked_in_austin.astimezone(UTC))) != (start, end)


def test_one_instant_in_two_offsets_asks_about_two_days() -> None:
    """The questions read are remembered by query and clock: the offset is part of the clock."""
    asked_in_austin = datetime(2026, 11, 19, 18, 30, tzinfo=AUSTIN)
    in_austin, _ = bounds(asked_window("what's due tomorrow?", asked_in_austin))
    in_utc, _ = bounds(asked_window("what's due tomorrow?", asked_in_austin.astimezone(UTC)))
    assert (in_austin, in_utc) == (utc(11, 20, 6), utc(11, 21, 0))


@pytest.mark.parametrize(
    ("query", "asks"),
    [
        # What is still open is not done yet: a question about tasks, not only about what is late.
        ("Which client deliveries are still open?", True),
        ("anything still pending?", True),
        ("what's still outstanding?", True),
        ("what's still to do for the move?", True),
        ("anything still to be done by Wednesday?", True),
        # Of a matter, and tersely.
        ("What condo and moving admin do I still have pending?", True),
        ("what wedding stuff is still on my list?", True),
        ("which forms are still open?", True),
        ("medical aid admin outstanding", True),
        ("car stuff coming up", True),
        # A place's hours, a thing's state.
        ("is the shop still open on Sunday?", False),
        ("the offer is still open, isn't it?", False),
        ("is the bakery still open?", False),
        ("is the refund still pending?", False),
        ("what's the balance outstanding?", False),
    ],
)
def test_what_is_still_open_asks_about_tasks_and_not_only_the_overdue(query: str, asks: bool) -> None:
    asked = task_question(query, NOW)
    assert (asked is not None) == asks
    if asked is not None:
        assert not asked.undone
        assert asked.window is None or asked.window.end > NOW


@pytest.mark.parametrize(
    "query",
    ["anything due by the end of the month?", "what do I need to do by Wednesday?", "anything due by EOD?"],
)
def test_a_window_until_a_time_runs_from_now(query: str) -> None:
    # What fell due earlier today is overdue, not due by the time named.
    window = due_window(query, NOW)
    assert window is not None and window.start == NOW


@pytest.mark.parametrize(
    "query",
    [
        "what have i let slide",
        "have I let anything slip?",
        "did I let things slide this month?",
        "where have I dropped the ball?",
        "anything from earlier this week I haven't ticked off?",
        "what have I not crossed off yet",
    ],
)
def test_what_one_let_slide_is_what_is_overdue(query: str) -> None:
    asked = asked_task(query)
    assert asked.undone and asked.window is not None and asked.window.end == NOW


@pytest.mark.parametrize("query", ["before the berlin show", "and after the move?", "before Fionn's party"])
def test_a_query_of_only_an_event_ahead_asks_what_is_due_until_it(query: str) -> None:
    asked = asked_task(query)
    assert asked.window is None
    move = TimeWindow(NOW, d(2026, 12, 1), "before the move")
    anchored = anchored_question(asked, move)
    assert anchored is not None and anchored.window == move


@pytest.mark.parametrize(
    "query", ["in a music shop in prague, need anything?", "at the garage now, need anything?"]
)
def test_needing_anything_asks_what_to_do(query: str) -> None:
    assert asked_task(query).open


@pytest.mark.parametrize(
    ("query", "end"),
    [
        ("car related stuff pending in the next 3 months, incl anything i missed", d(2027, 2, 21)),
        ("what's due next week plus anything overdue?", d(2026, 11, 30)),
        ("wedding things i still have to do before 24 jan, including anything missed", d(2027, 1, 24)),
        ("car stuff in the next 3 months, incl anything we forgot", d(2027, 2, 21)),
    ],
)
def test_a_window_and_what_was_missed_asks_for_both(query: str, end: datetime) -> None:
    asked = asked_task(query)
    assert asked.undone
    assert bounds(asked.window) == (EVER, end)


@pytest.mark.parametrize(
    "query",
    [
        "house stuff i need to do including anything i forgot",
        "what's still to do, plus anything we've forgotten",
    ],
)
def test_what_one_forgot_beside_the_rest_is_everything_pending(query: str) -> None:
    asked = asked_task(query)
    assert asked.undone
    assert bounds(asked.window) == (EVER, OPEN)


def test_what_one_forgot_alone_is_no_question_about_tasks() -> None:
    assert task_question("what did I forget at the gym?", NOW) is None
    assert due_window("I forgot the wifi password, what is it?", NOW) is None


def test_a_bare_week_of_a_day_of_the_month_asks_what_is_due_in_it() -> None:
    assert bounds(asked_window("week of the 23rd", THURSDAY)) == (d(2027, 2, 23), d(2027, 3, 2))
