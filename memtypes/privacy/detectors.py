"""Secrets and personal data in text, found by pattern and checked where a format has a check digit.

Pure functions over a string, no network, no model: each detector is a regular expression and,
where the format allows it, a validation that turns a look-alike into a non-match (Luhn for card
numbers, ISO 7064 mod 97 for IBANs, the check letter or the allocation rules of national ids).
A string that passes several detectors is reported once, by the most specific (an API key before
a high-entropy secret, a card number before a phone number).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum


class SensitiveKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    CARD = "card"
    IBAN = "iban"
    NATIONAL_ID = "national_id"
    API_KEY = "api_key"
    SECRET = "secret"  # noqa: S105 - a kind's name: a high-entropy string no known prefix names
    PASSWORD = "password"  # noqa: S105 - a kind's name


@dataclass(frozen=True)
class Found:
    kind: SensitiveKind
    start: int
    end: int


# --- validations -----------------------------------------------------------------------------


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


# Lengths of the IBANs of the countries that issue them most (ISO 13616 registry); others are
# checked by mod 97 alone, within the standard's 15..34 characters.
_IBAN_LENGTHS = {
    "AT": 20, "BE": 16, "CH": 21, "CZ": 24, "DE": 22, "DK": 18, "ES": 24, "FI": 18, "FR": 27,
    "GB": 22, "GR": 27, "HU": 28, "IE": 22, "IT": 27, "LU": 20, "NL": 18, "NO": 15, "PL": 28,
    "PT": 25, "RO": 24, "SE": 24, "SK": 24,
}  # fmt: skip


def iban_ok(iban: str) -> bool:
    expected = _IBAN_LENGTHS.get(iban[:2])
    if (expected is not None and len(iban) != expected) or not 15 <= len(iban) <= 34:
        return False
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(number) % 97 == 1


def ssn_ok(area: str, group: str, serial: str) -> bool:
    """A US social security number as the SSA allocates them: no 000, 666 or 9xx area, no 00 group,
    no 0000 serial."""
    return area not in ("000", "666") and area[0] != "9" and group != "00" and serial != "0000"


_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def dni_ok(number: str, letter: str) -> bool:
    """A Spanish DNI (8 digits) or NIE (X/Y/Z and 7 digits): the letter is the number mod 23."""
    digits = number.replace("X", "0").replace("Y", "1").replace("Z", "2")
    return _DNI_LETTERS[int(digits) % 23] == letter


def entropy_bits(text: str) -> float:
    """Shannon entropy per character."""
    counts = Counter(text)
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


# --- patterns --------------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,24}(?![\w-])"
)
_PHONE_INTERNATIONAL = re.compile(r"(?<![\w+])\+[1-9]\d{0,3}(?:[ .-]?\(?\d{1,4}\)?){2,6}(?![\w-])")
_PHONE_NANP = re.compile(r"(?<![\w.-])(?:\(\d{3}\) ?|\d{3}[-.])\d{3}[-.]\d{4}(?![\w-]|[.:]\d)")
# A national number with its trunk 0 (020 7946 0958), groups apart by spaces: "00" starts an
# international call, never a number, and dashes join dates and references too often.
_PHONE_TRUNK = re.compile(r"(?<![\w.-])0[1-9]\d{0,3}(?: \d{2,4}){2,4}(?![\w-]|[.:]\d)")
_CARD = re.compile(r"(?<![\w-])(?:\d[ -]?){12,18}\d(?![\w-])")
_CARD_PREFIX = re.compile(r"^(?:4|5[1-5]|2[2-7]|3[47]|6(?:011|5)|3(?:0[0-5]|[68]))")
_IBAN = re.compile(r"(?<![\w])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![\w])")
_SSN = re.compile(r"(?<![\w-])(\d{3})-(\d{2})-(\d{4})(?![\w-])")
_NINO = re.compile(
    r"(?<![\w])(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
    r" ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![\w])"
)
_DNI = re.compile(r"(?<![\w])([XYZ]\d{7}|\d{8})-?([A-Z])(?![\w])")
_API_KEYS = re.compile(
    r"(?<![\w-])(?:"
    r"sk-(?:proj-|ant-(?:api\d\d-)?)?[A-Za-z0-9_-]{20,}"  # OpenAI, Anthropic
    r"|gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,}"  # GitHub
    r"|glpat-[A-Za-z0-9_-]{20,}"  # GitLab
    r"|xox[abprs]-[A-Za-z0-9-]{10,}"  # Slack
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}"  # AWS access key ids
    r"|AIza[0-9A-Za-z_-]{35}"  # Google
    r"|[rsp]k_(?:live|test)_[A-Za-z0-9]{16,}"  # Stripe
    r"|hf_[A-Za-z0-9]{30,}"  # Hugging Face
    r"|npm_[A-Za-z0-9]{36}"  # npm
    r"|SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}"  # SendGrid
    r"|eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"  # a JWT
    r")(?![\w-])"
    r"|-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----(?:[\s\S]*?-----END (?:[A-Z]+ )?PRIVATE KEY-----)?"
)
_TOKEN = re.compile(r"(?<![\w+/=-])[A-Za-z0-9+/=_-]{24,}(?![\w+/=-])")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_PASSWORD = re.compile(
    r"(?i)\b(?:password|passwd|passphrase|pwd|passcode)\b(?:\s+(?:for|of)\s+[\w.@-]+)?\s*[:=]\s*"
    r"(?P<value>[^\s\"',;]{1,128})"
)
# "Her password is 7sd!kq": the value after "is" counts only when it has a digit or a symbol, or
# "the password is stored in the vault" would be a finding.
_PASSWORD_IS = re.compile(
    r"(?i)\b(?:password|passwd|passcode)\s+(?:is|was)\s+(?P<value>(?=[^\s\"',;]*[\d!#$%&*?@^~])[^\s\"',;.]{4,128})"
)
_SENTENCE_GOES_ON = re.compile(r" +[a-z]+\b")
_MIN_SECRET_ENTROPY = 4.0


def _emails(text: str) -> Iterator[Found]:
    for m in _EMAIL.finditer(text):
        yield Found(SensitiveKind.EMAIL, m.start(), m.end())


def _digits(span: str) -> str:
    return re.sub(r"\D", "", span)


def _phones(text: str) -> Iterator[Found]:
    for m in _PHONE_INTERNATIONAL.finditer(text):
        if 8 <= len(_digits(m.group())) <= 15:
            yield Found(SensitiveKind.PHONE, m.start(), m.end())
    for m in _PHONE_NANP.finditer(text):
        yield Found(SensitiveKind.PHONE, m.start(), m.end())
    for m in _PHONE_TRUNK.finditer(text):
        if 9 <= len(_digits(m.group())) <= 11:
            yield Found(SensitiveKind.PHONE, m.start(), m.end())


def _cards(text: str) -> Iterator[Found]:
    for m in _CARD.finditer(text):
        span = m.group().rstrip(" -")
        digits = _digits(span)
        separators = set(re.sub(r"\d", "", span))
        if len(separators) > 1:  # one kind of separator, as card numbers are written
            continue
        if 13 <= len(digits) <= 19 and _CARD_PREFIX.match(digits) and luhn_ok(digits):
            yield Found(SensitiveKind.CARD, m.start(), m.start() + len(span))


def _ibans(text: str) -> Iterator[Found]:
    for m in _IBAN.finditer(text):
        if iban_ok(m.group().replace(" ", "")):
            yield Found(SensitiveKind.IBAN, m.start(), m.end())


def _national_ids(text: str) -> Iterator[Found]:
    for m in _SSN.finditer(text):
        if ssn_ok(*m.groups()):
            yield Found(SensitiveKind.NATIONAL_ID, m.start(), m.end())
    for m in _NINO.finditer(text):
        yield Found(SensitiveKind.NATIONAL_ID, m.start(), m.end())
    for m in _DNI.finditer(text):
        if dni_ok(*m.groups()):
            yield Found(SensitiveKind.NATIONAL_ID, m.start(), m.end())


def _api_keys(text: str) -> Iterator[Found]:
    for m in _API_KEYS.finditer(text):
        yield Found(SensitiveKind.API_KEY, m.start(), m.end())


def looks_random(token: str) -> bool:
    """A token no word, name, number, id or digest would be: letters and digits mixed, both cases,
    and near the most information per character such a string can hold."""
    if _UUID.match(token) or _HEX.match(token):  # ids and digests: everywhere in an engineer's notes
        return False
    if not (any(c.isdigit() for c in token) and any(c.isupper() for c in token)):
        return False
    if not any(c.islower() for c in token):
        return False
    if token.count("-") + token.count("_") > len(token) // 6:  # words joined: some-long-identifier
        return False
    return entropy_bits(token) >= min(_MIN_SECRET_ENTROPY, math.log2(len(token)) - 0.7)


def _secrets(text: str) -> Iterator[Found]:
    for m in _TOKEN.finditer(text):
        if looks_random(m.group().rstrip("=")):
            yield Found(SensitiveKind.SECRET, m.start(), m.end())


def _passwords(text: str) -> Iterator[Found]:
    for pattern in (_PASSWORD, _PASSWORD_IS):
        for m in pattern.finditer(text):
            if m.group("value").isalpha() and _SENTENCE_GOES_ON.match(text, m.end("value")):
                continue  # "password: asked for a reset link" is a sentence, not a password
            yield Found(SensitiveKind.PASSWORD, m.start("value"), m.end("value"))


# Most specific first: a span a detector earlier in the list found is not reported again by a later one.
DETECTORS: tuple[tuple[SensitiveKind, Callable[[str], Iterator[Found]]], ...] = (
    (SensitiveKind.API_KEY, _api_keys),
    (SensitiveKind.PASSWORD, _passwords),
    (SensitiveKind.EMAIL, _emails),
    (SensitiveKind.IBAN, _ibans),
    (SensitiveKind.CARD, _cards),
    (SensitiveKind.NATIONAL_ID, _national_ids),
    (SensitiveKind.PHONE, _phones),
    (SensitiveKind.SECRET, _secrets),
)
# Below this many characters no detector can match: most memories are longer, but a cheap exit
# for short fields (tags, short metadata values) costs nothing.
_MIN_CANDIDATE_CHARS = 6


def detect(text: str) -> list[Found]:
    """Every secret or personal value in `text`, by position, none overlapping another."""
    if len(text) < _MIN_CANDIDATE_CHARS:
        return []
    found: list[Found] = []
    for _, detector in DETECTORS:
        for hit in detector(text):
            if not any(hit.start < f.end and f.start < hit.end for f in found):
                found.append(hit)
    return sorted(found, key=lambda f: f.start)
