"""What the asked-detail check (asked_detail.py) reads of a question's own forms, once for all the hits
it reads: the things asked with their number, a number asked by its noun, a secret asked, the one of
several asked, an ordinal, whether the question is in one part. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

from .asked_names import question_parts
from .asked_things import (
    asked_which,
    named_numbers,
    numbered,
    ordinals_of,
    tells_another_one,
    told_indefinitely,
)
from .secret_codes import asked_secrets


@dataclass(frozen=True)
class QuestionForms:
    """What the check reads of the question's own forms, once for all its hits."""

    things: frozenset[str]  # things asked with their number ("room 12")
    by_noun: frozenset[str]  # a number asked by its noun, told with it (a question in one part only)
    secret: bool  # a password, a PIN, a door code: told with its noun
    which: frozenset[str]  # the one of several asked ("which bank")
    counted: frozenset[tuple[str, str]]  # an ordinal ("the first quarter": not the third)
    single: bool  # a question in one part

    @classmethod
    def of(cls, query: str) -> QuestionForms:
        single = len(question_parts(query)) == 1
        return cls(
            things=numbered(query),
            by_noun=named_numbers(query) if single else frozenset(),
            secret=asked_secrets(query),
            which=asked_which(query),
            counted=ordinals_of(query),
            single=single,
        )

    def of_another(self, content: str) -> bool:
        """Whether a hit tells of another one than the one asked (another of several, another ordinal)."""
        if self.which and told_indefinitely(content, self.which):
            return True
        return tells_another_one(self.counted, content)
