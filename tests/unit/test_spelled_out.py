"""Chat shorthand spelt out before a question is read (mnemo.memtypes.language.text.spelled_out)."""

from __future__ import annotations

import pytest

from mnemo.memtypes.language.text import spelled_out, typed_form
from tests.unit.verdicts import answer_test

test_chat_shorthand_is_spelt_out = answer_test(
    spelled_out,
    [
        ("anything tmrw?", "anything tomorrow?"),
        ("whats on next wk", "what's on next week"),
        ("list everything i didnt do", "list everything i didn't do"),
        ("prep for thurs sup mtg", "prep for thursday sup mtg"),
        ("tmrw's list", "tomorrow's list"),
        ("anything nxt wk b4 fri?", "anything next week before friday?"),
        ("thu thru tue", "thursday through tuesday"),
        # Speech's contractions of having to.
        ("what do i gotta do this week", "what do i have to do this week"),
        ("do i hafta", "do i have to"),
        # "'ve" after a question word or a pronoun is "have".
        ("what've i got today", "what have i got today"),
        ("What’ve we got on Thursday?", "What have we got on Thursday?"),
        ("ive got on friday", "I have got on friday"),
        ("we've nothing planned", "we have nothing planned"),
        # Not after other words: a modal's "'ve" is no question of what one has.
        ("should've booked it", "should've booked it"),
        # Words English spells so stay: "wed", "sat", "sun", and parts of other words.
        ("we wed in june, sat in the sun", "we wed in june, sat in the sun"),
        ("the wkly report, tmrws-ville", "the wkly report, tmrws-ville"),
        # Time words of other languages mixed in, in English; not words English spells so.
        ("what do i have kesho", "what do i have tomorrow"),
        ("whats on wiki ijayo?", "what's on next week?"),
        ("anything Mañana", "anything tomorrow"),
        ("edit the wiki page", "edit the wiki page"),
        # Afrikaans: "môre" only with its accent, since "more" is English.
        ("volgende week due?", "next week due?"),
        ("vrydag?", "friday?"),
        ("naweek plans", "weekend plans"),
        ("môre?", "tomorrow?"),
        ("oormôre", "the day after tomorrow"),
        ("more?", "more?"),
        # Spanish days, weeks and months: "el" before a day is "on"; "mayo" only after "en", and
        # "Domingo" alone is a name.
        ("what do I have el viernes?", "what do I have on friday?"),
        ("anything due la semana del 22/3?", "anything due the week of 22/3?"),
        ("what do I have in abril?", "what do I have in april?"),
        ("anything en mayo?", "anything in may?"),
        ("extra mayo please", "extra mayo please"),
        ("Domingo called about the deck", "Domingo called about the deck"),
        ("what's due between el 15/3 and the end of March?", "what's due between 15/3 and the end of March?"),
        ("the el 5 train", "the el 5 train"),
    ],
)


test_a_spoken_question_is_read_as_typed = answer_test(
    typed_form,
    [
        # A hesitation anywhere, and a word that only opens the turn, are not what is asked.
        ("uh whats jens phone number", "what's jens phone number"),
        ("so whats the drug testing outfit im in", "what's the drug testing outfit I'm in"),
        ("okay so when did i, um, last see her", "when did i, last see her"),
        ("hey what's left for me this week?", "what's left for me this week?"),
        # Informal words spelt as writing spells them.
        ("whos my guy at lakeshore", "who's my guy at lakeshore"),
        ("what do i gotta do this week", "what do i have to do this week"),
        ("what kinda engine is in it", "what kind of engine is in it"),
        ("what did i want to ask em", "what did i want to ask them"),
    ],
)


@pytest.mark.parametrize(
    "question",
    [
        "ok to call her at 8?",  # "ok" asks leave here
        "so?",  # nothing after the opener: it is the question
        "so many things due this week?",  # "so" of a measure
        "who is the umpire",  # a hesitation only as a word of its own
        "when do I usually call my parents?",
        "Is there anything I should bring?",
    ],
)
def test_a_typed_question_stays_as_it_is(question: str) -> None:
    assert typed_form(question) == question
