"""A reminder an event says was done (mnemo.retrieval.stages.done_events): the event must say the
reminder's own action in the past tense, not negated; and which questions read it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mnemo.retrieval.ranking.times.task_questions import task_question
from mnemo.retrieval.stages.done_events import asks_what_is_left, done_forms, tells_done
from tests.unit.verdicts import verdict_test

NOW = datetime(2026, 6, 15, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("verb", "form"),
    [
        ("Pay", "paid"),
        ("send", "sent"),
        ("submit", "submitted"),
        ("book", "booked"),
        ("close", "closed"),
        ("tidy", "tidied"),
        ("plan", "planned"),
        ("ring", "rang"),
        ("buy", "bought"),
        ("RSVP", "rsvp'd"),
        ("restring", "restrung"),
    ],
)
def test_the_past_tense_of_a_reminders_verb(verb: str, form: str) -> None:
    assert form in done_forms(verb)


TELLS_DONE = [
    ("Pay the 2026 IUC for the Clio.", "Inês paid the 2026 IUC for the Clio, €141.20."),
    ("Submit the IVA return for the first quarter.", "Inês submitted the IVA return for January–March."),
    ("Book the Christmas train tickets to Coimbra.", "Booked the Alfa Pendular tickets to Coimbra-B."),
    ("Post the Christmas parcel to Leeds.", "Posted the parcel to Leeds from the post office."),
    ("Close stollen pre-orders at 220.", "Stollen pre-orders closed at 214."),
    # What is to be got done: the participle after the object, or the verb after "to".
    ("Get order form OF-2026-0412 signed by Helen.", "Order form OF-2026-0412 signed by Helen Marsh."),
    ("Get the boiler serviced before winter.", "The boiler was serviced on Tuesday, €150."),
    ("Have the contract reviewed (legal).", "Fiona reviewed the contract and sent comments."),
    ("Get Kevin to fix the awning rail.", "Kevin fixed the awning rail with new rivets."),
    # A note of the thing itself that opens the reminder.
    ("Pickle recheck bloods (3 mo on k/d).", "Pickle recheck: SDMA 16, stable; weight steady."),
    ("Q3 access review → Drata.", "Q3 access review uploaded to Drata (9 days late)."),
    # Handing something over, told by any word of it, naming the thing; finishing, by "done".
    ("Enrol Vicente for the first grade.", "Inês submitted Vicente's first-grade enrolment on the portal."),
    ("Send licence-to-alter application to Bev.", "Licence-to-alter application emailed to Bev."),
    ("Write the Sr SRE job description for Sinéad.", "Sr SRE JD sent to Sinéad; posted on LinkedIn."),
    ("Claim the travel grant through the online form.", "Travel grant claim sent (£500, receipts attached)."),
    ("Finish aeration round one by 3/31.", "Aeration and overseeding, round one, done on 22 lawns."),
    # Arranging a thing, told by a note of the thing itself.
    ("Order 8-yd skip (Bay Skips).", "Strip-out wknd: 8-yd skip from Bay Skips full by Sunday."),
    ("Get flu + covid jab (staff clinic).", "Flu + covid jabs at the staff clinic. Arm sore 2 days."),
    ("book the van in for its MOT, runs out 14/2", "van MOT at Duke St Motors — passed, advisory on a tyre"),
    # A log's label before the action is not the action, nor an assistant's note to remind.
    ("Remind the user to register the twins for the spring swim session by March 20.",
     "On March 18 the user registered both twins for the spring swim session online, $98 each."),
    ("Reminder: publish the March rota by 05.02.2027.", "Logged: Fri 5 Feb - March rota published."),
    # Whom the reminder is for, by name: in the note to remind, or after the label.
    ("Remind Achieng to pay Grace's SHA contribution for December by 5/12.",
     "Achieng paid Grace's SHA contribution for December by M-Pesa."),
    ("Remind Achieng to hand her January expense claims to Faith by 5th February.",
     "Achieng handed in her January expense claims to Faith."),
    ("Reminder for Rafaela: renew the building insurance.", "Rafaela renewed the building insurance online."),
    # Nor a heading that says when, or a condition: the action follows them.
    ("Thursday 08.04 at 17:30: pick Mila up from Noor's.", "You picked Mila up from Noor's at 17:40."),
    ("If the invoice is still unpaid on Monday, send them the friendly reminder.",
     "They had not paid. You sent a friendly reminder to their accounts department."),
    ("Monday 12.04: if invoice 009 is still unpaid, send the second reminder.", "Sent the second reminder."),
    # A log's due date before the colon is a heading too.
    ("DUE 2027-02-28: file Harbour Lane Café GST for the period ending 31 January.",
     "2027-02-25 — filed Harbour Lane Café GST for the period ending 31 January: $4,312 to pay."),
    ("TODO(2026-11-02): send October invoices (clinic + HCWW)",
     "Sent the October invoices to the clinic and HCWW."),
    # A clause before a colon is what the reminder is about, not a heading: its thing retold tells it.
    ("Car insurance renews on 1 November: get a couple of quotes.",
     "FBD wanted €688 to renew the car insurance, so we switched to AXA."),
    # What the verb acts on is the reminder's, or the note names none.
    ("Send Ruud Jansen your 2026 year figures.", "You sent Ruud Jansen your 2026 year figures."),
    ("Send the signed lease to Henk.", "Sent it to Henk this morning."),
    ("Lone Star Air to replace the fan motor at 2A.", "Lone Star Air replaced the fan motor at 2A."),
    # Booking a time is told by any word of booking; a verb of an abbreviation takes an apostrophe.
    ("Reminder: schedule the spring HVAC tune-ups by 03/15.",
     "Called Lone Star Air: spring tune-ups booked for 04/06."),
    ("Book the boiler service.", "Boiler service scheduled for 3 May."),
    ("RSVP for the Grandparents' Day lunch by 03/19.", "RSVP'd yes on 03/15 for the Grandparents' lunch."),
    # Getting in touch, told by a note that names what it was about.
    ("Chase Tom Nguyen about WH-014.", "Chased Tom about WH-014 again; he says Friday."),
    ("Email Bev: does it need a licence to alter?", "Licence-to-alter application emailed to Bev."),
    ("Ring the plumber.", "Rang the plumber, he's coming Monday."),
    # Asking someone for a thing arranges it: a note of the thing itself tells it.
    ("ask kiran for an eyelink induction", "kiran did my eyelink induction, can book G.11 now"),
    # A terse log's way: a label after "pls", "do X" told by "X done", one's own thing by a possessive.
    ("pls remind: car insurance renewal due 18 jul.", "renewed car insurance w/ aviva, £410. done."),
    ("do the reference check for tomasz.", "reference check done for tomasz w/ his old mgr."),
    ("mum bday 9 nov — call early + order flowers.", "mum's bday: called in morning, flowers sent. done."),
]  # fmt: skip
TELLS_NOTHING_DONE = [
    # About the same thing, but nothing was done.
    ("Return Joana's box of tile samples.", "Joana asked for her box of tile samples back."),
    ("Chase Pedro about invoice FR 2025/41.", "Inês called Casa Ribeira's reception; Pedro was out."),
    ("Book the on-site training.", "Dean asked again about the training (never booked)."),
    ("Send Owain the release notes.", "Owain has not sent the form; release notes still pending."),
    ("Pay the IMI instalment.", "Inês didn't pay the IMI instalment yet."),
    ("Get the form signed by Helen.", "Helen has not signed the form."),
    # "Remind them to" names no one: the pronoun's action is not the reminder's opening verb.
    ("Remind them to pay the deposit.", "The Okafors reminded them on Monday."),
    # A participle before the object names the thing, not what is to be done.
    ("Get the signed NDA back from Fiona.", "Fiona signed the NDA last week."),
    # The thing the reminder opens with, still to do; or not done.
    ("Pickle recheck bloods.", "Dr Grant wants a Pickle recheck in Feb; need to book it."),
    ("Q3 access review → Drata.", "Aoife asked me to do the Q3 access review by Friday."),
    ("Kitchen quote from Marek.", "The kitchen quote is not done yet."),
    # "Book the": a verb and a light word, not a thing.
    ("Book the venue for the offsite.", "Need to book the venue, Aoife says."),
    # A word that tells any action done tells none of the reminder's own.
    ("Sort a product transfer w/ Nationwide.", "Product transfer done w/ Nationwide: 5-yr fix."),
    # Another thing handed over; or the thing still ahead.
    ("Submit the Heidelberg expense claim in People and Money.", "Travel grant claim sent (£500, receipts)."),
    ("Send the rate letters to all clients.", "Rate letters not sent yet: the printer is down."),
    ("Register Matilde for the gala.", "Carla asked that Matilde's form be sent by Friday."),
    ("Book a damp survey.", "Need a damp survey before the plastering, Aled says."),
    # The same verb, of another thing.
    ("Send Eline van Dijk the costs for the apostille.",
     "You sent your 2027 price list to the direct clients (Hafenkraft, Van Dijk)."),
    ("Pay the plumber for the boiler repair.", "Paid the council tax for March."),
    # A participle with nothing after it tells the thing before it: flowers were sent, not the list.
    ("send the guest list for the wedding cards to mum by 30 nov.",
     "mum's bday: called in the morning, flowers + cake sent via interflora."),
    ("Book the bike service at the Fietsenmaker.", "You booked Sportkamp Kralingen for Mila."),
    ("Schedule the bike service.", "You booked the flights to Porto."),
    ("Book the staff Christmas meal.", "Hannah confirmed the cake order for the staff party."),
    # Getting in touch with the same person about another thing.
    ("Fri 2/4, 3pm: ring Minh Hoang to lock in the fit-off date.",
     "Mon 15/2: Gary rang - rough-in pushed back again. Rang Minh Hoang for a second quote the same day."),
    ("call the hall for two more carpenters by thurs", "called the hall for another apprentice"),
    # A verb of getting in touch opens it, not someone named ("Lone Star Air to replace …").
    ("Ring Minh Hoang to lock in the fit-off date.", "Rang Minh Hoang for a second quote."),
    # "w/" is "with", no thing: a note of an earlier meeting does not retell this one.
    ("mtg w/ sup thurs 28th 11am: bring ch3 figs", "mtg w/ helen: ch3 results ok, drop the appendix"),
    ("ask kiran for an eyelink induction", "kiran wants the eyelink induction done by friday"),
    # Still to be done, after a modal.
    ("Get Seamus to sweep the range chimney.", "Seamus said the chimney should be swept before winter."),
    # A heading that says when names the occasion, not what is to be done.
    ("Dutch course, Wednesday 07.04 at 19:30: hand in the complaint letter.",
     "Dutch course mid-term test: 78 % on reading."),
    ("Friday 16.04 at 08:45: class trip to Blijdorp.", "Mila's class goes to Blijdorp on Friday 16.04."),
    # A name alone does not retell the thing a reminder opens with.
    ("DUE 2027-03-31: Pōhutukawa Family Trust distribution resolution signed by all three trustees.",
     "2027-03-23 — filed the Pōhutukawa Family Trust 2026 IR6; trustee tax $3,870."),
    # An act planned for the one named is told by the act, not by a note that names them.
    ("Lone Star Air to replace the fan motor at 2A, Thursday 04/15.",
     "Lone Star Air spring tune-ups on all units; the fan motor at 2A is failing, a replacement is ordered."),
]  # fmt: skip


test_which_events_tell_the_reminders_action_done = verdict_test(tells_done, TELLS_DONE, TELLS_NOTHING_DONE)


@pytest.mark.parametrize(
    ("query", "undone", "open_"),
    [
        ("anything overdue?", True, False),
        ("what have I let slip, anything still not done?", True, False),
        ("is there anything we said we'd do and never did?", True, False),
        ("anything I need to do?", False, True),
        ("what's on my plate next week?", False, False),
    ],
)
def test_which_questions_ask_for_what_is_still_to_do(query: str, undone: bool, open_: bool) -> None:
    asked = task_question(query, NOW)
    assert asked is not None
    assert (asked.undone, asked.open) == (undone, open_)


@pytest.mark.parametrize(
    ("query", "left"),
    [
        ("anything overdue?", True),
        ("anything I need to do?", True),
        ("what was due before today?", True),  # a window of the past holds what is past due
        # A time already begun is asked from now: nothing in it is past due.
        ("what's left to get through in June?", False),
        ("what's on this week?", False),
        ("anything due next week?", False),  # all ahead: nothing in it is past due
        ("what do we have in July?", False),
    ],
)
def test_a_window_that_began_before_now_asks_what_is_left_in_it(query: str, left: bool) -> None:
    assert asks_what_is_left(task_question(query, NOW), NOW) == left
    assert not asks_what_is_left(None, NOW)
