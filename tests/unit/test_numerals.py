"""Numbers written as words read as the numbers they are (memtypes/language/text.py `numerals`), so
that a value dictated or written out ("ten milligrams") compares with one in digits."""

from __future__ import annotations

from mnemo.memtypes.language.changes import leaves, retells_with_another_value
from mnemo.memtypes.language.text import numerals
from tests.unit.verdicts import answer_test

test_numbers_written_as_words_read_as_digits = answer_test(
    numerals,
    [
        ("up to ten milligrams", "up to 10 milligrams"),
        ("twenty five dollars a visit", "25 dollars a visit"),
        ("forty-two", "42"),
        ("two hundred and fifty", "250"),
        ("a hundred bucks", "100 bucks"),
        ("one thousand two hundred and fifty", "1250"),
        ("Five Thousand", "5000"),
        ("between five and six", "between 5 and 6"),
        # "one" and "a" alone are a pronoun and an article; ordinals and words that hold a number stay.
        ("the new one is fine", "the new one is fine"),
        ("one of them", "one of them"),
        ("the seventh, the tenant, often", "the seventh, the tenant, often"),
    ],
)


def test_a_value_written_as_words_is_given_anew_and_left() -> None:
    older = "dad takes donepezil five milligrams every night"
    assert retells_with_another_value(older, "doctor wants donepezil ten milligrams every night from now on")
    assert retells_with_another_value("rate is 5 percent on the loan", "loan rate is twelve percent")
    assert leaves("they bumped his donepezil up from five to ten milligrams", older)
    # The same number in words and in digits is no new value.
    assert not retells_with_another_value(older, "gave dad his donepezil, 5 milligrams, at night")
