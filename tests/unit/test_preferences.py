"""Which texts state a preference or a rule (mnemo.memtypes.language.preferences) and which
questions ask leave or advice (mnemo.retrieval.ranking.terms.preference): the one answers the other
though they share few words, so the formula lifts the first for the second only."""

from __future__ import annotations

from mnemo.memtypes.language.preferences import states_preference
from mnemo.retrieval.ranking.asked.asked_detail import NOT_CHECKED, DetailCheck, detail_check
from mnemo.retrieval.ranking.asked.evidence import query_words
from mnemo.retrieval.ranking.model import DEFAULT_MODEL
from mnemo.retrieval.ranking.terms.preference import asks_leave_or_advice
from tests.unit.verdicts import verdict_test

THRESHOLDS = DEFAULT_MODEL.confidence_features

PREFERENCES = [
    "Preference: tenants are contacted by text first; no calls before 9:00am or after 8:00pm.",
    "never teach after 15:00 on a show day — afternoon and soundcheck stay free",
    "flies out of AUS, always an aisle seat because of the knee",
    "Samira doesn't want either child booked into anything on Sunday afternoons.",
    "Fiona wants drafts as Word documents with tracked changes.",
    "Marco is lactose intolerant.",
    "Maya has been vegetarian since last summer.",
    "Juni isn't allowed on the sofa or upstairs.",
    "Any purchase over £500 requires his signature.",
    "You don't take medical device instructions for use.",
    "Pat won't drive the A64 after dark.",
    "rule: nothing after 22:00 on weekdays, weekends off",
    "mum does better with visitors before lunch, she's tired by the afternoon",
]
OTHER_TEXTS = [
    "Kenji Mori — Osaka. Fridays 09:00 UK, slap and funk",
    "Car insurance is with Admiral, £612 a year, renewing on 28 February.",
    "Unit 4C - tenants: Kevin and Shauna Drummond. Rent: $1,250/mo.",
    "Marco's Italian passport expires on 4 February 2027.",
    "Dr Okafor is no longer at the clinic.",
]


test_which_texts_state_a_preference_or_a_rule = verdict_test(states_preference, PREFERENCES, OTHER_TEXTS)


LEAVE_OR_ADVICE = [
    "Alyssa is an early riser. Would it be all right to give her a call at 7:30 in the morning?",
    "The air conditioning people would like to go into 4C this afternoon. Is that all right?",
    "a friend has asked Leo to a party on Sunday at 3, can I say yes",
    "aoife wants to do her lesson at 4 on the berlin day, ok?",
    "Kuba wants £120 cash for the grout touch-up, fine?",
    "When I pick my seats on the Denver flight, what kind of seat should I choose?",
    "window or aisle when I book flights?",
    "does helen want pdfs or word",
    "we could get eggs cheaper from a national wholesaler, would Lena go for that?",
    "can Pat and Geoff have Maya's room upstairs this time",
    "when's the best time to remind me about school stuff like PE kit",
    "what's my best way into town on a Saturday",
    "Juni keeps jumping on the sofa, is she allowed up there",
    "Jonas's birthday is coming up, what should I get him and what should I avoid?",
    # Opened by the leave asked.
    "ok to put a 1:1 at 8:30?",
    "okay if we push the config change to the 3rd?",
    # What someone thinks of a thing, or a wish they said (one's own name joined to another's is one
    # asker, not a second part).
    "How does my father feel about moving into a care facility?",
    "the emcee needs a brief – what did Rachel and I say we want the night to feel like?",
    # How one likes things done, asked as a request after the task at hand.
    "drafting the note to the vendor – remind me how I like vendor emails written",
    # Someone's request passed on, asking nothing in words.
    "Pat wants to make her lasagne for everyone on Monday night",
    "craig wants me for a sharp suits wedding sat 13/3",
    "Leo's asking to keep his tablet until 8 tonight",
    "Alicia asked if the crew can use gas blowers for the leaf cleanup at Maple Court",
]
OTHER_QUESTIONS = [
    "who should sign a client letter?",
    "how much do I charge per word?",
    "no hot water, what should I check?",
    "how do I reset the boiler?",
    "What should I finish before I leave today?",
    "what's Kenji's email address?",
    "can you remind me about the MOT?",
    "who's the TM",
    # A question in parts, one of which asks for something else.
    "fiona + receipts, what does she want and have i done it",
    "can Leonor do next Tuesday, and what does she charge?",
    # One's own wish, or a request that asks for something else in words.
    "I want to book the ferry for Friday",
    "the Okafors want to add a fire pit, how do I write that up",
    "police form asks for the frame number of my bike",
    # One's own best is a record, not advice.
    "my best batting and bowling this season?",
    "what was our best month for walk-ins?",
    "Maya's best score at the regionals",
    # How someone was, or what was said, is what happened.
    "How did Tyler feel after the game?",
    "what did Helen say at the last QBR?",
]


test_which_questions_ask_leave_or_advice = verdict_test(
    asks_leave_or_advice, LEAVE_OR_ADVICE, OTHER_QUESTIONS
)


def _check(question: str, *contents: str) -> DetailCheck:
    return detail_check(question, query_words(question), [(c, False) for c in contents], THRESHOLDS)


def test_a_question_that_asks_leave_is_not_checked_for_its_names_or_values() -> None:
    """A rule answers it that names neither whom nor what the question does ("no calls before 9:00am"
    for Alyssa), and holds none of the values its situation names (a quote of $1,800)."""
    rule = "Preference: any repair over $500 gets at least two written quotes."
    assert _check("Ernesto quoted $1,800 for the fence. Should I just approve it?", rule) == NOT_CHECKED
    assert _check("Alyssa is an early riser, would it be all right to call her at 7:30?", rule) == NOT_CHECKED
    # A choice between two kinds of value still asks for one of them.
    near_miss = "Dana is the practice manager at the dentist's."
    assert _check("Dana's email or phone?", near_miss).missing == 1.0
