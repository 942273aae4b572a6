"""The asked-detail check (retrieval/ranking/asked/asked_detail.py) on memories written as fragments and
terse notes ("Ran the Sun Run with Colleen in 55:40", "HCWW AWS: region us-west-2, …"), and on
hurried questions: a mark or a score asked, a clipped request with a time after it, a name asked of
someone a hit tells of without one, an id asked of what it numbers, an owner named only as
company."""

from __future__ import annotations

import pytest

from mnemo.retrieval.ranking.asked.asked_detail import Kind, asked_kinds, is_question
from mnemo.retrieval.ranking.asked.asked_things import only_company
from mnemo.retrieval.ranking.asked.value_forms import holds_form
from tests.unit.asked_checks import judged


@pytest.mark.parametrize(
    "question",
    [
        "what did maya get in math on her report card",
        "what did i get on the spanish final",
        "What mark did Finn get for his Physics practical?",
    ],
)
def test_a_mark_or_a_score_is_asked(question: str) -> None:
    assert Kind.SCORE in asked_kinds(question)


def test_what_one_was_given_asks_no_score() -> None:
    assert Kind.SCORE not in asked_kinds("what did dev get me for my birthday")


@pytest.mark.parametrize(
    ("text", "held"),
    [
        ("Spanish midterm oral -- 88/100; Carmen says work on the subjunctive", True),
        ("Maya's report card: a B+ in math, an A in reading", True),
        ("Passed the theory test first time", True),
        ("TODO(2026-12-10): Spanish final presentation 'mi barrio', 7pm", False),
        ("Maya's said she's a great reader but rushes her math", False),
    ],
)
def test_a_score_is_a_grade_a_pass_or_a_number_that_is_no_date(text: str, held: bool) -> None:
    assert holds_form(Kind.SCORE, text) is held


@pytest.mark.parametrize(
    ("question", "without", "holding"),
    [
        pytest.param(
            "what did maya get in math on her report card",
            "Leo's year-end report card: strong in math and science, needs to work on written output; "
            "Maya's said she's a great reader but rushes her math",
            "Maya's report card: B+ in math, A in reading",
            id="a-report-that-gives-no-mark",
        ),
        # A name elsewhere in the sentence is another's: Sean is Aoife's brother, not a twin.
        pytest.param(
            "what are aoife's twins called",
            "Sister-in-law Aoife (Sean's sister) lives in Calgary, has twins",
            "Aoife's twins are Finn and Rory, 6 in May",
            id="a-name-is-held-near-what-it-names",
        ),
        pytest.param(
            "hcww aws account id",
            "HCWW AWS: region us-west-2, I deploy as IAM user marisol-deploy; access keys live in 1Password "
            "vault 'HCWW'; infra is Terraform in repo hcww-infra",
            "HCWW AWS account 4471-2290-1183, region us-west-2",
            id="an-id-is-asked-of-what-it-numbers",
        ),
    ],
)
def test_a_note_that_tells_of_the_thing_without_its_detail_misses_it(
    question: str, without: str, holding: str
) -> None:
    assert judged(question, without)[:2] == (1.0, 1.0)
    assert judged(question, holding)[:2] == (1.0, 0.0)


def test_a_clipped_request_with_a_time_after_its_kind_asks_for_it() -> None:
    question = "brickyard door code this month"
    assert is_question(question)
    note = "Brickyard wifi SSID Brickyard-Members; door code changes monthly, posted in the member Slack"
    assert judged(question, note)[:2] == (1.0, 1.0)


def test_an_owner_named_only_as_company_owns_nothing_told() -> None:
    question = "what was colleen's time at the sun run"
    assert only_company("Ran the Vancouver Sun Run 10K with Colleen in 55:40", frozenset({"colleen"}))
    assert not only_company("Colleen ran the Sun Run in 52:10, with me behind", frozenset({"colleen"}))
    ruth = "Marco's weekly 1:1 with Ruth is on Thursdays at 14:00 in her office (S1.12)."
    assert not only_company(ruth, frozenset({"ruth"}))
    assert judged(question, "Ran the Vancouver Sun Run 10K with Colleen in 55:40")[2] == 1.0
    assert judged(question, "Colleen ran the Vancouver Sun Run in 52:10")[2] == 0.0


@pytest.mark.parametrize(
    ("question", "day_asked"),
    [
        ("How much did Javi's birthday headphones cost?", False),
        ("when's tom's birthday", True),
        ("Tom's birthday is when?", True),
        ("Jonas's birthday, what should I get him?", True),
        ("is mum's birthday on a sunday this year", True),
    ],
)
def test_a_thing_named_after_a_birthday_is_what_is_asked(question: str, day_asked: bool) -> None:
    assert (Kind.DAY in asked_kinds(question)) is day_asked
