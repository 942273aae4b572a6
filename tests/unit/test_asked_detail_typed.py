"""The asked-detail check (retrieval/ranking/asked/asked_detail.py) read as people type and dictate their
questions: a contraction without its apostrophe, a courtesy before a request, an aside on the asking
("again", "at the moment"), a name after a title in lower case; and the forms it reads values by: a
phone number dialled with enough digits, an owner's detail told before a word that only joins."""

from __future__ import annotations

import pytest

from mnemo.retrieval.ranking.asked.asked_detail import (
    Kind,
    asked_kinds,
    holds_kind,
    is_question,
)
from mnemo.retrieval.ranking.asked.asked_things import others_own, unmarked_owners
from mnemo.retrieval.ranking.asked.evidence import stem
from tests.unit.asked_checks import THRESHOLDS, judged
from tests.unit.verdicts import answer_test


@pytest.mark.parametrize(
    "query",
    [
        "whats diego and fer's address in wedding",
        "whens the ummeldung been done",
        "wheres the spare key",
        "pls find the gate code at the Desais'",
    ],
)
def test_a_question_typed_without_its_apostrophe_or_after_a_courtesy_asks(query: str) -> None:
    assert is_question(query)


def test_a_question_typed_without_its_apostrophe_is_checked_for_what_it_asks() -> None:
    """ "whats X's address" asks an address as "what's" does: a memory of their party holds none."""
    checked, missing, _ = judged(
        "whats diego and fer's address in wedding",
        "Sat 13 Feb: Diego's 36th birthday, Fer organised a surprise at a Chilean place in Wedding.",
    )
    assert (checked, missing) == (1.0, 1.0)


def test_what_a_firm_pays_asks_an_amount() -> None:
    assert Kind.MONEY in asked_kinds("what Kauri Ridge Builders pays for its Xero subscription")


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("what's my ORCID again?", "Marco's username is s2291847. His ORCID is 0000-0002-7731-4096."),
        ("what's my FTP at the moment", "Sat 20/3 ramp test on the Kickr: FTP 274 W at 80 kg."),
        ("who's the department head right now", "Department head: Ms Okafor since September."),
    ],
)
def test_an_aside_on_the_asking_is_not_asked_of_the_answer(question: str, answer: str) -> None:
    assert judged(question, answer)[2] == 0.0


def test_an_aside_in_a_clause_that_tells_stays_what_is_told() -> None:
    """ "again" of "the power went off again" tells the event; it is read as the other words are."""
    question = "the power went off in the office again, what do I do?"
    told_again = "If the power goes off again in the office, reset the breaker in the hall cupboard."
    assert judged(question, told_again)[2] < judged(question, told_again.replace(" again", ""))[2]


def test_a_phone_number_is_dialled_with_seven_digits_at_least() -> None:
    """A sum and what follows it is no phone number: "Sina's mobile" is not held by her invoice."""
    invoice = "2027-03-23 — paid Sina's March invoice, $1,596 (42 hours)."
    assert not holds_kind(Kind.PHONE, invoice, THRESHOLDS)
    assert not holds_kind(Kind.PHONE, "Rhodri Ellis (since 7 Sep 2026). 1:1s monthly.", THRESHOLDS)
    assert holds_kind(Kind.PHONE, "Sina: 021 555 0187", THRESHOLDS)
    assert judged("What's Sina's mobile number?", invoice)[1] == 1.0


def test_a_name_after_a_title_is_a_name_in_a_question_typed_in_lower_case() -> None:
    """ "dr petersen's phone number" is not answered by someone else's number."""
    other = "internet at Weserstraße: O2 DSL, customer number 7713 0842 19, router in the hallway."
    about_him = "the owner of the building is a Dr. Petersen who lives in Hamburg."
    assert judged("what's dr petersen's phone number", other, about_him)[1] == 1.0


def test_an_owners_detail_is_the_word_told_not_a_word_that_joins() -> None:
    """ "Nuala's birthday on the 19th" tells her birthday, not an "on" of hers."""
    dónal, tomás = frozenset({stem("Dónal")}), frozenset({stem("Tomás")})
    assert others_own("Nuala's birthday on the 19th: get a card.", dónal) == {"birthday"}
    assert others_own("For Inês's 38th birthday Tomás booked dinner.", tomás) == {"birthday"}


def test_the_owner_of_a_question_typed_in_lower_case_is_a_name_to_hold() -> None:
    """ "brian tate's cell" is not answered by the union hall's number."""
    question = "brian tate's cell"
    assert judged(question, "union hall on cleveland ave, hall number is 614-555-0122")[1] == 1.0
    assert judged(question, "brian tate (rebar foreman) cell 614-555-0199")[1] == 0.0
    # "dad" is a word of English, no name a capital would have shown: a memory need not write it.
    assert judged("what's dad's cell", "the cell phone is 612 555 0139, it stays on the counter")[1] == 0.0


def test_an_email_address_written_with_the_name_says_whose_it_is() -> None:
    """ "bev.hale@…" is Bev's e-mail without the word; an address at her old job is not one at her new."""
    assert (
        judged("bev's email", "Contact Beverley (Bev) Hale, bev.hale@taffpm.co.uk. Service charge £72/mo.")[2]
        == 0.0
    )
    assert (
        judged("Saga's email at her new job", "Hollowbyte producer: Saga Lindgren, saga@hollowbyte.se.")[2]
        == 1.0
    )


def test_a_month_and_its_day_are_no_street_and_number() -> None:
    assert not holds_kind(
        Kind.ADDRESS, "bouldering with Lena, Sunday 4 April 10:00 at Kletterkiez", THRESHOLDS
    )
    assert holds_kind(
        Kind.ADDRESS, "Dr. Aydın's Hausarztpraxis, Sonnenallee 56, round the corner", THRESHOLDS
    )


test_a_rate_asks_an_amount_and_a_room_its_number = answer_test(
    asked_kinds,
    [
        ("What interest rate is the Pikes' mortgage on?", {Kind.PERCENT}),
        # What a code's rate is, is the rate asked ("tax code rate"), not a code: a tax's in percent.
        ("What tailored tax code rate does Tipene Construction have?", {Kind.PERCENT}),
        ("what's Ceri's hourly rate", {Kind.MONEY}),
        ("what's dad's heart rate running at?", set()),
        ("which room is Jonas's viva in?", {Kind.CODE}),
    ],
)


def test_a_room_is_held_by_its_number() -> None:
    question = "which room is the viva in?"
    assert judged(question, "The viva is in room 4 of the Swann building.")[1] == 0.0
    assert judged(question, "The viva is on 11 December with Dr Baird.")[1] == 1.0


def test_a_birthday_is_a_day_not_a_month_or_a_year_alone() -> None:
    question = "when's Wei's birthday?"
    assert asked_kinds(question) == {Kind.DAY}
    assert judged(question, "Wei Zhang is from Chengdu and joined the lab in September 2024.")[1] == 1.0
    assert judged(question, "Wei's birthday is 14 March; she likes oolong tea.")[1] == 0.0


def test_an_owner_typed_without_its_apostrophe_is_a_name_a_hit_writes_capitalized() -> None:
    """ "whats tammys email" asks Tammy's address: a memory of hers holding none leaves it missing,
    and another's e-mail does not hold it; a plural ("wishlists") is no owner."""
    note = "I pick the kids up at Tammy's new place at 1207 Ridge Road in Minooka from now on."
    other = "I send Carol my fuel receipts by the fifth in one email, carol@heritagetax.com."
    assert judged("whats tammys email", note, other)[1] == 1.0
    assert judged("whats tammys email", "My ex Tammy's email is tammy.h@gmail.com now.")[1] == 0.0
    assert not unmarked_owners(
        "how many wishlists do we have", ["Steam page: 12,400 wishlists as of Monday."]
    )


def test_a_detail_a_memory_tells_as_the_writers_is_not_another_owners() -> None:
    """ "rays average": "Ray says my average is up to 174" tells the writer's average, not Ray's."""
    assert others_own("Ray says my average is up to one seventy-four.", frozenset({stem("ray")})) == {
        stem("average")
    }


@pytest.mark.parametrize(
    ("kind", "text", "holds"),
    [
        (Kind.MONEY, "Marcus got me two fifty-five a mile on it.", True),
        (Kind.MONEY, "Diesel was 3.89 a gallon in Effingham.", True),
        (Kind.MONEY, "I take 2 a day with breakfast.", False),
        (Kind.CODE, "colegiada ICAM nº 98.432", True),
        (Kind.CODE, "Juzgado nº 17 de Madrid, PA 412/2026", True),
        (Kind.CODE, "paid on 12/2026", False),
    ],
)
def test_a_rate_by_its_measure_and_a_number_after_its_sign_are_read(
    kind: Kind, text: str, holds: bool
) -> None:
    assert holds_kind(kind, text, THRESHOLDS) is holds


def test_a_thing_asked_by_its_ordinal_is_not_held_by_another_one() -> None:
    """ "the first quarter": the third quarter's IFTA holds another one's sum; the first's holds it."""
    question = "how much did i owe on ifta for the first quarter"
    third = "I filed the third quarter IFTA tonight, owed a hundred eighty-eight."
    first = "I filed IFTA for the first quarter today, owed two hundred twelve dollars."
    assert judged(question, third)[1] == 1.0
    assert judged(question, third, first)[1] == 0.0
