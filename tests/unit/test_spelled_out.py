"""Chat shorthand spelt out before a question is read (mnemo.memtypes.language.text.spelled_out)."""

from __future__ import annotations

import pytest

from mnemo.memtypes.language.text import spelled_out


@pytest.mark.parametrize(
    ("text", "spelt"),
    [
        ("anything tmrw?", "anything tomorrow?"),
        ("whats on next wk", "what's on next week"),
        ("list everything i didnt do", "list everything i didn't do"),
        ("prep for thurs sup mtg", "prep for thursday sup mtg"),
        ("tmrw's list", "tomorrow's list"),
        ("anything nxt wk b4 fri?", "anything next week before friday?"),
        ("thu thru tue", "thursday through tuesday"),
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
    ],
)
def test_chat_shorthand_is_spelt_out(text: str, spelt: str) -> None:
    assert spelled_out(text) == spelt


@pytest.mark.parametrize(
    ("text", "spelt"),
    [("what do i gotta do this week", "what do i got to do this week"), ("do i hafta", "do i have to")],
)
def test_spoken_contractions_of_having_to_are_spelt_out(text: str, spelt: str) -> None:
    assert spelled_out(text) == spelt
