"""What kind of value a request asks for, from its words, for the asked-detail check
(mnemo.retrieval.ranking.asked_detail).

`asked_kinds(query)`: the kinds of value a question asks for. The cues are the interrogatives and
the nouns that name a kind of value in any person's or account's affairs ("how much", "cost",
"salary"; "when", "birthday", "expire"; "what time"; "how many"; "phone", "mobile"; "email"; "code",
"password", "account number", "reference"; "who", "called"): word classes of English, not the
subjects of any one store, so that they read a store nobody here has seen as they read these. A
question that names none asks for no kind. `is_question(query)`: whether a request asks at all.

Pure; every pattern is compiled once.
"""

from __future__ import annotations

import re

from .value_forms import Kind


def _words(*alternatives: str) -> str:
    return r"\b(?:" + "|".join(alternatives) + r")\b"


_MONEY_WORDS = (
    "cost",
    "costs",
    "costing",
    "price",
    "prices",
    "priced",
    "pay",
    "paid",
    "paying",
    "charge",
    "charges",
    "charging",
    "salary",
    "wage",
    "wages",
    "fee",
    "fees",
    "bill",
    "spend",
    "spent",
    "budget",
    "rent",
    "worth",
    "owe",
    "owed",
    "quote",
    "quoted",
    "discount",
    "hourly rate",
    "day rate",
)
# A code named by what it is of ("the quote reference", "the invoice number") is asked, not the money.
_CODE_OF_MONEY = re.compile(
    _words(*_MONEY_WORDS) + r"\s+(?=(?:reference|ref|number|code|id)\b)", re.IGNORECASE
)

# What a question's words say it asks for. Each is a word class of everyday questions about a
# person's or an account's affairs, written as the interrogatives and value nouns of English.
ASKS: tuple[tuple[Kind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        (Kind.EMAIL, _words("e-?mail", "e-?mail address")),
        (
            Kind.PHONE,
            _words(
                "phone",
                "mobile",
                "landline",
                "direct line",
                "telephone",
                "cell number",
                "cell phone",
                "whatsapp",
                "contact number",
            ),
        ),
        # "Kathleen's number": a person's number is their phone's ("the van's number plate" is not).
        (Kind.PHONE, r"\b\w+'s number\b(?! (?:of|plate))"),
        (Kind.MONEY, _words(*_MONEY_WORDS)),
        # "how much was the skip?": how much of nothing named is a price ("how much flour?" a quantity).
        (Kind.MONEY, r"\bhow much (?:is|was|were|are|did|does|do|will|would|has|have|had)\b"),
        (
            Kind.DATE,
            _words(
                "when",
                "what date",
                "which date",
                "the date",
                "birthday",
                "anniversary",
                "expire",
                "expires",
                "expiry",
                "deadline",
                "due date",
                "what day",
                "which day",
                "what year",
                "which year",
            ),
        ),
        (Kind.TIME, _words("what time", "which time", "how early", "how late", "o'clock")),
        (
            Kind.COUNT,
            _words(
                "how many",
                "how much",
                "how big",
                "how long",
                "how old",
                "how far",
                "how tall",
                "how heavy",
                "what size",
                "which size",
                "what level",
                "what percentage",
                "how often",
                "quota",
            ),
        ),
        (
            Kind.CODE,
            _words(
                "code",
                "password",
                "passcode",
                "pin",
                "wifi",
                "account number",
                "policy number",
                "reference",
                "ref",
                "registration",
                "reg",
                "number plate",
                "serial",
                "model",
                "version",
                "id",
                "postcode",
                "zip code",
                "iban",
                "licence number",
                "license number",
                "number",
            ),
        ),
        (Kind.PERSON, _words("who", "whom", "whose", "called", "name of", "surname", "first name")),
    )
)

# The words that open a question: an interrogative or an auxiliary.
_OPENERS = (
    "what|when|where|who|whom|whose|which|how|why|is|are|was|were|do|does|did|can|could|will|would|"
    "should|shall|has|have|had"
)
_OPENS_QUESTION = re.compile(rf"^\W*(?:{_OPENERS})(?:'s|'re|'d)?\b", re.IGNORECASE)
_QUESTION = re.compile(rf"\?\s*$|{_OPENS_QUESTION.pattern}", re.IGNORECASE)
# A request opening with whose it is ("Dean's mobile"), not with a contraction of "is" ("that's").
_OPENS_POSSESSIVE = re.compile(
    r"^\W*(?!(?:what|who|where|when|how|why|it|that|there|here|he|she|let)['’]s)\w+['’]s\b", re.IGNORECASE
)
# Where one clause of a request asks and another says why ("what's Aoife's address, for the birthday
# card"; "Rita's birthday is coming up, what present do I give?"), the asking clause says the kind.
CLAUSES = re.compile(r"[,;:—–]|\s-\s")


def asking_clauses(query: str) -> str:
    """The clauses of `query` that open as a question, or all of it when none does: "Úna's
    picking hymns for Gerry's birthday Mass, which ones does he like?" asks which hymns, not when."""
    clauses = [c for c in CLAUSES.split(query) if c.strip()]
    asking = [c for c in clauses if _OPENS_QUESTION.search(c)]
    return " ".join(asking) if asking else query


def asked_kinds(query: str, clause_only: bool = False) -> frozenset[Kind]:
    """The kinds of value `query` asks for (empty: none that a text's form shows), read in its
    asking clauses (`asking_clauses`) with `clause_only`. "How much" asks for an amount: of money
    where a word of money says so ("how much did the lock cost?"), else any quantity ("how much
    levothyroxine?")."""
    text = _CODE_OF_MONEY.sub(" ", asking_clauses(query) if clause_only else query)
    kinds = {kind for kind, pattern in ASKS if pattern.search(text)}
    if Kind.MONEY in kinds or Kind.TIME in kinds:
        kinds.discard(Kind.COUNT)  # "how much … cost": the amount is the money
    if Kind.PHONE in kinds or Kind.EMAIL in kinds:
        kinds.discard(Kind.CODE)  # "phone number": the number is the phone's
    return frozenset(kinds)


def is_question(query: str) -> bool:
    """Whether `query` asks something (a question mark, or an interrogative or auxiliary opening it):
    a topic ("everything about Bob", a forget query, a search phrase) asks for no detail, and
    whatever is about it answers it. A request for someone's value of a kind asks for it, mark or
    none ("Dean's mobile", "Ceri's registration number"; "Dana phone number" is a search phrase)."""
    return _QUESTION.search(query) is not None or (
        _OPENS_POSSESSIVE.search(query) is not None and bool(asked_kinds(query))
    )
