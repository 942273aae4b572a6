"""What a memory's text holds, by the form of a value, for the asked-detail check
(mnemo.retrieval.ranking.asked.asked_detail): digits and separators, a currency sign or word, a month or
weekday, an @, a clock time, a code with digits. Forms of English and of everyday numbers, not of any
one store.

Pure; every pattern is compiled once and a text's answer is cached.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import StrEnum
from functools import lru_cache

from ....memtypes.language.text import numerals


class Kind(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    MONEY = "money"
    DATE = "date"
    DAY = "day"
    TIME = "time"
    COUNT = "count"
    CODE = "code"
    PERSON = "person"
    NAME = "name"
    ADDRESS = "address"
    SCORE = "score"
    PERCENT = "percent"


MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
WEEKDAYS = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun"
)
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    "hundred|thousand|million|dozen|half|couple|once|twice|a few|several"
)
_CLOCK_WORDS = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
_SPOKEN_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_TEENS = "thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
# A number said before "hundred" or "thousand": "nine hundred", "a thousand", "twenty grand".
_SPOKEN_NUMBERS = f"{_CLOCK_WORDS}|{_TEENS}|{_SPOKEN_TENS}|a"
_CURRENCY_CODES = "eur|gbp|usd|chf|aud|cad|nzd|inr|sek|nok|dkk|pln|brl|zar|jpy|kes|ksh|sgd|hkd|aed|mxn|ngn"
# After a number: "40 euros", "£32k", "12p", "3.2m".
_CURRENCY_WORDS = (
    "euro|euros|pound|pounds|quid|dollar|dollars|cent|cents|pence|yen|rupees|grand|k|m|bn|p|"
    + _CURRENCY_CODES
)
# What a memory's text holds, by the form of a value.
_HOLDS: dict[Kind, re.Pattern[str]] = {
    Kind.EMAIL: re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),
    # Not digits inside a code ("WB-27-0340") nor a reference that opens with a year ("invoice 2027-017").
    Kind.PHONE: re.compile(r"(?<![\w/-])(?!(?:19|20)\d\d[-/])\+?\(?\d(?:[\d\s().-]{5,}\d)(?![\w/])"),
    Kind.MONEY: re.compile(
        rf"[£$€¥₹]\s?\d|\d\s?[£$€¥₹]|\b\d[\d,.]*\s?(?:{_CURRENCY_WORDS})\b|\b(?:{_CURRENCY_CODES})\s?\d"
        # A rate in percent is an amount charged: "2 %", "two percent", "per cent".
        r"|\d\s?%|\bpercent\b|\bper (?:cent|hour|month|year|week|day|kilo|kg|litre|unit)\b"
        # A sum by the period or the measure it is paid for: "38 a month", "214 per month", "two
        # fifty-five a mile", "1.89 a litre" (not "2 a day": a dose).
        r"|\b(?:\d{2,}|\d[.,]\d\d)(?:[.,]\d+)?\s+(?:a|an|per)\s+(?:hour|month|year|week|night|visit|session|lesson"
        r"|mile|kilometre|kilometer|km|gallon|litre|liter|kilo|kg|pound|lb|head|page|word)\b"
        # An amount said as it is spoken: "nine hundred for the boat", "twenty six fifty", "two grand".
        rf"|\b(?:{_SPOKEN_NUMBERS})[\s-]+(?:hundred|thousand|grand|k)\b"
        rf"|\b(?:{_SPOKEN_TENS})(?:[\s-](?:{_CLOCK_WORDS}))?\s+(?:{_SPOKEN_TENS})\b",
        re.IGNORECASE,
    ),
    # A rate in percent ("5.94% p.a.", "four percent", "25 bps"): the rate of a loan or a tax.
    Kind.PERCENT: re.compile(r"\d\s?%|\b(?:per\s?cent|percent|pct)\b|\d\s?bps\b", re.IGNORECASE),
    Kind.DATE: re.compile(
        rf"\b(?:{MONTHS})\b|\b(?:{WEEKDAYS})s?\b|\b\d{{1,4}}[/.-]\d{{1,2}}(?:[/.-]\d{{1,4}})?\b"
        r"|\b(?:19|20)\d\d\b|\b\d{1,2}(?:st|nd|rd|th)\b|\b(?:today|tomorrow|yesterday|tonight)\b"
        # "before the trip", "since we moved": a when-question is answered by another event too.
        r"|\b(?:before|after|until|till|since|during|ago)\b"
        # A recurring time answers "when" as a date does: "monthly", "at weekends",
        # "the first of the month", "in spring".
        r"|\b(?:daily|weekly|fortnightly|monthly|quarterly|yearly|annually|weekends?)\b"
        r"|\b(?:first|last) of the (?:month|year)\b|\b(?:spring|summer|autumn|winter)\b",
        re.IGNORECASE,
    ),
    # A day: a day of a month ("11 December", "Dec 11th", "24/4"), a weekday, an ordinal ("on the 28th"),
    # today or tomorrow; not a month, a year or a season alone ("next meeting in September 2027").
    Kind.DAY: re.compile(
        rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTHS})\b|\b(?:{MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b"
        rf"|\b(?:{WEEKDAYS})s?\b|\b\d{{1,2}}[/-]\d{{1,2}}(?:[/-]\d{{2,4}})?\b|\b\d{{1,2}}\.\d{{1,2}}\.\d{{2,4}}\b"
        r"|\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}(?:st|nd|rd|th)\b"
        r"|\b(?:today|tomorrow|yesterday|tonight)\b",
        re.IGNORECASE,
    ),
    Kind.TIME: re.compile(
        r"\b\d{1,2}(?:[:.h]\d\d)?\s?(?:am|pm|a\.m\.|p\.m\.)|\b\d{1,2}[:h]\d\d\b|\b(?:noon|midday|midnight)\b"
        # "around 7 o'clock", "half past six", "a quarter to nine"
        rf"|\b(?:\d{{1,2}}|{_CLOCK_WORDS})\s?o'?clock\b"
        rf"|\b(?:half|quarter) (?:past|to) (?:\d{{1,2}}|{_CLOCK_WORDS})\b"
        # A clock time said as it is spoken, read in digits ("at eight sharp", "by nine for the nine
        # fifteen", "twenty past three", "three oh five"): an hour after "at" or "by" that no noun
        # follows ("at 2 of them"), an hour and its minutes, minutes past an hour.
        r"|\b(?:at|by|around|until|till)\s+\d{1,2}(?:\s[0-5]\d)?"
        r"(?=\s+(?:sharp|am|pm|tonight|tomorrow|this|in\s+the|for|on)\b|\s*[,.;!?]|\s*$)"
        r"|\b\d{1,2}\s(?:15|30|45|oh\s\d)\b|\b\d{1,2}\s+past\s+\d{1,2}\b",
        re.IGNORECASE,
    ),
    # A street number before the street's name ("27 Iona Street", "4 Cluain Mhuire", "4105 SE 223rd
    # Ave"; not "3 Feb"), or after it ("Rua Pascoal de Melo 58, …"), or a postcode ("EH6 8SW").
    Kind.ADDRESS: re.compile(
        rf"(?<![\w£$€¥₹:.,/-])(?!(?:19|20)\d\d\b)\d{{1,5}}[A-Za-z]?,?\s+(?!(?i:{MONTHS}|{WEEKDAYS})\b)[A-Z][\w'’-]+"
        rf"|\b(?!(?i:{MONTHS}|{WEEKDAYS})\b)[A-Z][a-z'’-]+\s\d{{1,5}}[A-Za-z]?(?:,|:|$)|\b[A-Z]{{1,2}}\d[A-Z\d]?\s\d[A-Z]{{2}}\b"
    ),
    Kind.COUNT: re.compile(rf"\d|\b(?:{_NUMBER_WORDS})\b", re.IGNORECASE),
    Kind.CODE: re.compile(r"\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{3,}\b|\b\d{3,}\b|\b[A-Z]{2,}[-/]?\w*\d"),
}
# A code said digit by digit, as dictation writes it: "nine zero two six", "four four one seven".
_DIGIT_WORDS = "zero|oh|one|two|three|four|five|six|seven|eight|nine"
_SPOKEN_DIGITS = re.compile(rf"\b(?:{_DIGIT_WORDS})(?:[\s-]+(?:{_DIGIT_WORDS})){{3,}}\b", re.IGNORECASE)


def spoken_digits(text: str) -> bool:
    """Whether `text` says a number digit by digit in words ("nine zero two six")."""
    return _SPOKEN_DIGITS.search(text) is not None


# Kinds whose values are also said in words ("thirty four dollars an hour", "at eight sharp"): read in
# digits too (numerals), so that "thirty four dollars" is "34 dollars".
_SAID_IN_WORDS = frozenset({Kind.MONEY, Kind.TIME})
# A number that measures or prices is an amount, not a code: "500 Mb", "1,000 litres", "€189",
# "a 2016 Adria", "a 4-berth", "the 7th". A code is an identifier: "B-217", "XR-2611", "s2291847".
_UNITS = (
    "mb|gb|tb|kb|mbps|kg|g|mg|km|m|cm|mm|l|ml|litres?|liters?|kilos?|miles?|metres?|meters?|feet|ft|"
    "hours?|hrs?|h|minutes?|mins?|seconds?|secs?|days?|weeks?|months?|years?|people|persons?|pages?|"
    "words?|cases?|units?|calories|kcal|steps|degrees|°c|°f|%"
)
_TOKEN = re.compile(r"\w[\w,./-]*\w|\w")
_AMOUNT_AFTER = re.compile(rf"\s?(?:{_CURRENCY_WORDS}|{_UNITS})(?!\w)", re.IGNORECASE)
_MEASURE = re.compile(r"\d+(?:[.,]\d+)?-?[a-z]+", re.IGNORECASE)  # "4-berth", "80GB", "7th"
_YEAR = re.compile(r"(?:19|20)\d\d")
_SIGNS = "£$€¥₹"
# An identifier of one digit is a longer word or hyphenated ("qa-driftglass-7", "Pixel7").
_SHORT_NAME_CHARS = 5


# A number told by its last digits only ("checking ending 2290", "card ending in 4417", "last four
# 0932", "****2290", "xxxx2290"): which one it is, not the number itself.
_LAST_DIGITS_BEFORE = re.compile(
    r"(?:\bending(?:\s+in)?|\blast\s+(?:\d|two|three|four|five|six)(?:\s+digits)?(?:\s+of)?|[*x•]{2,})\s*$",
    re.IGNORECASE,
)
_MASKED = re.compile(r"[xX]{2,}\d+")
# A number after the sign that says it is one ("colegiada nº 98.432", "Juzgado nº 17", "order no. 4471",
# "room #12"): an identifier whatever its form.
_NUMBER_SIGN = re.compile(r"(?:\b(?:n[º°]|no\.|nr\.|núm\.|num\.)|#)\s*$", re.IGNORECASE)
# A number and a year after a reference's letters ("PA 412/2026", "RD 1155/2024", "Exp. 88/2025"): a
# case's or a file's reference, not a date.
_REFERENCE_LETTERS = re.compile(r"\b[A-Z]{1,4}\.?\s*$")
_NUMBER_OF_YEAR = re.compile(r"\d+/(?:19|20)\d\d")


def _is_code(token: str, before: str, after: str) -> bool:
    """Whether `token` (with the text `before` and `after` it) is an identifier, not an amount (a
    price is one with its rate: "£72/mo", "£21.40/h") nor the last digits of one ("ending 2290")."""
    if before.rstrip()[-1:] in _SIGNS:
        return False
    if _LAST_DIGITS_BEFORE.search(before) or _MASKED.fullmatch(token):
        return False
    if _NUMBER_SIGN.search(before) or (
        _NUMBER_OF_YEAR.fullmatch(token) and _REFERENCE_LETTERS.search(before)
    ):
        return True
    if not any(c.isalpha() for c in token):
        if _AMOUNT_AFTER.match(after):
            return False
        if re.search(r"\d[,.]\d", token):  # "14,500", "31.5": a formatted amount
            return False
        parts = re.split(r"[-/]", token)
        if any(_YEAR.fullmatch(part) for part in parts) and len(parts) <= 3:
            return False  # a year, or a date written with one
        return any(len(part) >= 3 for part in parts)
    if sum(c.isdigit() for c in token) < 2 and "-" not in token and len(token) < _SHORT_NAME_CHARS:
        return False  # a short word with one digit names a thing: "B2B", "Hal4", "M4", "4K"
    return len(token) >= 3 and _MEASURE.fullmatch(token) is None


@lru_cache(maxsize=8_192)
def _holds_code(text: str) -> bool:
    return any(
        any(c.isdigit() for c in m.group()) and _is_code(m.group(), text[: m.start()], text[m.end() :])
        for m in _TOKEN.finditer(text)
    )


# A count stands as a number of its own ("two A100 GPUs", "60 TB"), not digits inside a code or a path.
_STANDING_COUNT = re.compile(rf"(?<![\w/-])\d|\b(?:{_NUMBER_WORDS})\b", re.IGNORECASE)


# A date written in digits ("14.11.2026", "01/12/2026", "2026-11-14"): no phone number, whatever its length.
_NUMERIC_DATE = re.compile(r"\d{1,2}([./-])\d{1,2}\1\d{2,4}|\d{4}([./-])\d{1,2}\2\d{1,2}")


# The fewest digits a phone number is dialled with (a local number without its area code): fewer are
# a sum and what follows it ("$1,596 (42 hours)"), a count or a year running into the next sentence.
_PHONE_DIGITS = 7


def _is_phone(number: str) -> bool:
    """Whether `number`, formed as a phone number, is one: not a date written in digits, and dialled
    with at least `_PHONE_DIGITS` digits."""
    digits = sum(c.isdigit() for c in number)
    return _NUMERIC_DATE.fullmatch(number.strip()) is None and digits >= _PHONE_DIGITS


@lru_cache(maxsize=8_192)
def _holds(kind: Kind, text: str) -> bool:
    if kind is Kind.PHONE:
        return any(_is_phone(m.group()) for m in _HOLDS[kind].finditer(text))
    if kind is Kind.CODE and _SPOKEN_DIGITS.search(text) is not None:
        return True
    if kind in _SAID_IN_WORDS and _HOLDS[kind].search(numerals(text)) is not None:
        return True
    return _HOLDS[kind].search(text) is not None


# A number that is no count of things: an amount of money ("$15,600", "£2.10 per client"), a year, a
# date ("19.06.2023", "1 April"), a clock time or a phone number ("01535 610 440").
_NOT_COUNTS = re.compile(
    "|".join(
        (
            rf"[{_SIGNS}]\s?\d[\d,.]*(?:\s?(?:k|m|bn)\b)?",
            rf"\b\d[\d,.]*\s?(?:{_CURRENCY_WORDS.replace('|k|m|bn|p|', '|')})\b",
            rf"\b(?:{_CURRENCY_CODES})\s?\d[\d,.]*",
            r"\b(?:19|20)\d\d(?:\s?[–-]\s?\d{2,4})?\b",
            _HOLDS[Kind.DAY].pattern,
            _HOLDS[Kind.TIME].pattern,
            _HOLDS[Kind.PHONE].pattern,
        )
    ),
    re.IGNORECASE,
)


def _holds_count(text: str) -> bool:
    """Whether `text` holds a count: a number of its own that is no amount of money, year, date,
    clock time or phone number ("how many clients" is not answered by "£2.10 per client")."""
    return _STANDING_COUNT.search(_NOT_COUNTS.sub(" ", text)) is not None


# A result told in words: a letter grade ("a B+", "got an A", "grade C"), or a pass or a distinction.
_GRADE = re.compile(
    r"\b[A-F][+-](?!\w)|\b(?:an?|got|get|gets|grade|mark|scored?)\s+[A-F][+-]?(?![\w'’])"
    r"|\b(?i:pass|passed|fail|failed|distinction|merit|full marks|top marks)\b"
    # Out of a total, as marks are given (not a day of a month: "24/4").
    r"|\b\d+\s?(?:/|out of)\s?(?:10|20|25|30|40|50|60|100)\b|\d\s?%",
)


def _holds_score(text: str) -> bool:
    """Whether `text` holds a mark or a score: a grade, a pass, or a number that is no amount of
    money, year, date, clock time or phone number ("92%", "17/20", "scored 24"). A test's own date
    and time ("TODO(2026-12-10): Spanish final, 7pm") tell when it is, not how it went."""
    if _GRADE.search(text) is not None:
        return True
    return re.search(r"\d", _NOT_COUNTS.sub(" ", _NUMERIC_DATE.sub(" ", text))) is not None


def holds_form(kind: Kind, text: str, strict_codes: bool = False, standing_counts: bool = False) -> bool:
    """Whether `text` holds a value of `kind` by its form (a person is read by asked_detail, not
    here): with `strict_codes` an amount, a measure or a year is no code; with `standing_counts` a
    count is a number standing on its own."""
    if kind is Kind.SCORE:  # a mark said in words too: "twenty one out of thirty"
        return _holds_score(text) or _holds_score(numerals(text))
    if kind is Kind.CODE and strict_codes:
        return _holds_code(text) or _SPOKEN_DIGITS.search(text) is not None
    if kind is Kind.COUNT and standing_counts:
        return _holds_count(text)
    return _holds(kind, text)


# Words the date form reads as answering "when" that name no date of their own: "before the trip".
_NO_DATE = frozenset({"before", "after", "until", "till", "since", "during", "ago"})
# Words the count form reads that say no number of their own: "good for another couple years".
_NO_NUMBER = frozenset({"couple", "several", "few", "half", "dozen"})
_VALUE_EDGES = "\"'’()[]{},.;:!?"


@lru_cache(maxsize=8_192)
def values_of(kind: Kind, text: str) -> frozenset[str]:
    """The values of `kind` a text holds by their form, each the whole words its form is found in,
    casefolded ("$4,800/quarter", "tuesdays", "5pm"; a sum or a count said in words read in digits:
    "a hundred forty nine dollars" is a sum, no count): two texts holding another value of a kind say
    another thing of it. A person or a name is read by its capitals, not here (empty)."""
    if kind not in _HOLDS:
        return frozenset()
    read = numerals(text) if kind in _SAID_IN_WORDS or kind is Kind.COUNT else text
    found: Iterator[re.Match[str]]
    if kind is Kind.CODE:
        found = (
            m
            for m in _TOKEN.finditer(read)
            if any(c.isdigit() for c in m.group()) and _is_code(m.group(), read[: m.start()], read[m.end() :])
        )
    elif kind is Kind.COUNT:
        read = _NOT_COUNTS.sub(" ", read)
        found = _STANDING_COUNT.finditer(read)
    else:
        found = _HOLDS[kind].finditer(read)
    values = (_whole_words(read, m.start(), m.end()) for m in found)
    if kind is Kind.PHONE:
        values = (v for v in values if _is_phone(v))
    return frozenset(v for v in values if v and v not in _NO_DATE and v not in _NO_NUMBER)


def _whole_words(text: str, start: int, end: int) -> str:
    """The words a value's form was found in, from the space before it to the space after ("$4" of
    "$4,800/quarter" is "$4,800/quarter"), casefolded, without the punctuation around them."""
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[start:end].strip(_VALUE_EDGES).casefold()


# A word written with a capital and lower case after it (not an abbreviation in capitals: "RFI").
_TITLE_CASE = re.compile(r"\b[A-Z][a-z]")
_WHO = re.compile(r"\bwho\b", re.IGNORECASE)


def writes_capitals(text: str) -> bool:
    """Whether `text` capitalizes a word: one that does not, not even where a sentence opens ("steel
    erector is iron valley steel, foreman is big ray dutko"), writes its names in lower case too, and
    shows none by its form."""
    return _TITLE_CASE.search(text) is not None


def says_who(text: str) -> bool:
    """Whether `text` tells of someone as a "who" ("ask grad school who my APR assessors are", "two
    assessors who aren't my sups"): what it says of them is no name."""
    return _WHO.search(text) is not None
