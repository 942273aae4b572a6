"""The held-out part of the privacy detectors' labelled set: written by hand after the detectors were
last changed, and not used to change them since; the harder forms a generator does not make (numbers
without separators, lower-case IBANs, passwords in other phrasings). Reported apart, as the fairer
estimate."""

from __future__ import annotations

HELD_OUT_POSITIVES = [
    ("Her new number is 07946 095812, the old one is disconnected.", "phone", "07946 095812"),
    ("Text me on 415.555.0198 when you land.", "phone", "415.555.0198"),
    ("Reception: +31 (0)20 794 6095.", "phone", "+31 (0)20 794 6095"),
    ("Call 4155550198 for the landlord.", "phone", "4155550198"),
    ("The office line is +1-212-555-0147 ext. 12.", "phone", "+1-212-555-0147"),
    ("Reach him at DANA.K@EXAMPLE.COM, in capitals as he wrote it.", "email", "DANA.K@EXAMPLE.COM"),
    (
        "Mail: first.last+newsletters@sub.mail.example.co.uk",
        "email",
        "first.last+newsletters@sub.mail.example.co.uk",
    ),
    ("Contact <ops@example.io> for outages.", "email", "ops@example.io"),
    ("Card: 5555555555554444 (the backup card).", "card", "5555555555554444"),
    ("Amex 3782 822463 10005 for the flights.", "card", "3782 822463 10005"),
    ("Use 4012-8888-8888-1881 for the trial.", "card", "4012-8888-8888-1881"),
    ("Visa 4111111111111111, exp 12/28, cvc on the back.", "card", "4111111111111111"),
    ("Pay to FR1420041010050500013M02606 by Friday.", "iban", "FR1420041010050500013M02606"),
    ("IBAN: gb29 nwbk 6016 1331 9268 19 (lower case in the email).", "iban", "gb29 nwbk 6016 1331 9268 19"),
    ("His account is NL91ABNA0417164300.", "iban", "NL91ABNA0417164300"),
    ("The SSN on the W-2 is 219-09-9999.", "national_id", "219-09-9999"),
    ("SSN 078051120 without dashes, as the old form printed it.", "national_id", "078051120"),
    ("NIE X1234567L for the Spanish tax form.", "national_id", "X1234567L"),
    ("NI number AB123456C on the payslip.", "national_id", "AB123456C"),
    ("BSN 111222333 for the Dutch municipality.", "national_id", "111222333"),
    (
        "Key: sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdEfGhIjKlMnOpQr",
        "api_key",
        "sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCdEfGhIjKlMnOpQr",
    ),
    (
        "ghs_16C7e42F292c6912E7710c838347Ae178B4a in the CI logs.",
        "api_key",
        "ghs_16C7e42F292c6912E7710c838347Ae178B4a",
    ),
    ("AWS key AKIAIOSFODNN7EXAMPLE was pasted into the chat.", "api_key", "AKIAIOSFODNN7EXAMPLE"),
    (
        "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "api_key",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    ),
    (
        "Slack token xoxp-123456789012-123456789012-abcdefABCDEF1234 leaked.",
        "api_key",
        "xoxp-123456789012-123456789012-abcdefABCDEF1234",
    ),
    (
        "The session cookie is 7f9e2c4b8a1d6e3f5a0b9c8d7e6f5a4b, hex only.",
        "secret",
        "7f9e2c4b8a1d6e3f5a0b9c8d7e6f5a4b",
    ),
    (
        "The webhook secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "secret",
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    ),
    ("Recovery code qz8t-mw3k-p9xr-2vbn for the 2FA.", "secret", "qz8t-mw3k-p9xr-2vbn"),
    ("The signing key is q8Zl2mN0pX4rT6vB1yC3eG5iK7oW9sA", "secret", "q8Zl2mN0pX4rT6vB1yC3eG5iK7oW9sA"),
    ("pw: correcthorsebatterystaple (the diceware one).", "password", "correcthorsebatterystaple"),
    ("The login is dana / Summer2024!", "password", "Summer2024!"),
    ("Password - Blue#Whale77", "password", "Blue#Whale77"),
    ("Her PIN is 4821.", "password", "4821"),
    ("The wifi key is tangerine-otter-42.", "password", "tangerine-otter-42"),
    ("Passwort: Sonnenblume99", "password", "Sonnenblume99"),
]
HELD_OUT_NEGATIVES = [
    "The number 212-555-0147 in the film is a fake one, the user noted.",
    "Meeting id 845 2931 7750 for Thursday's call.",
    "The quote reference is 0123 4567 8901.",
    "Tracking: 9400 1000 0000 0000 0000 00.",
    "The model has 4096 1024 512 units in its three layers.",
    "She was born on 03/04/1988 in Porto.",
    "Build 2024.03.15.1142 is the last good one.",
    "The mortgage number is 12-3456789-01.",
    "The hash function returned 0xDEADBEEFCAFEBABE in the test.",
    "The feature flag is ENABLE_NEW_CHECKOUT_FLOW_V2.",
    "The class is called HttpRequestRetryHandler2Factory.",
    "Her handle on the forum is @dana_k_1988.",
    "The product code is XJ9-42B-7QZ.",
    "The price went from $1,299.99 to $999.00.",
    "The password must be rotated every 90 days.",
    "The passcode screen appears after 5 minutes idle.",
    "The card game Uno is what the kids play on Fridays.",
    "IBAN and BIC are needed for the transfer; the user will send them.",
    "The email bounced, so the user will call instead.",
    "The 2FA app is on the old phone; the user needs to move it.",
]
