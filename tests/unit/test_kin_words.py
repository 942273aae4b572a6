"""A parent or grandparent said in the other forms too, and the word that picks the newest occasion
left out, for the lexical search of a question
(mnemo.memtypes.language.text.with_kin_words, without_newest_words)."""

from __future__ import annotations

from mnemo.memtypes.language.text import with_kin_words, without_newest_words
from tests.unit.verdicts import answer_test

test_a_parent_is_searched_in_every_form = answer_test(
    with_kin_words,
    [
        ("How does my father feel about moving?", "How does my father feel about moving? dad"),
        ("how did my father's echo go", "how did my father's echo go dad"),
        ("what did Mum say about Easter", "what did Mum say about Easter mother mom"),
        ("anything for dad and mom?", "anything for dad and mom? father mother mum"),
        ("when is grandma's birthday", "when is grandma's birthday grandmother gran"),
        # No parent named, or a word that only begins like one: nothing added.
        ("what's the fathom depth at the harbour?", "what's the fathom depth at the harbour?"),
        ("who's on call this week", "who's on call this week"),
    ],
)


test_the_word_that_picks_the_newest_occasion_is_not_searched = answer_test(
    without_newest_words,
    [
        ("when was my last pm", "when was my pm"),
        ("what did Helen say at the last QBR?", "what did Helen say at the QBR?"),
        ("When was my most recent guardia at Barajas?", "When was my guardia at Barajas?"),
        ("what's the latest on the Casa Ribeira invoice?", "what's the on the Casa Ribeira invoice?"),
        # A time ("last week") or what comes next is left as said.
        ("what did I spend last week?", "what did I spend last week?"),
        ("how many miles til my next pm", "how many miles til my next pm"),
    ],
)
