"""Values told with their noun, for the asked-detail check (retrieval/ranking/asked/): a secret (a
password, a PIN, a door code) is written just after the noun that names it, and the rate of a loan or
a tax is a percentage, not a price; a clipped request asks the kind its noun names."""

from __future__ import annotations

import pytest

from mnemo.retrieval.ranking.asked.asked_detail import (
    Kind,
    asked_kinds,
    holds_kind,
    is_question,
)
from mnemo.retrieval.ranking.asked.secret_codes import asked_secrets, states_secret
from tests.unit.asked_checks import THRESHOLDS, judged
from tests.unit.verdicts import answer_test

test_a_secret_is_asked_by_its_noun = answer_test(
    asked_secrets,
    [
        ("what's the wifi password at the office?", True),
        ("gate code at Linda's?", True),
        ("what's my NMC pin again", True),
        ("beta branch pw", True),
        ("my bank's sort code", False),
        ("what's the dress code for the gala?", False),
        ("what's the van's registration?", False),
    ],
)


test_a_secret_is_stated_just_after_its_noun = answer_test(
    states_secret,
    [
        ("Client: Linda, 2214 SE Salmon St. Gate code 4471; dog Biscuit.", True),
        ("RN adult, NMC PIN 14I2087W, qualified 2015.", True),
        ("Steamworks branches: default (public), beta (pw: tidebeta).", True),
        ("cat changed the wifi pw → biscuit-heron-27", True),
        ("changed the lockbox code at dad's to nine zero two six", True),
        ("Keypad code changed to 7315 on 03/16 after the move.", True),
        # Where the secret is kept, or when it changes, is no secret; nor a name with a digit in it.
        (
            "wifi SSID Brickyard; door code changes monthly, posted in the member Slack #announcements",
            False,
        ),
        ("clinic DB on RDS, creds in 1Password vault 'Clinic'; prod instance clinic-prod", False),
        ("disarm alarm (code in 1Password 'Shop' vault, Ancoats entry)", False),
        ("Dedicated desk #14 at the cowork, $275/mo.", False),
    ],
)


def test_a_memory_telling_where_a_secret_is_kept_does_not_hold_it() -> None:
    question = "brickyard door code this month"
    kept = "Brickyard wifi SSID Brickyard-Members; door code changes monthly, posted in the member Slack"
    other_codes = "co-working: Brickyard Cowork on E Cesar Chavez -- dedicated desk #14, $275/mo"
    assert judged(question, kept, other_codes)[1] == 1.0
    assert judged(question, "Brickyard door code this month is 5521#", kept)[1:] == (0.0, 0.0)


@pytest.mark.parametrize(
    ("query", "kinds"),
    [
        # The rate of a loan or a tax is a percentage; a day rate or the interest paid, an amount.
        ("whats the interest rate on the new truck loan", {Kind.PERCENT}),
        ("rate on our current mortgage??", {Kind.PERCENT}),
        ("what's my day rate?", {Kind.MONEY}),
        ("how much interest did we pay on the loan?", {Kind.MONEY}),
        # A few words ending with the noun of a kind ("cell no", "bank details", "brand", "score"; a
        # weekday after it says when it is wanted) ask for a value of that kind.
        ("sipho cell no", {Kind.PHONE}),
        ("mr davids bank details", {Kind.CODE}),
        ("inverter brand", {Kind.NAME}),
        ("stormers score saturday", {Kind.SCORE}),
        ("What was dad's last MoCA score?", {Kind.SCORE}),
    ],
)
def test_a_question_or_a_clipped_request_asks_the_kind_its_noun_names(query: str, kinds: set[Kind]) -> None:
    assert is_question(query)
    assert asked_kinds(query, THRESHOLDS.asking_clause_kinds) == kinds


def test_a_loans_payment_does_not_tell_its_rate() -> None:
    question = "whats the interest rate on the new truck loan"
    payment = "I refinanced the truck loan with Will County Credit Union, the payment's now $2,140 a month."
    assert judged(question, payment)[1] == 1.0
    assert judged(question, "Truck loan refinanced at 7.9% APR, $2,140 a month.")[1] == 0.0
    assert holds_kind(Kind.PERCENT, "home loan variable rate is 5.94% p.a.", THRESHOLDS)


def test_a_score_said_in_words_is_one() -> None:
    assert holds_kind(Kind.SCORE, "dad's moca score in november was twenty one out of thirty", THRESHOLDS)
    assert not holds_kind(Kind.SCORE, "the technician serviced the inverter battery", THRESHOLDS)
