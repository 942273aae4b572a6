"""Which questions ask for several things (mnemo.memtypes.language.questions): each form pinned."""

from __future__ import annotations

from mnemo.memtypes.language.questions import asking_clauses, asks_for_several
from tests.unit.verdicts import verdict_test

FOR_SEVERAL = [
    "What books has Melanie read?",  # a plural noun after "what"
    "Which cities has Jon visited?",
    "What LGBTQ+ events has Caroline participated in?",  # a modifier, the noun, then the verb
    "What personality traits might Melanie say Caroline has?",
    "What types of pottery have Melanie and her kids made?",  # "types of" is plural itself
    "How many hours of jogging and yoga did I do last week?",  # a count, a sum, every one
    "How much did I spend on the road trips?",
    "What is the total weight of the new feed I purchased?",
    "How long did the three trips take combined?",
    "What subject have Caroline and Melanie both painted?",
    "  what activities does Melanie partake in?",
]
FOR_ONE = [
    "What did Caroline research?",  # a verb after "what": its subject follows, not a noun
    "What is Caroline's identity?",
    "What was James doing last week?",  # "James" follows a verb: a name, not a plural
    "Which song motivates Caroline to be courageous?",  # the verb comes second
    "What kind of art does Caroline make?",  # one kind
    "What is the status of my order?",  # "-us", "-ss", "-is" endings are singular
    "Which class did she take?",
    "What analysis did you run?",
    "When did Melanie paint a sunrise?",
    "",
]


test_which_questions_ask_for_several = verdict_test(asks_for_several, FOR_SEVERAL, FOR_ONE)


def test_the_asking_clause_follows_a_situation_told_first() -> None:
    query = "Daniel's team missed the SLA again – how do I structure an escalation note?"
    assert asking_clauses(query).strip() == "how do I structure an escalation note?"
    # A request that asks as a question does.
    query = "I'm drafting the vendor note – remind me how I like vendor emails written"
    assert asking_clauses(query).strip() == "remind me how I like vendor emails written"
    # None opens as a question: all of it asks.
    assert asking_clauses("remind me of the gate code, please") == "remind me of the gate code, please"
