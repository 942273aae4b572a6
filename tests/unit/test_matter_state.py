"""A question that asks how one matter stands, as a whole (mnemo.retrieval.ranking.matter_state)."""

from __future__ import annotations

from mnemo.retrieval.ranking.matter_state import asks_matter_state
from tests.unit.verdicts import verdict_test

MATTER_STATES = [
    "Where am I with renewing my sworn registration?",
    "where are we with the Casa Ribeira invoice",
    "where are things with the boiler?",
    "CO 7 where's it at",
    "where do we stand on the lease",
    "what's going on with the mortgage",
    "What is happening with the planning appeal?",
    "the rewiring job, what's the latest?",
    "Status of invoice 2027-009",
    "status update on the fence",
    "Everything on the lobby storefront glass",
    "Please tell me everything about the leak in 2B",
    "level 2 deck pour, what was planned and how it went",
]


OTHER_QUESTIONS = [
    "how did the level 2 pour go?",  # one event, not a state
    "when did Loop put everything on hold?",
    "since when do I have settled status?",
    "where is the spare key?",
    "what's the mortgage rate?",
    "what's happening in March?",
    "the Maré status summary, Portuguese or English?",
]


test_which_questions_ask_how_a_matter_stands = verdict_test(asks_matter_state, MATTER_STATES, OTHER_QUESTIONS)
