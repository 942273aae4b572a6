"""Whether the best hits hold what a question asks (retrieval/ranking/asked/asked_detail.py), and the
ceiling it sets on the confidence (retrieval/ranking/confidence.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from mnemo.benchmarks.quality.detail_ceiling import admissible
from mnemo.retrieval.options import DEFAULT_MIN_CONFIDENCE
from mnemo.retrieval.ranking.asked.asked_detail import (
    DetailCheck,
    Kind,
    asked_kinds,
    detail_check,
    event_verb,
    holds_kind,
    is_question,
    stated_with,
    who_verb,
)
from mnemo.retrieval.ranking.asked.asked_names import acronyms, asked_past, opening_name
from mnemo.retrieval.ranking.asked.evidence import ConfidenceFeaturesModel, query_words
from mnemo.retrieval.ranking.confidence import Calibration, RankedHit, shipped_calibration
from mnemo.retrieval.ranking.model import DEFAULT_MODEL, varied
from tests.unit.verdicts import answer_test

THRESHOLDS = DEFAULT_MODEL.confidence_features  # what the service reads features with


test_a_question_says_what_kind_of_value_it_asks_for = answer_test(
    asked_kinds,
    [
        ("what's Dana's mobile?", {Kind.PHONE}),
        ("what's Kathleen Dolan's number?", {Kind.PHONE}),
        ("what's Dana's phone number?", {Kind.PHONE}),
        ("what's Ruth's email address?", {Kind.EMAIL}),
        ("how much did the new bike lock cost?", {Kind.MONEY}),
        ("what's Maya's salary?", {Kind.MONEY}),
        # "how much" of a thing is a quantity or a price ("how much more is the desk than the chair?")
        ("how much flour goes in a batch?", {Kind.COUNT, Kind.MONEY}),
        ("how many people can we seat upstairs?", {Kind.COUNT}),
        ("when is Tomás's birthday?", {Kind.DAY}),
        ("what time is the swimming lesson?", {Kind.TIME}),
        ("what's the wifi password at the office?", {Kind.CODE}),
        ("what's the account number for the broadband?", {Kind.CODE}),
        ("what's the van's number plate?", {Kind.CODE}),
        ("who's our contact at the letting agency?", {Kind.PERSON}),
        ("what's Tom's wife called?", {Kind.NAME}),
        # "How much" of nothing named asks a price; a code named by a money word asks the code.
        ("how much was the skip for the strip-out", {Kind.MONEY}),
        ("what's the quote reference?", {Kind.CODE}),
        ("what's the bill number?", {Kind.CODE}),
        # Internal numbers and a vehicle's codes are codes or numbers ("the kitchen extension" is no number).
        ("what's the outreach bleep?", {Kind.CODE}),
        ("what's Gwen Lloyd's extension", {Kind.CODE}),
        ("VIN on Truck 1", {Kind.CODE}),
        ("license plate of the Ram", {Kind.CODE}),
        ("when is the kitchen extension finished?", {Kind.DATE}),
        # A postal address by its noun, not the verb, nor one's own (told as where one lives too).
        ("what's Aoife's address?", {Kind.ADDRESS}),
        ("Ian and Rach's address in Leeds", {Kind.ADDRESS}),
        ("what's the yard address", {Kind.ADDRESS}),
        ("how did we address the outage?", set()),
        ("what's our address right now?", set()),
        # A login asked for, not one naming a thing; a measure asked by its verb or noun.
        ("Leo's ParentPay login", {Kind.CODE}),
        ("what went wrong with the SSO login outage?", set()),
        ("remind me what Juni weighs", {Kind.COUNT}),
        ("Maya's 50m freestyle PB", {Kind.COUNT}),
        # A birthday's date, not the party or the present had for one.
        ("how much did Leo's birthday party cost", {Kind.MONEY}),
        ("what did we get Nuala for her birthday?", {Kind.DAY}),
        ("what pronouns does Kit use?", set()),
        ("how did opening day go?", set()),
        # A person's name by the noun naming which of them.
        ("Jun's real name", {Kind.NAME}),
        ("what's Ana's full name?", {Kind.NAME}),
        ("list the Pixelforge contacts", {Kind.PERSON}),
        ("when did I contact Dana?", {Kind.DATE}),
        ("Dana's contact number", {Kind.PHONE}),
        # A choice between two things asks which; between two kinds of value, for either.
        ("email or Discord for Elise?", set()),
        ("what's Dana's email or phone?", {Kind.EMAIL, Kind.PHONE}),
        # A date named by what it is of; whose name is asked; money a code's noun says is for.
        ("Craven Fire Protection's last service date", {Kind.DAY}),
        ("the reports are up to date?", set()),
        ("Mr Naylor's pet's name", {Kind.NAME}),
        ("did i get the york reg money back", {Kind.MONEY}),
        # A verb of money in a question of how asks a way, not an amount.
        ("how do i pay participants", set()),
        ("how much do I pay for parking?", {Kind.MONEY}),
        # A number by its abbreviation after what it numbers; "no" alone is a refusal.
        ("AA membership no.", {Kind.CODE}),
        ("the order num for the amp?", {Kind.CODE}),
        ("what's the room # at the hotel", {Kind.CODE}),
        ("did she say no?", set()),
        # How many a place holds.
        ("capacity at the Copenhagen venue", {Kind.COUNT}),
        # How much of a measure is no price; what a thing sold for is one.
        ("how much does the puppy weigh now?", {Kind.COUNT}),
        ("how much does the new tent cost?", {Kind.MONEY}),
        ("what did the old piano sell for?", {Kind.MONEY}),
        # "who" and "when" that join a clause to a word ask nothing; opening a question or a part, or
        # after a word that asks on, they ask.
        ("what did the landlord say about the tenant who left early?", set()),
        ("what did we find when we cleared out the loft?", set()),
        ("who fixed the boiler when it broke?", {Kind.PERSON}),
        ("where and when is the recital?", {Kind.DATE}),
        ("do you know when the skip gets collected?", {Kind.DATE}),
        # A call under way asks no number; a date named as a noun asks a day.
        ("sadie's on the phone", set()),
        ("can we sort it over the phone?", set()),
        ("what date did the footings pass?", {Kind.DAY}),
        ("the exact date of dad's next wellness visit", {Kind.DAY}),
        ("when is the next wellness visit?", {Kind.DATE}),
        ("how old is Fionn?", {Kind.COUNT, Kind.DATE}),  # told by a birth date as often as an age
        ("how often is payday?", {Kind.COUNT, Kind.DATE}),  # "weekly"
    ],
)


@pytest.mark.parametrize(
    ("kind", "holds", "lacks"),
    [
        (Kind.PHONE, "Dana's mobile is +353 87 123 4567.", "Dana moved to Galway in 2024."),
        (
            Kind.EMAIL,
            "Ruth: ruth.ng@lab.example.org, reply within a day.",
            "Ruth runs the Tuesday lab meeting.",
        ),
        (Kind.MONEY, "The lock was £45 at the bike shop.", "The lock is a Kryptonite D-lock."),
        (Kind.MONEY, "Rent is 1,200 euros a month.", "The flat has two bedrooms."),
        # A currency's code before the sum, whatever the country: "KSh 112,000", "SGD 4,200".
        (Kind.MONEY, "The Term 1 invoice came in at KSh 112,000.", "Term 1 fees were paid by M-Pesa."),
        (Kind.MONEY, "Her rent is SGD 4,200.", "Her flat is in Tiong Bahru."),
        # An amount said as it is spoken: "nine hundred", "twenty six fifty"; not a count of minutes.
        (Kind.MONEY, "nine hundred for the boat for the day", "forty five minutes on the ferry"),
        (Kind.MONEY, "1 day 60 ton w/ operator twenty six fifty", "two trucks, one driver"),
        (Kind.DATE, "Tomás turns 9 on 14 March.", "Tomás plays football with his cousins."),
        (Kind.TIME, "Swimming is at 17:30 on Tuesdays.", "Swimming is at the municipal pool."),
        (Kind.CODE, "Wifi: BakeHouse / crumb2024.", "The office has wifi on both floors."),
        (Kind.COUNT, "We can seat 24 upstairs.", "We can seat people upstairs."),
        # An amount, a measure or a year is no code; an identifier is one, whatever its letters.
        (Kind.CODE, "The poster is B-217, at 13:00-14:30.", "Broadband is 500 Mb at £28 a month."),
        (Kind.CODE, "Contract MSA-2025-0188, signed in June.", "Insured for €189 a year, renewing 1 April."),
        (Kind.CODE, "Flight KL1284 leaves at noon.", "A 2016 4-berth caravan bought for €14,500."),
        # A price with its rate is an amount, however clipped: "£912/mo", "£21.40/h".
        (Kind.CODE, "Mortgage account 4471-2290.", "Mortgage £912/mo; bank shifts £21.40/h."),
        # A short word with one digit names a thing ("B2B", "Hal4"); an identifier is longer or hyphenated.
        (
            Kind.CODE,
            "Branches: qa (internal, pw: qa-driftglass-7).",
            "EU B2B clients = reverse charge. desk at Hal4.",
        ),
        # A count stands as a number of its own, not digits inside a path or an identifier.
        (Kind.COUNT, "The group quota is 60 TB.", "His scratch is /exports/eddie/scratch/s2291847."),
        (Kind.TIME, "She wants reminders around 7 o'clock.", "She wants reminders the evening before."),
        # A street number by a street's name, or a postcode; not a date, a price or a year.
        (Kind.ADDRESS, "They live at 4 Cluain Mhuire, Oranmore.", "They live in Leeds with Poppy (6)."),
        (Kind.ADDRESS, "Back home at Rua Pascoal de Melo 58, Arroios.", "MOT on Wednesday 3 Feb at 8.30."),
        (Kind.ADDRESS, "Flat 2F1, Leith, Edinburgh EH6 8SW.", "Since 2026 Marco pays £690 To Harbour Lets."),
        # A date written in digits is no phone number, however many digits it has.
        (Kind.PHONE, "support 0333 014 2260", "owes £1,284.00 since 14.11.2026, plan from 01.12.2026"),
        # A name is no entry's label, month or weekday; written without capitals, it follows a title.
        (Kind.PERSON, "2nd sup: dr ravi patel", "Logged: Wed 3 Feb - final letter sent, £386.50."),
        # Values said in words, as dictation writes them: a sum with its currency or its period, a
        # code digit by digit, a clock time; not a count, an age or a number of hours.
        (Kind.MONEY, "the sitter is twenty two dollars an hour", "the sitter is twenty two years old"),
        (Kind.MONEY, "the gym went up to forty one a month", "the gym has forty one machines"),
        (Kind.CODE, "the gate code is now three one eight five", "the gate has three or four keys"),
        (Kind.TIME, "the bus came at seven sharp", "we stopped at two of the shops"),
        (
            Kind.TIME,
            "piano lesson at quarter past four, be there by four oh five",
            "piano lesson for four kids",
        ),
        (Kind.TIME, "she picks him up at five thirty", "she picks him up five days a week"),
    ],
)
def test_a_memory_holds_a_value_by_its_form(kind: Kind, holds: str, lacks: str) -> None:
    assert holds_kind(kind, holds, THRESHOLDS)
    assert not holds_kind(kind, lacks, THRESHOLDS)


def test_a_dated_memory_holds_a_date_and_a_person_is_a_name_the_question_does_not_hold() -> None:
    assert holds_kind(Kind.DATE, "We opened the second shop with a party.", THRESHOLDS, dated=True)
    assert not holds_kind(Kind.DATE, "We opened the second shop with a party.", THRESHOLDS)
    known = frozenset(query_words("who's Ollie's tutor at college?").weights)
    assert holds_kind(Kind.PERSON, "Ollie's tutor at college is Mr Hughes.", THRESHOLDS, known=known)
    assert not holds_kind(Kind.PERSON, "Ollie's tutor at college is strict.", THRESHOLDS, known=known)


@pytest.mark.parametrize(
    "answer",
    [
        "The release train leaves on Thursdays at noon.",
        "The release train leaves at 9:30.",
        "The release train leaves on the first of the month.",
        "The release train leaves monthly.",
    ],
)
def test_a_when_question_is_answered_by_a_time_or_a_recurring_day(answer: str) -> None:
    """A day of the week in the plural, a clock time, a recurring date: each answers "when", and a
    check that missed them would cap the one memory that answers below every caller's floor."""
    missing, gap = check("When does the release train leave?", answer)
    assert missing == 0.0 and gap < 0.3


def judged(
    question: str,
    head: Sequence[tuple[str, bool]],
    model: ConfidenceFeaturesModel = THRESHOLDS,
    off_time: Sequence[bool] = (),
) -> DetailCheck:
    """The check of the best hits `head` (content, dated) for what `question` asks, its words read as
    the service reads them."""
    return detail_check(question, query_words(question), head, model, off_time)


def check(question: str, *contents: str) -> tuple[float, float]:
    found = judged(question, [(c, False) for c in contents])
    return found.missing, found.gap


def test_a_near_miss_names_the_person_but_not_the_detail() -> None:
    question = "what's Dana's phone number?"
    near_miss = ("Dana is the practice manager at the dentist's.", "Dana prefers texts to calls.")
    assert check(question, *near_miss) == (1.0, 1.0)
    missing, gap = check(question, "Dana's phone: 087 555 1234.", *near_miss)
    assert missing == 0.0 and gap < 0.3


def test_the_value_must_be_in_a_memory_that_names_the_person() -> None:
    question = "what's Dana's phone number?"
    assert check(question, "Dana works at the dentist's.", "Ruth's phone: 087 555 1234.")[0] == 1.0


def test_the_asked_words_count_not_only_the_kind() -> None:
    """The store holds dates about Tomás, not his birthday: the kind is there, what is asked is not."""
    question = "when is Tomás's birthday?"
    _, without = check(question, "Tomás started at the new school in September 2026.")
    _, with_it = check(question, "Tomás's birthday is on 3 February.")
    assert with_it < 0.3 < 0.7 < without


def test_an_abbreviation_or_a_derived_form_counts_as_the_word() -> None:
    _, gap = check("what's the van's reg?", "The van is a white Transit, registration MX19 KFD.")
    assert gap < 0.3


def test_a_month_the_question_names_is_a_time_not_a_name_a_memory_must_repeat() -> None:
    question = "when did Melanie go camping in June?"
    found = judged(question, [("Melanie: we went camping by the lake.", True)])
    assert found.missing == 0.0


def test_a_question_that_asks_for_no_kind_is_judged_by_its_words_alone() -> None:
    assert check("what pronouns does Kit use?", "Kit uses they/them.")[0] == 0.0


def test_the_ceiling_lowers_a_near_miss_below_its_answered_twin() -> None:
    model = shipped_calibration()
    assert model.detail_ceiling, "the shipped model has a detail ceiling"
    question = "what's Dana's phone number?"
    near_miss = [RankedHit(0.6, "Dana is the practice manager at the dentist's.", 0.55)]
    answer = [RankedHit(0.6, "Dana's phone number is 087 555 1234.", 0.55)]
    assert max(model.confidences(question, answer, THRESHOLDS)) > 10 * max(
        model.confidences(question, near_miss, THRESHOLDS)
    )


def test_the_shipped_ceiling_never_takes_a_memory_out_of_a_default_context() -> None:
    """The ceiling alone (the near-empty rule off) leaves every near miss above the default floor."""
    model = shipped_calibration()
    assert admissible(model.detail_ceiling, DEFAULT_MIN_CONFIDENCE)
    hits = [RankedHit(0.6 - i / 100, f"Dana note {i}", 0.9) for i in range(80)]
    ceiling_only = varied(DEFAULT_MODEL, {"confidence_features.only_best_when_missing": False})
    confidences = model.confidences("what's Dana's phone number?", hits, ceiling_only.confidence_features)
    assert min(confidences[:5]) >= DEFAULT_MIN_CONFIDENCE


def _only_the_best_kept_until_one_tells_it(question: str, notes: list[str], told: str) -> None:
    """Of `notes` (best first) holding nothing the question asks, only the best keeps a default place;
    with `told` in third place, none of the first five falls."""
    model = shipped_calibration()
    hits = [RankedHit(0.6 - i / 100, note, 0.9) for i, note in enumerate(notes)]
    near_miss = model.confidences(question, hits, THRESHOLDS)
    assert near_miss[0] >= DEFAULT_MIN_CONFIDENCE
    assert all(c < DEFAULT_MIN_CONFIDENCE for c in near_miss[1:])
    held = [*hits[:2], RankedHit(0.57, told, 0.9), *hits[3:]]
    assert min(model.confidences(question, held, THRESHOLDS)[:5]) >= DEFAULT_MIN_CONFIDENCE


def test_where_nothing_of_the_kind_asked_is_held_only_the_best_keeps_a_default_place() -> None:
    """No hit holds a phone number: the best keeps its ceiling (above the default floor), every
    other hit falls under it. One hit holding a number of the kind: nothing falls."""
    notes = [f"Dana note number {i}" for i in range(12)]
    told = "Dana's phone: 087 555 1234."
    _only_the_best_kept_until_one_tells_it("what's Dana's phone number?", notes, told)


def test_where_no_hit_naming_the_names_holds_an_asked_word_only_the_best_keeps_a_default_place() -> None:
    """A salary asked, and the memories about Maya hold sums, none of them her salary: only the best
    keeps a place. One memory telling it: nothing falls. A question asking for no kind of value is
    answered in other words as often, and keeps its context."""
    notes = [f"Maya paid £{40 + i} for the team lunch." for i in range(12)]
    told = "Maya's salary is £32,000 a year."
    _only_the_best_kept_until_one_tells_it("what's Maya's salary?", notes, told)
    model = shipped_calibration()
    story = [RankedHit(0.6 - i / 100, f"Leeds went live with new tills, week {i}.", 0.9) for i in range(12)]
    kept = model.confidences("what's happened with the Leeds rollout?", story, THRESHOLDS)
    assert min(kept[:5]) >= DEFAULT_MIN_CONFIDENCE


def test_a_model_without_a_ceiling_reads_as_before_and_a_ceiling_weighs_only_detail_features() -> None:
    plain = Calibration({"cosine": 4.0}, -1.0)
    hits = [RankedHit(0.6, "Dana is the practice manager.", 0.9)]
    capped = Calibration({"cosine": 4.0}, -1.0, detail_ceiling={"intercept": 0.0, "detail_gap": -5.0})
    assert (
        capped.confidences("what's Dana's phone number?", hits, THRESHOLDS)[0]
        < plain.confidences("what's Dana's phone number?", hits, THRESHOLDS)[0]
    )
    assert Calibration.from_dict(capped.as_dict()) == capped
    with pytest.raises(ValueError, match="detail ceiling"):
        Calibration({"cosine": 1.0}, 0.0, detail_ceiling={"cosine": -1.0})


def test_a_transcript_is_not_checked_and_keeps_its_confidence() -> None:
    """Most of the best hits conversation turns: the check does not read them, and no ceiling binds
    (a turn states a fact in passing, in the speakers' words)."""
    question = "what's Dana's phone number?"
    turns = [(f"Dana: I keep thinking about the beach ({i}).", True) for i in range(5)]
    assert judged(question, turns).checked == 0.0
    model = shipped_calibration()
    hits = [RankedHit(0.6, content, 0.6, dated=True) for content, _ in turns]
    plain = Calibration(model.coefficients, model.intercept)
    assert model.confidences(question, hits, THRESHOLDS) == plain.confidences(question, hits, THRESHOLDS)
    statements = [(content.removeprefix("Dana: "), False) for content, _ in turns]
    assert judged(question, statements).checked == 1.0


def test_a_store_of_labelled_notes_is_no_transcript() -> None:
    """An entry opening with what it is ("Reminder: …") or what was done ("Logged: …") is a note of
    the store's, checked as any statement is; a speaker's name or a chat role opens a turn."""
    question = "what's Dana's phone number?"
    for label in ("Logged", "Reminder", "Note"):
        notes = [(f"{label}: Dana at the beach ({i}).", True) for i in range(5)]
        assert judged(question, notes).checked == 1.0
    for speaker in ("Alfred", "user", "Ted"):
        turns = [(f"{speaker}: Dana at the beach ({i}).", True) for i in range(5)]
        assert judged(question, turns).checked == 0.0


def test_a_thing_written_with_its_number_holds_the_number_asked() -> None:
    """A locker number is answered by "locker 41" (a short number, no code by its form)."""
    question = "what's my locker number"
    assert judged(question, [("hot desks in 2.05 now. locker 41", True)]).gap == 0.0
    assert judged(question, [("hot desks in 2.05 now", True)]).missing == 1.0


def test_a_memory_spells_its_ordinals_and_parts() -> None:
    """A memory's "2nd sup" holds the second."""
    question = "who's my second supervisor?"
    found = judged(question, [("2nd sup: dr ravi patel", False)])
    assert (found.missing, found.gap) == (0.0, 0.0)


@pytest.mark.parametrize(
    ("query", "asks"),
    [
        ("what's Dana's phone number?", True),
        ("when's Hamza's birthday", True),
        ("Tom Ashby's email?", True),
        ("how many people can we seat upstairs", True),
        ("everything about Bob", False),
        ("my old job at Acme", False),
        ("Dana phone number", True),
        ("Dana's new job", False),
        ("Dana's phone number", True),
        ("Ceri's NICEIC registration number", True),
        ("that's Dana's phone number", False),
        # A clipped request names the kind of value it wants and whose, before or after it.
        ("Harold Lindqvist's phone number", True),
        ("the Okafors' email", True),
        ("gate code at the Desais'", True),
        ("policy number for the Summit Trades insurance", True),
        ("VIN on Truck 1", True),
        ("Bob called about the gate code", False),
        # ... or ends with the noun of the kind it wants, whose or of what before it.
        ("ESTA application number", True),
        ("list the Pixelforge contacts", True),
        ("demo app id", True),
        ("beta branch password?", True),
        (
            "the invoice we sent for the extension and the new kitchen floor last spring, and its number",
            False,
        ),
        # A surname's particle is lower case.
        ("Fenna de Wit's phone", True),
        ("Ludwig van der Berg's email", True),
        ("Dana paid for the Okafor job", False),
        # What a request says it wants done opens it: what follows is read as the request.
        ("need the gate code for the Desais", True),
        ("pull up Alicia Ruiz's email", True),
        ("tell me what Dana's phone number is", True),
        # ... or as the noun phrase naming the value it wants; a task to remind of is no request for one.
        ("give me the Bay Cottage booking reference", True),
        ("remind me to pay the rent", False),
        # An embedded question asking for no kind of value (a story retold) is not checked.
        ("remind me how we fixed the GNN job", False),
        ("remind me of Jakub's croissant dough method", False),
        # A word of courtesy after a clipped request is not what it asks for.
        ("marta mobile pls", True),
        # A clipped request ending with the abbreviation of the number it asks.
        ("AA membership no.", True),
        ("everything about Bob please", False),
    ],
)
def test_only_a_question_is_checked(query: str, asks: bool) -> None:
    """A topic (a forget query, a search phrase) asks for no detail: whatever is about it answers."""
    found = judged(query, [("Bob moved to Leeds; Dana likes tennis.", False)])
    assert (found.checked == 1.0) is asks


def test_a_clipped_request_for_what_no_memory_holds_is_a_near_miss() -> None:
    """ "gate code at the Desais'" over memories about the Desais, none with a code: nothing of the
    kind asked is held; where one is, the request is answered."""
    assert check("gate code at the Desais'", "The Desais signed at $11,850 for the hedge.") == (1.0, 1.0)
    assert check("gate code at the Desais'", "Desai job: gate code 5512, park on the street.") == (0.0, 0.0)


def test_the_thresholds_are_the_ranking_models_and_a_variant_reads_its_own() -> None:
    """A variant of the ranking model that looks for the answer in no hit checks nothing: no ceiling
    binds, and the near miss reads as the logistic model alone reads it."""
    question = "what's Dana's phone number?"
    near_miss = [RankedHit(0.6, "Dana is the practice manager at the dentist's.", 0.55)]
    model = shipped_calibration()
    blind = varied(DEFAULT_MODEL, {"confidence_features.detail_head": 0}).confidence_features
    plain = Calibration(model.coefficients, model.intercept, model.floor, model.ceiling)
    assert model.confidences(question, near_miss, blind) == plain.confidences(question, near_miss, THRESHOLDS)
    assert model.confidences(question, near_miss, THRESHOLDS) < model.confidences(question, near_miss, blind)


@pytest.mark.parametrize(
    ("question", "kinds"),
    [
        ("what's Aoife's address, for the birthday card", {Kind.ADDRESS}),
        ("Úna's picking hymns for Gerry's birthday Mass, which ones does he like?", set()),
        ("Rita's birthday is coming up, what present do I usually give?", set()),
        ("for the card: when is Rita's birthday?", {Kind.DAY}),
        ("Rita's birthday, when is it?", {Kind.DATE}),
        # A part after "and" asks as its own clause does.
        ("who drove the van back, and what did it sell for?", {Kind.PERSON, Kind.MONEY}),
    ],
)
def test_the_kind_is_read_in_the_clause_that_asks(question: str, kinds: set[Kind]) -> None:
    assert asked_kinds(question, clause_only=True) == kinds


def test_a_name_inside_a_code_is_named() -> None:
    """ "MSA-2025-0188" names the MSA: the hit holding the code answers "what's the MSA number"."""
    assert check("what's the MSA number", "Contract: MSA-2025-0188, signed 24 June 2025.") == (0.0, 0.0)


def check_with(switches: dict[str, bool], question: str, *contents: str) -> tuple[float, float]:
    model = varied(DEFAULT_MODEL, {f"confidence_features.{k}": v for k, v in switches.items()})
    found = judged(question, [(c, False) for c in contents], model.confidence_features)
    return found.missing, found.gap


def test_an_abbreviation_no_best_hit_writes_is_an_asked_word_not_a_name() -> None:
    """The memory spells out "EHO"; where a best hit writes it, it stays a name a hit must hold."""
    question = "what's the EHO's phone number?"
    spelled = "Environmental health officer for Ancoats: Dee Walsh, 0161 555 0199."
    missing, gap = check(question, spelled)
    assert missing == 0.0 and gap > 0.0  # held as a phone; "EHO" itself, asked, is not held
    assert check_with({"acronyms_are_topics": False}, question, spelled)[0] == 1.0
    written = ("The EHO visits Ancoats in May.", "Dee Walsh: 0161 555 0199.")
    assert check(question, *written)[0] == 1.0  # the phone is in no memory that names the EHO


def test_a_word_that_asks_for_a_kind_is_no_abbreviation() -> None:
    """ "ID" asks for a code: "what's the tenant ID of Business Central?" still needs a hit naming it."""
    assert acronyms("what's the Business Central tenant ID and the EHO's number?") == {"eho"}


def test_the_names_of_a_clause_that_times_the_question_need_not_be_held() -> None:
    question = "how much has ARR grown since Nadia took the account over?"
    answer = "ARR is now £68,200, up from £42,000 at the start of the contract."
    assert check(question, answer)[0] == 0.0
    assert check_with({"anchor_names_optional": False}, question, answer)[0] == 1.0
    # A name the question asks about, not one it times, is still required.
    assert check("how much has Nadia's ARR grown since the renewal?", answer)[0] == 1.0


def test_a_question_in_parts_needs_one_parts_names_in_a_hit() -> None:
    question = "who's the site finance contact at Newport, and who leads AP at HQ?"
    hits = (
        "Contact: Owain Pritchard, Site Accountant, Newport plant.",
        "Dean Mallory leads AP at Bristol HQ.",
    )
    assert check(question, *hits)[0] == 0.0
    assert check_with({"names_per_part": False}, question, *hits)[0] == 1.0
    # A question in one part still needs all its names in one hit.
    assert check("who's the finance contact at Newport for Brightwater?", hits[0])[0] == 1.0


def test_the_sides_of_a_comparison_are_parts_each_told_in_a_memory_of_its_own() -> None:
    question = "how much more is the Hal4 desk than Schieblock"
    hits = ("desk: Schieblock coworking, €180/mo, 24/7 badge.", "desk: Hal4 coworking, €210/mo.")
    assert check(question, *hits)[0] == 0.0
    assert check_with({"names_per_part": False}, question, *hits)[0] == 1.0
    assert check("Next Fest players vs gamescom plays?", "gamescom: ~900 plays in 5 days.")[0] == 0.0


def test_a_question_in_parts_asks_of_a_hit_what_its_part_asks() -> None:
    """The memory naming the B5s answers who they are; that it says nothing owed is the other part's."""
    question = "who are my two new B5s, and what do I owe Priya?"
    hit = "PADR: mentor the 2 new B5s (Priya Nair + Callum Evans)."
    assert check(question, hit)[1] < 0.3
    # A question in one part asks all its words of the hit.
    assert check("what do I owe Priya for the B5s?", hit)[1] > 0.7


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Ceri's NICEIC registration number", "ceri"),
        ("Megan's phone number?", "megan"),
        ("What's Ceri's number?", None),
        ("Remind me of Ceri's door code", None),
        ("Jonas's birthday is coming up, what should I get him?", None),
    ],
)
def test_a_clipped_request_opens_with_a_name(query: str, name: str | None) -> None:
    """A one-clause request opening with a rare capitalized owner names them: a clause that tells, not
    asks, is context whose names an answer need not hold."""
    expected = frozenset({name}) if name else frozenset()
    assert opening_name(query, THRESHOLDS.name_information) == expected


def test_the_name_a_clipped_request_opens_with_must_be_held() -> None:
    question = "Ceri's NICEIC registration number"
    assert check(question, "Gareth Morgan, NICEIC registration 40912, mob 07811 402 936.")[0] == 1.0
    missing, gap = check(question, "Ceri Bowen: NICEIC registration 52214.")
    assert missing == 0.0 and gap < 0.3


test_a_when_question_about_what_happened_tells_its_event_by_a_verb = answer_test(
    event_verb,
    [
        ("when did we buy the Ram", {"when", "did", "we", "buy"}),
        ("When did Dr Mulvey finish up?", {"when", "did", "dr", "mulvey", "finish"}),
        ("when exactly did Fiona leave the IGC?", {"when", "exactly", "did", "fiona", "leave"}),
        ("when was Pickle diagnosed with CKD", {"when", "was", "pickle", "diagnos"}),
        # A value's time, or an event whose subject is a possessive, names no verb of an event.
        ("when's Tom's birthday", set()),
        ("when does our ISO certificate expire?", set()),
        ("when was Hanley Mills' duplicate problem fixed?", set()),
    ],
)


def test_an_event_answers_when_it_happened_in_its_own_words() -> None:
    """The event's own time answers "when did we buy the Ram?": its memory tells the buying in
    other words, which the question's verb is not asked of; an undated memory still is."""
    question = "when did we buy the Ram"
    event = "Replaced Truck 2 with a 2022 Ram 2500 (gray) for $46,500."
    found = judged(question, [(event, True)])
    assert (found.missing, found.gap) == (0.0, 0.0)
    off = varied(DEFAULT_MODEL, {"confidence_features.event_verbs_told": False}).confidence_features
    assert judged(question, [(event, True)], off).gap == 1.0
    assert check(question, "The Ram 2500 is gray; plate 517 MTC.")[1] == 1.0


def test_a_value_answers_where_a_sentence_naming_what_is_asked_states_it() -> None:
    """The amount in the kitchen's memory is the fitter's, not the dishwasher's: no sentence that
    states an amount names it, and the memory does not open with it."""
    kitchen = (
        "Kitchen finished. Marek paid £1,650 (quote £1,500 + £150 for the pipes). "
        "Dai plumbed the sink + Bosch dishwasher the same day."
    )
    assert check("what did the dishwasher cost", kitchen)[0] == 1.0
    assert check("what did the dishwasher cost", kitchen + " The dishwasher was £429.")[0] == 0.0
    assert check_with({"values_stated_with_words": False}, "what did the dishwasher cost", kitchen)[0] == 0.0


def test_a_memory_opening_with_what_is_asked_states_its_values_anywhere() -> None:
    flat = "Flat: 23B Severn Grove, 2 bed, leasehold. Completed 16 Jan 2026 at £187,500."
    assert stated_with(frozenset({Kind.MONEY}), flat, frozenset({"flat"}), THRESHOLDS)
    car = "Our car is a 2019 Toyota, registration 192-RN-4417. It pulls the caravan."
    assert not stated_with(frozenset({Kind.CODE}), car, frozenset({"caravan", "chassi"}), THRESHOLDS)


def test_a_count_or_a_person_is_read_anywhere_in_the_memory() -> None:
    """Any number is a count and any rare capitalized word a person: held too loosely for the
    sentence holding one to say what it is of."""
    pay = "Payroll runs through Gusto. Switched to weekly pay from Friday 4/2 for the season."
    assert check("how often is payday", pay)[0] == 0.0


def test_an_address_is_asked_of_whose_it_is_and_not_of_why_it_is_wanted() -> None:
    """Memories naming Ian and Rach but no street hold no address; the clause saying what Aoife's
    address is for ("for the birthday card") asks nothing of the memory that states it."""
    assert check("Ian and Rach's address in Leeds", "Ian and Rach live in Leeds with Poppy.")[0] == 1.0
    aoife = "Aoife lives at 4 Cluain Mhuire, Oranmore."
    assert check("what's Aoife's address, for the birthday card", aoife) == (0.0, 0.0)


def test_an_event_of_another_time_than_the_past_one_asked_does_not_answer() -> None:
    """'what was the AWS bill in November?' over December's bill: the amount is of another time."""
    now = datetime(2026, 12, 10, tzinfo=UTC)
    window = asked_past("what was the AWS bill in November?", now)
    assert window is not None and window.start == datetime(2026, 11, 1, tzinfo=UTC)
    bill = ("AWS bill came in at $41,200 for the month.", True)
    question = "what was the AWS bill in November?"
    assert judged(question, [bill]).missing == 0.0
    assert judged(question, [bill], off_time=[True]).missing == 1.0


@pytest.mark.parametrize(
    "question",
    [
        "what will we do in January?",  # what is to come
        "who's covering bread while Tom is away in November?",  # the time of a clause that times it
        "what was the AWS bill?",
    ],
)
def test_a_time_ahead_or_timing_a_clause_is_no_past_asked(question: str) -> None:
    assert asked_past(question, datetime(2026, 12, 10, tzinfo=UTC)) is None


def test_what_happened_is_told_by_an_event_in_its_own_words() -> None:
    """What happened to a firm is told by an event naming it, whatever its verb."""
    question = "what happened to Imaging Vet Services?"
    event = [("Imaging Vet Services Ltd went into administration; service moved to Radmed.", True)]
    assert judged(question, event).gap == 0.0


def test_a_detail_told_as_someone_elses_is_not_held() -> None:
    """Tomás's birthday is not told by "For Inês's 38th birthday Tomás booked dinner"; Amy Lund's
    clinical coach is by "Amy Lund's clinical coach is Tom Hirst"."""
    question = "when is Tomás's birthday?"
    other = [("For Inês's 38th birthday Tomás booked dinner at Prado.", True)]
    assert judged(question, other).gap == 1.0
    question = "Who is Amy's clinical coach?"
    own = [("Record: Amy Lund's clinical coach is Tom Hirst.", False)]
    assert judged(question, own).gap == 0.0


def test_an_identifier_is_held_as_a_name_however_written() -> None:
    """A study id for exp1 is not answered by exp2's id; "soc2" is written "SOC 2"."""
    question = "sona study id for exp1"
    near = [("exp2 sona study id 3317", False)]
    assert judged(question, near).missing == 1.0
    question = "who is the soc2 auditor?"
    written = [("SOC 2 Type II: auditor Ashford & Kerr, via Drata.", False)]
    assert judged(question, written).gap == 0.0


def test_a_thing_named_by_capitals_and_a_number_is_held_as_a_name() -> None:
    """ "CO 6" is not answered by CO 5's price; "CO-6" writes the same thing."""
    question = "how much was CO 6 priced at"
    near = [("CO 5 got signed, blocking in the exam rooms, £8,450.", False)]
    assert judged(question, near).missing == 1.0
    written = [("CO-6 priced at £3,200 for the lobby tile.", False)]
    assert judged(question, written).missing == 0.0


def test_a_day_is_a_day_of_a_month_not_a_month_or_a_year_alone() -> None:
    for holds in ("serviced on 11 December", "due Dec 11th", "came 24/4", "on the 28th", "every Tuesday"):
        assert holds_kind(Kind.DAY, holds, THRESHOLDS)
    for lacks in ("serviced annually", "next meeting in September 2027", "passed in 2024", "every october"):
        assert not holds_kind(Kind.DAY, lacks, THRESHOLDS)
    assert holds_kind(Kind.DAY, "The footings passed.", THRESHOLDS, dated=True)  # an event's own day


def test_a_count_is_no_price_year_date_time_or_phone() -> None:
    for lacks in (
        "£2.10 per client registered a year",
        "renewed for 2026–27 at $15,600 a year",
        "contract runs 1 April to 31 March",
        "out-of-hours line 01535 610 440, opens at 18:30",
    ):
        assert not holds_kind(Kind.COUNT, lacks, THRESHOLDS)
    for holds in ("ordered 92 yards", "two A100 GPUs", "the cluster is 4.8% of cells", "14.2k players"):
        assert holds_kind(Kind.COUNT, holds, THRESHOLDS)


def test_a_near_miss_of_another_kind_of_value_reads_as_missing() -> None:
    """A price does not tell how many, a yearly service not the date of the last one."""
    clients = "Vets Now sent the renewal: £2.10 per client registered a year, unchanged."
    assert check("How many clients are registered with Vets Now cover?", clients)[0] == 1.0
    counted = "Vets Now: 4,210 clients registered."
    assert check("how many clients are registered with Vets Now?", counted)[0] == 0.0
    yearly = "Record: fire extinguishers serviced annually by Craven Fire Protection."
    assert check("Craven Fire Protection's last service date", yearly)[0] == 1.0
    dated = "Record: extinguishers last serviced by Craven Fire Protection on 14.04.2026."
    assert check("Craven Fire Protection's last service date", dated)[0] == 0.0


def test_who_did_something_is_read_by_its_words_in_a_text_without_capitals() -> None:
    """A store written all in lower case names people, firms and roles in lower case too: a
    who-question is judged by the words there, while a name asked for as one must be written as one."""
    erector = "steel erector is iron valley steel, foreman is big ray dutko, good guy"
    assert check("who's the foreman for iron valley", erector) == (0.0, 0.0)
    assert check("who's the foreman for iron valley", "iron valley steel is doing the erection")[1] > 0.0
    brother = "steve is jen's brother, we do a walleye trip on lake erie every spring"
    assert check("what's steve's last name", brother)[0] == 1.0  # a name asked for as one
    assert check("who are my APR assessors", "ask grad school who my APR assessors are")[0] == 1.0
    known = frozenset(query_words("who's Ollie's tutor at college?").weights)
    assert not holds_kind(Kind.PERSON, "Ollie's tutor at college is strict.", THRESHOLDS, known=known)


def test_an_abbreviation_in_capitals_is_a_name_not_a_month() -> None:
    """ "APR" (an annual progression review) is no April: a hit must name it as it must any name."""
    assert check("who are my APR assessors", "APR report due", "arc4 account approved (psjre)")[0] == 1.0


@pytest.mark.parametrize(
    ("request_", "kinds"),
    [
        ("brian tate's cell", {Kind.PHONE}),  # a person's cell is their mobile
        ("name of my service advisor at ricart ford", {Kind.NAME}),
        ("name of the Sentry project", {Kind.NAME}),
    ],
)
def test_a_clipped_request_for_a_cell_or_a_name_asks_for_it(request_: str, kinds: set[Kind]) -> None:
    assert is_question(request_)
    assert asked_kinds(request_) == kinds
    assert not is_question("the cell count in batch 4")


def test_a_name_may_be_quoted_and_a_phone_is_no_digits_of_a_code() -> None:
    assert holds_kind(Kind.NAME, "crash reporting: Sentry, project 'tidewright', release tag", THRESHOLDS)
    assert not holds_kind(Kind.NAME, "the '78 sunburst bass and the '08 spare", THRESHOLDS)
    for lacks in ("Deliver job WB-27-0340 to Jana by Friday", "sent invoice 2027-017 for 560,00 EUR"):
        assert not holds_kind(Kind.PHONE, lacks, THRESHOLDS)
    assert holds_kind(Kind.PHONE, "hall number is 614-555-0122", THRESHOLDS)


def test_a_name_is_held_in_a_sentence_of_whom_it_is_asked_and_a_place_is_no_name() -> None:
    """ "agnes's daughter's name": the sentence about the daughter names a town, and the names of
    the next sentence are of others; a name after "in", "at" or "from the" is a place or a firm."""
    moving = (
        "Agnes is moving to her daughter's in Ayr for good on the 28th. Meera's doing Mungo's food + pill "
        "from 1/3, Agnes gave her the key"
    )
    assert check("agnes's daughter's name", moving)[0] == 1.0
    teacher = (
        "Grandson Eli Hammond, 9, is in third grade at Live Oak Hollow Elementary; his teacher is Ms. Garza."
    )
    assert check("What's the name of Eli's teacher?", teacher) == (0.0, 0.0)
    wife = "Tom's wife Sarah runs the café; Tom's brother is Pete."
    assert check("what's Tom's wife called?", wife)[0] == 0.0


def test_a_who_questions_verb_is_not_asked_of_a_hit_that_names_someone() -> None:
    """ "who do we deal with at Fernway" is answered by "Contact Mei Tanaka", in its own words; where
    a hit tells the verb ("coaches") it still counts."""
    assert who_verb("who do we deal with at Fernway") == frozenset({"who", "do", "we", "deal", "with"})
    assert who_verb("who is Mila's swimming teacher?") == frozenset()
    fernway = "Plants come from Fernway Nursery (wholesale). Contact Mei Tanaka; we get 15% off."
    assert check("who do we deal with at Fernway", fernway) == (0.0, 0.0)
    coach = "Tevita's under-11s coach is Sione Fifita, training Tuesdays."
    assert check("who coaches Tevita's team", coach)[1] < 0.5


def test_a_question_about_what_one_meant_to_do_is_not_checked() -> None:
    """ "off to Alien Rock tonight, anything I meant to do there?" is answered by a reminder telling
    the task in its own words ("Buy a new 10-visit pass"), which names neither the place nor the
    question's words; a task question asking for a value is still checked."""
    reminder = [("Buy a new 10-visit pass; the current one has one climb left.", True)]
    question = "off to Alien Rock tonight, anything I meant to do there?"
    assert judged(question, reminder).checked == 0.0
    assert judged("how much do I need to pay this week?", reminder).checked == 1.0
