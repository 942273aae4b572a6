"""Which questions ask how to do something (mnemo.retrieval.ranking.terms.how): the steps answer
them, so procedures are lifted; a question about how someone likes things done is a preference, one
about how one usually does them a habit."""

from __future__ import annotations

from mnemo.retrieval.ranking.terms.how import asks_how, asks_usual_way
from tests.unit.verdicts import verdict_test

HOW_TO = [
    "how do I top up the boiler?",
    "remind me of Jakub's croissant dough method",
    "what's the process for getting the overage credit issued?",
    "no hot water, what should I check?",
    "card machine won't connect, what now?",
    "the prover shows E04, what do I do?",
    "what's the recipe for the rye starter?",
    "a client hasn't paid in a month, what's the next step",
    "paperwork for taking the pigs to the abattoir, what do I need to do",
]
OTHER_QUESTIONS = [
    "how does Lena like to hear about supplier price rises?",
    "how does Helen want material before a meeting?",
    "how does each of them want it?",
    "how does grandad feel about giving up the allotment?",
    "what's Dónal's mobile again?",
    "when did we switch butter supplier?",
    "what do I need to do before Matilde's show?",
    "lab stuff i still need to do",
    # A habit: how one does it, not the steps of doing it.
    "how do I get to work these days",
    "How do I usually sign off emails to clients?",
    # How one likes things done, asked as a request.
    "drafting the vendor note – remind me how I like vendor emails written",
]


test_which_questions_ask_how_to_do_something = verdict_test(asks_how, HOW_TO, OTHER_QUESTIONS)


USUAL_WAYS = [
    "How do I usually handle a spike in eKYC failures? Want to hand it to Chloe.",
    "Daniel's team missed the SLA again – how do I normally structure a vendor escalation note?",
    "How do I usually sign off emails to clients?",
]
NOT_USUAL_WAYS = [
    "how do I top up the boiler?",  # the steps, asked plainly
    "how does she usually like her coffee?",  # a preference
    "what do I usually order at Nando's?",  # no how
]


test_which_questions_ask_how_one_usually_does_something = verdict_test(
    asks_usual_way, USUAL_WAYS, NOT_USUAL_WAYS
)
