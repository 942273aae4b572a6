"""A secret asked (a password, a PIN, a door or gate code) and whether a memory states one, for the
asked-detail check (mnemo.retrieval.ranking.asked.asked_detail).

A code of any form answers "what's the van's registration?", since a memory names a registration by
its form alone. A secret is told with its noun: "Gate code 4471", "KRA PIN is A009876543K", "beta
(pw: tidebeta)", "lockbox code changed to 8826". A memory about the place or the account whose
other codes are told ("prod instance clinic-prod", "desk #14") or that says where the secret is kept
or when it changes ("creds in the team vault", "door code changes monthly, posted in Slack") does
not hold it. So `asked_secrets(query)` reads the nouns a question asks a secret by, and
`states_secret(content)` whether a memory writes a value just after such a noun, in the same
sentence: a word written with digits, digits said in words, or whatever follows a colon, an arrow or an
equals sign.

Pure; every pattern is compiled once.
"""

from __future__ import annotations

import re

from .value_forms import spoken_digits

# The nouns a secret is asked by. A "code" named by what it is of (a sort code, a postcode, a dress
# code, a tax code) is a value of another kind, told in its own ways.
_ASKED = re.compile(
    r"\b(?:pass(?:word|code|phrase)s?|pws?|pins?|"
    r"(?<!\bsort )(?<!\bzip )(?<!\bpost )(?<!\bdress )(?<!\btax )(?<!\barea )(?<!\bcountry )codes?)\b",
    re.IGNORECASE,
)
# The nouns a memory tells a secret by ("wifi pw", "keypad code", "the key safe (code 2719)").
_TOLD = re.compile(
    r"\b(?:pass(?:word|code|phrase)|passwd|pwd|pw|pin|code|combo|combination)s?\b", re.IGNORECASE
)
# Where a sentence ends: what follows is told of something else.
_SENTENCE_END = re.compile(r"[.;!?](?:\s|$)|\n")
# How many words after its noun a secret is written ("code changed to 7315", "code at dad's to nine
# zero two six").
_WINDOW_WORDS = 8
# A value after a colon, an arrow or an equals sign ("pw: tidebeta", "wifi pw → biscuit-heron-27").
_GIVEN = re.compile(r"^\s*\)?\s*(?:[:=→]|->)\s*\S")


def _holds_digits(word: str) -> bool:
    """Whether `word` is written with digits as a code is (two at least, or digits alone): "4471",
    "14I2087W", "biscuit-heron-27", not a name with a digit in it ("1Password")."""
    digits = sum(c.isdigit() for c in word)
    return digits >= 2 or (digits > 0 and word.strip("()[],:#").isdigit())


def asked_secrets(query: str) -> bool:
    """Whether `query` asks for a secret by its noun ("wifi password", "gate code at the Desais'",
    "my NMC pin"), not a code of another kind ("sort code", "dress code")."""
    return _ASKED.search(query) is not None


def states_secret(content: str) -> bool:
    """Whether `content` writes a secret's value just after a noun that names one, in the same
    sentence: a word written with digits, digits said in words, or a value after a colon, an arrow or an
    equals sign ("pw: tidebeta")."""
    for noun in _TOLD.finditer(content):
        after = content[noun.end() :]
        end = _SENTENCE_END.search(after)
        clause = after[: end.start()] if end else after
        if _GIVEN.match(clause):
            return True
        words = clause.split()[:_WINDOW_WORDS]
        if any(_holds_digits(w) for w in words) or spoken_digits(" ".join(words)):
            return True
    return False
