"""A labelled set of memories for the privacy detectors: realistic memories an agent writes, some
holding a secret or a personal value (each labelled with its kind and its exact text), most holding
none, among them the look-alikes that trip naive patterns (dates, versions, order numbers, ids,
digests, numbers that fail their check digit, "password" in a sentence with no password).

Generated from a fixed seed, so every run measures the same set; `HARD_NEGATIVES` are written by hand.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from dataclasses import dataclass, field

SEED = 20261128
POSITIVES_PER_KIND = 45
GENERATED_NEGATIVES = 1_100

FIRST = [
    "Dana",
    "Miguel",
    "Aiko",
    "Priya",
    "Tomasz",
    "Lena",
    "Omar",
    "Chloe",
    "Jonas",
    "Fatima",
    "Ravi",
    "Sofia",
]
LAST = ["Kowalski", "Garcia", "Tanaka", "Sharma", "Nowak", "Schmidt", "Haddad", "Martin", "Berg", "Okafor"]
DOMAINS = ["example.com", "example.org", "mail.example.net", "acme.io", "uni-example.edu", "startup.dev"]
PLACES = ["Lisbon", "Berlin", "Osaka", "Toronto", "Nairobi", "Madrid", "Leeds", "Utrecht"]


@dataclass
class Sample:
    text: str
    labels: list[tuple[str, str]] = field(default_factory=list)  # (kind, exact text)


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _email(rng: random.Random) -> str:
    first, last = rng.choice(FIRST).lower(), rng.choice(LAST).lower()
    local = rng.choice([f"{first}.{last}", f"{first[0]}{last}", f"{first}_{last}{rng.randint(1, 99)}", first])
    return f"{local}@{rng.choice(DOMAINS)}"


def _phone(rng: random.Random) -> str:
    def d(n: int) -> str:
        return "".join(rng.choice(string.digits) for _ in range(n))

    return rng.choice([
        f"+1 {rng.randint(201, 989)} {d(3)} {d(4)}",
        f"({rng.randint(201, 989)}) {d(3)}-{d(4)}",
        f"{rng.randint(201, 989)}-{d(3)}-{d(4)}",
        f"+44 20 {d(4)} {d(4)}",
        f"+49 30 {d(7)}",
        f"+33 6 {d(2)} {d(2)} {d(2)} {d(2)}",
        f"020 {d(4)} {d(4)}",
        f"+351 91 {d(3)} {d(4)}",
    ])  # fmt: skip


def _luhn_complete(prefix: str, length: int, rng: random.Random) -> str:
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    return body + _luhn_check_digit(body)


def _luhn_check_digit(body: str) -> str:
    """The digit that makes `body` a number the Luhn checksum (ISO/IEC 7812-1) accepts: computed
    here, not by the detector under test, so that a set it scores is not labelled by it."""
    total = 0
    for i, ch in enumerate(reversed(body)):  # the check digit goes last: every other digit from
        doubled = int(ch) * (2 if i % 2 == 0 else 1)  # the body's own last one is doubled
        total += doubled - 9 if doubled > 9 else doubled
    return str(-total % 10)


def _card_number(rng: random.Random) -> str:
    prefix, length = rng.choice(
        [("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("34", 15), ("37", 15), ("6011", 16)]
    )
    return _luhn_complete(prefix, length, rng)


def _card(rng: random.Random) -> str:
    digits = _card_number(rng)
    style = rng.choice(["spaces", "dashes", "plain"])
    if style == "plain":
        return digits
    sep = " " if style == "spaces" else "-"
    groups = (
        [digits[:4], digits[4:10], digits[10:]]
        if len(digits) == 15
        else [digits[i : i + 4] for i in range(0, 16, 4)]
    )
    return sep.join(groups)


IBAN_FORMATS = {"DE": 18, "GB": 18, "FR": 23, "NL": 14, "ES": 20, "IT": 23, "BE": 12}


def _iban(rng: random.Random) -> str:
    country = rng.choice(list(IBAN_FORMATS))
    n = IBAN_FORMATS[country]
    if country == "GB":
        bban = "".join(rng.choice(string.ascii_uppercase) for _ in range(4)) + "".join(
            rng.choice(string.digits) for _ in range(14)
        )
    elif country == "NL":
        bban = "".join(rng.choice(string.ascii_uppercase) for _ in range(4)) + "".join(
            rng.choice(string.digits) for _ in range(10)
        )
    else:
        bban = "".join(rng.choice(string.digits) for _ in range(n))
    numeric = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    check = 98 - int(numeric) % 97
    iban = f"{country}{check:02d}{bban}"
    if rng.random() < 0.5:
        return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
    return iban


def _national_id(rng: random.Random) -> str:
    kind = rng.choice(["ssn", "dni", "nino"])
    if kind == "ssn":
        area = rng.choice([a for a in range(1, 900) if a != 666])
        return f"{area:03d}-{rng.randint(1, 99):02d}-{rng.randint(1, 9999):04d}"
    if kind == "dni":
        number = rng.randint(10_000_000, 99_999_999)
        return f"{number}{'TRWAGMYFPDXBNJZSQVHLCKE'[number % 23]}"
    first = rng.choice("ABCEGHJKLMNPRSTWXYZ")
    second = rng.choice("ABCEGHJKLMNPRSTWXYZ")
    digits = " ".join(f"{rng.randint(0, 99):02d}" for _ in range(3))
    return f"{first}{second} {digits} {rng.choice('ABCD')}"


def _random_chars(rng: random.Random, n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    while True:
        token = "".join(rng.choice(alphabet) for _ in range(n))
        if (
            any(c.isdigit() for c in token)
            and any(c.isupper() for c in token)
            and any(c.islower() for c in token)
        ):
            return token


def _api_key(rng: random.Random) -> str:
    makers: list[Callable[[], str]] = [
        lambda: "sk-proj-" + _random_chars(rng, 40),
        lambda: "sk-ant-api03-" + _random_chars(rng, 48, string.ascii_letters + string.digits + "_-"),
        lambda: "ghp_" + _random_chars(rng, 36),
        lambda: "github_pat_" + _random_chars(rng, 40, string.ascii_letters + string.digits + "_"),
        lambda: f"xoxb-{rng.randint(10**11, 10**12 - 1)}-{_random_chars(rng, 24)}",
        lambda: "AKIA" + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(16)),
        lambda: "AIza" + _random_chars(rng, 35, string.ascii_letters + string.digits + "_-"),
        lambda: "sk_live_" + _random_chars(rng, 24),
        lambda: "glpat-" + _random_chars(rng, 20),
        lambda: "hf_" + _random_chars(rng, 34),
    ]  # fmt: skip
    return rng.choice(makers)()


def _secret(rng: random.Random) -> str:
    return _random_chars(
        rng, rng.choice([24, 32, 40]), string.ascii_letters + string.digits + rng.choice(["", "+/", "_-"])
    )


def _password(rng: random.Random) -> str:
    word = rng.choice(["Sunflower", "tr0ub4dor", "Kestrel", "blue-Moon", "Ocelot", "winter", "Paprika"])
    return f"{word}{rng.randint(1, 9999)}{rng.choice(['!', '#', '', '$', '&'])}"


POSITIVE_TEMPLATES: dict[str, tuple[Callable[[random.Random], str], list[str]]] = {
    "email": (_email, [
        "{name}'s work e-mail is {v}; she prefers it to phone calls.",
        "Send the signed lease to {v} before Friday.",
        "The landlord can be reached at {v} for repairs.",
        "User asked to cc {v} on every invoice from now on.",
        "New contact for the {place} office: {v}.",
    ]),
    "phone": (_phone, [
        "{name}'s mobile number is {v}, best after 6pm.",
        "Call the dentist in {place} at {v} to reschedule.",
        "The plumber's number: {v}.",
        "User said to text {v} if the delivery is late.",
        "Emergency contact: {name}, {v}.",
    ]),
    "card": (_card, [
        "User pays the gym membership with the card {v}.",
        "The company card ending the travel budget is {v}, expiring 09/27.",
        "{name} gave card {v} for the hotel deposit in {place}.",
        "Use card number {v} for the recurring cloud bill.",
    ]),
    "iban": (_iban, [
        "Rent goes to the landlord's account {v} on the first of the month.",
        "{name}'s salary is paid into {v}.",
        "Refunds should be sent to IBAN {v}.",
        "The school fees account is {v}, reference with the child's name.",
    ]),
    "national_id": (_national_id, [
        "{name}'s ID number for the visa form is {v}.",
        "The tax office asked for the number {v} on the form.",
        "User's national insurance / social security number: {v}.",
        "For the rental contract {name} gave the document number {v}.",
    ]),
    "api_key": (_api_key, [
        "The staging deploy uses the key {v}; rotate it monthly.",
        "User pasted their token {v} while debugging the CI job.",
        "export OPENAI_API_KEY={v} is in the user's shell profile.",
        "The bot authenticates with {v} against the workspace.",
    ]),
    "secret": (_secret, [
        "The webhook signing secret is {v}.",
        "client_secret={v} was set in the config for the {place} tenant.",
        "Set DJANGO_SECRET_KEY to {v} in production.",
        "The shared key for the VPN is {v}, don't lose it.",
    ]),
    "password": (_password, [
        "Wi-Fi at the {place} flat, password: {v}",
        "The router admin login is admin / password={v}",
        "User's NAS password: {v}",
        "{name} said the alarm passcode: {v} (changed in May).",
        "The password is {v} for the shared drive.",
    ]),
}  # fmt: skip

NEGATIVE_TEMPLATES = [
    "{name} prefers green tea in the morning and coffee after lunch.",
    "The team moved the standup to {hour}:{minute:02d} on Tuesdays.",
    "User is training for a half marathon in {place} on {year}-{month:02d}-{day:02d}.",
    "Release {major}.{minor}.{patch} fixed the memory leak in the importer.",
    "Order #{order} was shipped on {day}/{month}/{year}.",
    "The flat in {place} costs {price} euros a month, heating included.",
    "{name} reset her password last week after the phishing scare.",
    "The token expired again; the user re-authenticated through the browser.",
    "Ticket {ticket} is about the slow search page, assigned to {name}.",
    "The meeting room on floor {floor} seats {seats} people.",
    "Commit {sha} introduced the regression in the parser.",
    "The memory with id {uuid} was merged into a newer one.",
    "User's daughter turns {age} on {month}/{day}.",
    "Flight {flight} from {place} lands at {hour}:{minute:02d}.",
    "The server listens on 10.{a}.{b}.{c}:{port} inside the VPN.",
    "Budget for Q{q} is {price}k, up {pct}% from last year.",
    "{name} ran {km} km in {minutes} minutes on Sunday.",
    "The package tracking number is 1Z{tracking}.",
    "The error was ERR_{code} when calling /api/v{major}/users/{user_id}.",
    "ISBN 978-{a}-{b:03d}-{c:05d}-{d} is the book {name} recommended.",
    "The user's favourite colour is #{color} in the design tool.",
    "Room {floor}{seats:02d} is booked from {hour}:00 to {hour2}:00.",
    "The invoice total was {price}.{cents:02d} EUR, paid on {year}-{month:02d}-{day:02d}.",
    "The thermostat is set to {temp} degrees at night.",
    "{name} uses the class AbstractRequestHandlerFactory in the legacy module.",
    "The docker image tag is release-{year}{month:02d}{day:02d}-build{order}.",
    "The user asked not to be contacted by phone before 9am.",
    "Store the password in the team's password manager, never in chat.",
    "User's account number at the library is {order}, the card is blue.",
    "The lab results came back normal; next check in {months} months.",
]


def _negative(rng: random.Random) -> Sample:
    hex_digits = "0123456789abcdef"
    values = {
        "name": _name(rng), "place": rng.choice(PLACES), "hour": rng.randint(6, 20),
        "hour2": rng.randint(8, 22), "minute": rng.choice([0, 15, 30, 45]), "year": rng.randint(2019, 2027),
        "month": rng.randint(1, 12), "day": rng.randint(1, 28), "major": rng.randint(0, 12),
        "minor": rng.randint(0, 30), "patch": rng.randint(0, 40), "order": rng.randint(100_000, 99_999_999),
        "price": rng.randint(300, 4_000),
        "ticket": f"{rng.choice(['PROJ', 'OPS', 'WEB'])}-{rng.randint(10, 9999)}",
        "floor": rng.randint(1, 9), "seats": rng.randint(4, 40),
        "sha": "".join(rng.choice(hex_digits) for _ in range(40)),
        "uuid": "-".join("".join(rng.choice(hex_digits) for _ in range(n)) for n in (8, 4, 4, 4, 12)),
        "age": rng.randint(2, 17),
        "flight": f"{rng.choice(['LH', 'BA', 'TP', 'KL'])}{rng.randint(100, 9999)}",
        "a": rng.randint(0, 255), "b": rng.randint(0, 255), "c": rng.randint(0, 99999),
        "d": rng.randint(0, 9),
        "port": rng.randint(1024, 65535), "q": rng.randint(1, 4), "pct": rng.randint(1, 40),
        "km": rng.randint(3, 42), "minutes": rng.randint(15, 240),
        "tracking": "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(16)),
        "code": rng.randint(100, 999), "user_id": rng.randint(1, 99999),
        "color": "".join(rng.choice(hex_digits) for _ in range(6)),
        "cents": rng.randint(0, 99), "temp": rng.randint(16, 23), "months": rng.randint(2, 12),
    }  # fmt: skip
    return Sample(rng.choice(NEGATIVE_TEMPLATES).format(**values))


# Written by hand: what a careless detector flags.
HARD_NEGATIVES = [
    "The password policy requires twelve characters and a symbol.",
    "Her password is stored in the vault, not in the notes.",
    "User forgot the password: asked for a reset link.",
    "Card 4111 1111 1111 1112 was declined as invalid (a typo, one digit off).",
    "Order 4532015112830368 was split into two shipments (not a card: its check digit fails).",
    "The meeting is on 2024-03-15 at 14:30 in room 3.14.",
    "Version 10.4.2-rc1 of the app is on the staging server.",
    "Call back on Tuesday; the ticket number is 555-0100-22.",
    "The ISBN is 978-0-306-40615-7.",
    "The IBAN field on the form was left empty.",
    "GB82 WEST 1234 5698 7654 33 is the example IBAN from the docs, with a wrong check.",
    "Coordinates 52.5200, 13.4050 mark the office in Berlin.",
    "The SHA-256 of the file is e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855.",
    "The object key is images/2024/03/holiday-photo-0042.jpg.",
    "Pinned the dependency to requests==2.31.0 and urllib3<2.",
    "The user's favourite function is getUserAccountSettingsByIdentifier.",
    "The room code is B-204 and the desk is 17.",
    "Temperature logs: 21.5, 22.0, 22.5, 23.1 degrees.",
    "Serial number of the laptop: 5CD1234XYZ (for the warranty).",
    "The kids' schedule: swim 16:00-17:00, piano 17:30-18:15.",
    "The API key was revoked yesterday; the user will create a new one.",
    "There is no secret: the user just likes walking at night.",
    "SSN-like 000-12-3456 is the placeholder the form shows.",
    "The gate code changes every month; ask the concierge.",
    "Invoice INV-2024-000123 is overdue by 14 days.",
    "The phone was a Pixel 8 bought for 699 euros.",
    "The train leaves platform 9 at 07:42 and arrives 10:15.",
    "A UUID like 123e4567-e89b-12d3-a456-426614174000 names each memory.",
    "Set MAX_RETRIES=5 and TIMEOUT_SECONDS=30 in the config.",
    "The path is /usr/local/share/ca-certificates/extra.",
    "She shared her screen at https://meet.example.com/abc-defg-hij.",
    "Base64 of 'hello world' is aGVsbG8gd29ybGQ=, used in the tutorial.",
    "The test suite took 1234567 ms on the slow runner.",
    "Postcode SW1A 1AA is the address of the office.",
    "Account settings > Security > Passwords and passkeys.",
    "The chess rating went from 1450 to 1523 this year.",
    "Batch 20240315-001 of the vaccine was used.",
    "The recipe needs 250 g flour, 2 eggs and 125 ml milk.",
    "The password field autocompletes in Firefox but not in Safari.",
    "Username: dana_k, which she uses everywhere.",
    "Latency p99 went from 120 ms to 85 ms after the cache change.",
    "The job id was build-7f3a9c2 and it failed at step 4.",
    "User prefers the phone number not be stored anywhere.",
    "The team's email alias is the main channel, not Slack.",
    "Interest rate is 3.45% fixed for 10 years on the mortgage.",
    "CVE-2024-3094 affected the xz package.",
    "The bus number 42 stops at the corner at 8:05.",
    "The spreadsheet cell AB1234 holds the total.",
    "Her score was 98/100 on the final exam.",
    "RFC 9457 defines problem details for HTTP APIs.",
]


def build(seed: int = SEED) -> list[Sample]:
    """The labelled set: POSITIVES_PER_KIND memories per kind (a few with a second kind), the
    generated negatives and the hand-written hard ones."""
    rng = random.Random(seed)
    samples: list[Sample] = []
    for kind, (make, templates) in POSITIVE_TEMPLATES.items():
        for _ in range(POSITIVES_PER_KIND):
            value = make(rng)
            text = rng.choice(templates).format(v=value, name=_name(rng), place=rng.choice(PLACES))
            sample = Sample(text, [(kind, value)])
            if rng.random() < 0.15:  # a second value in the same memory
                extra = _email(rng)
                sample = Sample(f"{text} Copy {extra} too.", [(kind, value), ("email", extra)])
            samples.append(sample)
    samples += [_negative(rng) for _ in range(GENERATED_NEGATIVES)]
    samples += [Sample(text) for text in HARD_NEGATIVES]
    rng.shuffle(samples)
    return samples
