"""A question's words in the forms notes shorten them to, added where words are matched as written
(mnemo.memtypes.language.text.with_note_forms)."""

from __future__ import annotations

import pytest

from mnemo.memtypes.language.text import with_note_forms


@pytest.mark.parametrize(
    ("text", "searched"),
    [
        ("what is the timing of cricket on sunday", "what is the timing of cricket on sunday sun"),
        ("what did leanne say at the union meeting?", "what did leanne say at the union meeting? mtg"),
        ("mtg tmrw?", "mtg tmrw? meeting tomorrow"),
        ("anything on Thursday?", "anything on Thursday? thu thurs"),
        # A clipped day or month is not spelt out: "Jan" and "Dec" name people, "sat" is a verb.
        ("Jan Tremlett's phone number", "Jan Tremlett's phone number"),
        ("what I owe Dec", "what I owe Dec"),
        ("we sat in the garden", "we sat in the garden"),
    ],
)
def test_a_word_notes_shorten_is_also_searched_as_they_write_it(text: str, searched: str) -> None:
    assert with_note_forms(text) == searched
