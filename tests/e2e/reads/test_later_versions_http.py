"""A later version of a value, read over HTTP (real app, Qdrant Edge, MiniLM, BM25), without a
`fact_key`, in four people's stores: a later record ranks above the older one for a question about now.
Each ranking is also read without the rule that puts it there (a fitted constant or a stage of the
ranking model, varied for the test, not a setting), so the test shows what the rule does. The facts carry
no time of their own: written in one batch with the events, as an import writes them, nothing dates them.

- A grower's terse notes (Wednesday 14 April 2027, 21:40 UTC): an event that says the box day moved
  ("box delivery moved to Fridays from 9/4") reads less alike the older note of the box day than two
  restatements do, and ranks below it by the scores; asked which day the boxes go out these days, it ranks
  above the note; asked without a word of time (what may have stayed true), the order is the scores'.
- A carer's dictated notes (Tuesday 9 March 2027, 13:45 UTC; no capitals, so no name ties them) holding
  several weighings: a later weighing that says no change ranks just above the older weight it nearly ties
  with (the version-tie stage), for a question about now; asked what it was before, the order is the
  scores'.
- A rider's (Friday 2 April 2027, 09:00 UTC): a ramp test that gives the FTP anew with the same unit
  ("FTP 274 W") ranks above the statement of the old value ("FTP 262 W"), though it says no change: the
  number told again in the same words, its short unit one of them (memtypes/language/changes.py).
- Gerry's (Monday 15 June 2026, 08:30 UTC): "Gerry switched electricity from Electric Ireland to Flogas"
  (February) ranks over "Electricity is with Electric Ireland" for "who are we with for electricity?". An
  event that mentions the subject and changes nothing of it stays below the fact, and so does a change
  event about something else.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from mnemo.retrieval.stages import changed_events
from tests.e2e.conftest import Asker, event, semantic, vary_ranking

GROWER = Asker({"user_id": "grower"}, "2027-04-14T21:40:00Z")
BOX_DAY = "veg boxes go out on Thursdays from 14:00 - pack Wed eve + Thu am"
MOVED = "box delivery moved to Fridays from 9/4 - Thurs clashes w/ school now. told all 30 + Kaz"
GROWERS_STORE = [
    semantic("veg box scheme: 30 households, one size of box only, weekly. £14 a box, paid monthly"),
    semantic(BOX_DAY),
    semantic("Kaz helps pack the boxes, £12 an hour, cash on the day"),
    event("market at Totnes, pitch paid, sold out of eggs by 11", "2027-03-20T20:30"),
    event(MOVED, "2027-03-24T20:30"),
    event("fox got 3 hens last night - pop hole left open. down to 21 hens", "2026-11-12T20:30"),
]

CARER = Asker({"user_id": "carer"}, "2027-03-09T13:45:00Z")
WEIGHT = "dad's weight is one seventy one pounds on his bathroom scale"
WEIGHED = "weighed dad at home with his shoes off and he was one sixty four, he skips lunch some days"
CARERS_STORE = [
    semantic("dad weighed one seventy one on his bathroom scale the first week of december"),
    semantic("dad weighs one seventy one on his bathroom scale, checked the first week of december"),
    semantic(WEIGHT),
    event(WEIGHED, "2027-02-20T23:00"),
    event("weighed dad again today, one sixty four with his shoes off", "2027-02-21T23:00"),
    semantic("dad does much better in the mornings, book his appointments before noon"),
    event(
        "dad's home blood pressure this week averages one twenty eight over seventy six", "2027-03-01T23:00"
    ),
]

RIDER = Asker({"user_id": "rider"}, "2027-04-02T09:00:00Z")
FTP = "FTP 262 W (ramp test Sat 14/11/2026, 81 kg). Anna's power zones are set off that."
FTP_AGAIN = "Sat 20/3 ramp test on the Kickr: FTP 274 W at 80 kg."
RIDERS_STORE = [
    semantic(FTP),
    semantic("Coach: Anna Petrovic. Plan on TrainingPeaks, check-in every Sunday night."),
    event("Sat 13/3: club crit, 9th in C grade.", "2027-03-12T22:00"),
    event(FTP_AGAIN, "2027-03-19T20:30"),
]

GERRY = Asker({"user_id": "gerry"}, "2026-06-15T08:30:00Z")
ELECTRICITY = "Electricity is with Electric Ireland, account in Gerry's name, billed every two months."
SWITCHED = "Gerry switched electricity from Electric Ireland to Flogas: 31.5c a unit for a year."
HENS = "Gerry and Nuala keep six hens in the coop behind the polytunnel."
HENS_EVENT = "Gerry cleaned out the hens' coop behind the polytunnel and put down fresh straw."
GERRYS_STORE = [
    semantic(ELECTRICITY),
    semantic(HENS),
    event(SWITCHED, "2026-02-19T16:00"),
    event(HENS_EVENT, "2026-05-30T10:00"),
]

STORES = {
    "grower": (GROWER, GROWERS_STORE),
    "carer": (CARER, CARERS_STORE),
    "rider": (RIDER, RIDERS_STORE),
    "gerry": (GERRY, GERRYS_STORE),
}
# The near tie of two versions of one subject orders the two on its own: off where a test reads a lift.
TIE_OFF = {"stages_off": ["version_tie"]}


@pytest.mark.parametrize(
    ("asked", "query", "newer", "older", "changes", "newer_first"),
    [
        ("grower", "which day do the boxes go out these days", MOVED, BOX_DAY, {}, True),
        ("grower", "which day do the boxes go out", MOVED, BOX_DAY, {}, False),
        ("carer", "How much does dad weigh now?", WEIGHED, WEIGHT, {}, True),
        ("carer", "How much does dad weigh now?", WEIGHED, WEIGHT, TIE_OFF, False),
        # Without the past tense's lift of events, the scores put the older weight first: the stage,
        # which would put the newer weighing above it for a question about now, leaves that order.
        ("carer", "How much did dad weigh before?", WEIGHED, WEIGHT, {"terms_off": ["past_events"]}, False),
        ("rider", "what's my FTP at the moment", FTP_AGAIN, FTP, {}, True),
        ("rider", "what's my FTP at the moment", FTP_AGAIN, FTP, {"changed_events.share": 0.0}, False),
        ("gerry", "who are we with for electricity?", SWITCHED, ELECTRICITY, TIE_OFF, True),
        # The fact is the better match: the lift is what puts the change first.
        (
            "gerry",
            "who are we with for electricity?",
            SWITCHED,
            ELECTRICITY,
            {**TIE_OFF, "changed_events.share": 0.0},
            False,
        ),
    ],
    ids=[
        "box-day-asked-for-these-days",
        "box-day-asked-without-a-word-of-time",
        "weighing-near-tie",
        "weighing-near-tie-stage-off",
        "weight-asked-before",
        "ftp-given-anew",
        "ftp-given-anew-lift-off",
        "electricity-switched",
        "electricity-switched-lift-off",
    ],
    indirect=["asked"],
)
async def test_a_later_version_ranks_above_the_older_for_a_question_about_now(
    asked: tuple[Asker, AsyncTestClient[Any]],
    query: str,
    newer: str,
    older: str,
    changes: dict[str, Any],
    newer_first: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asker, client = asked
    if changes:
        vary_ranking(client, monkeypatch, changes)
    contents = await asker.ranked(client, query)
    assert (contents.index(newer) < contents.index(older)) is newer_first


@pytest.mark.parametrize("asked", ["gerry"], indirect=True)
@pytest.mark.parametrize("words_checked", [True, False], ids=["default", "any-event"])
async def test_an_event_that_changes_nothing_stays_below_the_fact(
    asked: tuple[Asker, AsyncTestClient[Any]], words_checked: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The coop event is about the hens (a shared name, a close meaning) and tells no change."""
    asker, client = asked
    if not words_checked:  # every event read as telling a change
        monkeypatch.setattr(changed_events, "EVENT_STATES_CHANGE", r"\w")
    contents = await asker.ranked(client, "how many hens have we got?")
    assert contents.index(HENS) < contents.index(SWITCHED)  # a change of something else
    if words_checked:
        assert contents.index(HENS) < contents.index(HENS_EVENT)
    else:  # the event's words are what keep it below the fact
        assert contents.index(HENS_EVENT) < contents.index(HENS)
