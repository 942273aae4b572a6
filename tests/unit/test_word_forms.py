"""How notes typed in haste shorten what they say (retrieval/ranking/asked/word_forms.py), and the
asked-detail check reading them: a word written by its consonants is the word, a courtesy asks
nothing, a text without capitals opens its sentences in lower case, a number told by its last digits
is no number asked for."""

from __future__ import annotations

import pytest

from mnemo.retrieval.ranking.asked.asked_detail import Kind, detail_check, holds_kind
from mnemo.retrieval.ranking.asked.asked_things import asked_which, told_indefinitely
from mnemo.retrieval.ranking.asked.evidence import query_words
from mnemo.retrieval.ranking.asked.word_forms import (
    either_shortens,
    sentences,
    shortens,
    spelled_out,
    swapped,
)
from tests.unit.asked_checks import THRESHOLDS, judged


@pytest.mark.parametrize(
    ("short", "word"),
    [
        ("mgr", "manager"),
        ("mtg", "meeting"),
        ("bldg", "building"),
        ("appt", "appointment"),
        ("tmrw", "tomorrow"),
        ("msg", "message"),
        ("acct", "account"),
        ("dr", "doctor"),
        ("wk", "week"),
    ],
)
def test_a_word_written_by_its_consonants_is_the_word(short: str, word: str) -> None:
    assert shortens(short, word) and either_shortens(word, short)


@pytest.mark.parametrize(
    ("short", "word"),
    [
        ("pm", "program"),  # two letters say too little but for the few English writes
        ("cr", "car"),
        ("bdg", "budget"),  # not where the word ends
        ("mrg", "manager"),  # not in the word's order
        ("man", "manager"),  # a prefix, read by the caller
        ("tsk", "ask"),  # not the same first letter
    ],
)
def test_other_letters_are_no_short_form_of_the_word(short: str, word: str) -> None:
    assert not shortens(short, word)


def test_a_text_without_capitals_opens_its_sentences_in_lower_case() -> None:
    assert sentences("rct sitting 2 done, ₹5,500. gokhale says crown later, not urgent.") == [
        "rct sitting 2 done, ₹5,500.",
        "gokhale says crown later, not urgent.",
    ]
    # but a title's stop runs on
    assert len(sentences("baba: bp + type 2 diabetes. cardiologist dr. anil rathi, care hospital.")) == 2
    # a text with capitals ends a sentence only before a capital or a digit, not after a title or a number's
    # abbreviation
    assert sentences("Paid approx. the usual. Then lunch with Dr. Rao, Gutschein-Nr. FK-2026-118437.") == [
        "Paid approx. the usual.",
        "Then lunch with Dr. Rao, Gutschein-Nr. FK-2026-118437.",
    ]


def test_an_amount_in_a_sentence_of_its_own_is_not_the_one_asked_of_a_lower_case_note() -> None:
    """The crown's cost is asked; the note tells the sitting's, in a sentence before the crown's."""
    checked, missing, _ = judged(
        "how much will the crown cost", "rct sitting 2 done, ₹5,500. gokhale says crown later, not urgent."
    )
    assert (checked, missing) == (1.0, 1.0)


def test_a_word_written_short_holds_what_is_asked() -> None:
    doctor = "baba: bp + diabetes. cardiologist dr. anil rathi, care hospital."
    assert judged("who is baba's heart doctor", doctor)[2] < 1.0


def test_a_courtesy_is_not_asked_of_the_answer() -> None:
    assert judged("aai's number pls", "parents: aai = sunanda, mob 98220 41763; baba = prakash")[2] == 0.0


def test_a_code_and_a_range_hold_their_parts_a_compound_of_words_does_not() -> None:
    event = ("ICA done for subj 1-20 on arc4", True)  # its own time answers when
    question = "when did ICA finish for the first 20"
    assert detail_check(question, query_words(question), [event], THRESHOLDS).gap == 0.0
    assert judged("what level is Tomasz?", "Skip-level lunch with Tomasz, 3 of us.")[2] == 1.0


@pytest.mark.parametrize(
    "content",
    [
        "Banking: operating account (checking ending 2290) at Hill Country.",
        "Card ending in 4417 expires 09/28.",
        "Paid by card ****2290.",
        "Account xxxx2290 at Hill Country.",
    ],
)
def test_a_number_told_by_its_last_digits_is_no_number_asked_for(content: str) -> None:
    assert not holds_kind(Kind.CODE, content, THRESHOLDS)
    assert holds_kind(Kind.CODE, "Operating account 40021177290 at Hill Country.", THRESHOLDS)


def test_a_word_typed_with_two_letters_swapped_is_the_word() -> None:
    assert swapped("gutschien", "gutschein") and either_shortens("recieve", "receive")
    assert not swapped("form", "from")  # a short word so typed is as often another word
    assert not swapped("gutschien", "gutscheim")  # two letters swapped, no other


@pytest.mark.parametrize(
    ("question", "content", "missing"),
    [
        # A number asked by its noun is not a code told of something else.
        ("nexon insurance policy number", "car: tata nexon ev, white, MH12 XY 4471. bought jul '25.", 1.0),
        ("rumpke account number", "gave the rumpke driver the gate code, 5820, he'll be swapping early", 1.0),
        (
            "policy number for the gear insurance",
            "Gear insured with Hiscox since 2024, invoice INV-2291 paid.",
            1.0,
        ),
        # A number told with its noun is held.
        (
            "nexon insurance policy number",
            "nexon insurance renewed: tata aig policy 3001/A/2291, ₹21,800.",
            0.0,
        ),
        (
            "kita gutschien number",
            "Kita-Gutschein for Tomi: valid to July 2027, Gutschein-Nr. FK-2026-118437.",
            0.0,
        ),
        # a thing's registration is told by its form alone
        ("nexon registration number?", "car: tata nexon ev, white, MH12 XY 4471. bought jul '25.", 0.0),
        # in a question in parts the number's noun may be another part's
        (
            "invoicing Loop: what VAT number, and what do I write?",
            "Loop Mobility GmbH, USt-IdNr. DE 318 442 905",
            0.0,
        ),
    ],
)
def test_a_number_asked_by_its_noun_is_held_when_told_with_it_or_known_by_its_form(
    question: str, content: str, missing: float
) -> None:
    assert judged(question, content)[1] == missing


@pytest.mark.parametrize(
    ("question", "thing"),
    [
        ("Which law firm booked that private dinner for 38?", {"law", "firm"}),
        ("which hotel does Tiago stay at in Curitiba?", {"hotel"}),
        ("what time does it start", set()),  # a kind of value, asked by its own words
        ("what did the vet say", set()),
    ],
)
def test_a_which_question_asks_which_thing(question: str, thing: set[str]) -> None:
    assert asked_which(question) == frozenset(thing)


def test_a_thing_told_only_as_one_of_its_kind_is_not_which_one() -> None:
    told = "Casa Jabuticaba hosted a private dinner for 38 people from a law firm: R$ 14.000 in total."
    assert told_indefinitely(told, frozenset({"law", "firm"}))
    named = "A pharmacist in Bantry, Colette Harrington at Harrington's Pharmacy, gave him a supply."
    assert not told_indefinitely(named, frozenset({"pharmacist"}))
    assert not told_indefinitely("Booked the Hotel Emblem for GDC.", frozenset({"hotel"}))


def test_a_which_question_is_not_answered_by_one_of_its_kind() -> None:
    question = "Which law firm booked that private dinner for 38?"
    told = "Casa Jabuticaba hosted a private dinner for 38 people from a law firm: R$ 14.000 in total."
    assert judged(question, told)[2] == 1.0
    assert judged(question, "Private dinner for 38 booked by Pinheiro Neto Advogados, a law firm.")[2] < 0.5
    named = (
        "Bianca Ferraz told Rafaela she is leaving to open a café in Campinas; her last shift is 29 November."
    )
    assert judged("What's Bianca's new café in Campinas called?", named)[1] == 1.0


def test_whose_name_is_asked_is_the_one_just_before_it() -> None:
    """The teacher's name is asked, not the girls': a sentence naming the teacher answers."""
    question = "what's the girls' teacher's name again"
    assert judged(question, "The twins' grade 1 teacher is Ms. Boateng.")[1] == 0.0
    assert judged(question, "The girls love their swimming lessons at the Y.")[1] == 1.0


def test_a_name_in_capitals_is_held_where_a_memory_spells_it_out() -> None:
    assert spelled_out(frozenset({"pm"}), "Your project manager at Lexis is Sanne Bakker.") == {"pm"}
    assert spelled_out(frozenset({"pm"}), "Lexis pays on the 30th.") == frozenset()
    question = "Who's my PM at Lexis?"
    told = "Your project manager at Lexis is Sanne Bakker (s.bakker@lexis-agency.nl)."
    assert (
        judged(question, told, "Lexis portal: jobs show up there before the PM emails about them.")[1] == 0.0
    )
