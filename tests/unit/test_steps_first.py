"""For a request that asks for steps, the procedure nearest by meaning put first
(mnemo.retrieval.stages.steps_first)."""

from __future__ import annotations

import pytest

from mnemo.memtypes.queries import ScoredPoint
from mnemo.retrieval.ranking.asked.evidence import query_words
from mnemo.retrieval.ranking.model import StepsFirstModel
from mnemo.retrieval.stages.steps_first import asks_for_steps, steps_floor, steps_kept_up, steps_placed
from tests.unit.verdicts import verdict_test


def _hit(point_id: str, score: float, content: str) -> ScoredPoint:
    return ScoredPoint(point_id, score, {"content": content})


EVENT = _hit("event", 0.494, "Boiler pressure dropped again, topped up, texted the landlord.")
STEPS = _hit(
    "steps", 0.493, "Boiler pressure low: open both taps on the filling loop till the gauge says 1.5 bar."
)
OTHER = _hit("other", 0.12, "The plumber came and fixed the leak.")
BEST = [EVENT, STEPS, OTHER]
COSINES = {"event": 0.61, "steps": 0.73, "other": 0.22}
ASKED = query_words("boiler pressure's low")


ASK_FOR_STEPS = [
    "boiler pressure's low",
    "Setting up a memoQ project",
    "A client needs an apostille on a sworn translation",
    "how do I fail over aurora?",
    "What are the steps once a tenant has moved out?",
    "How do I usually handle a spike in eKYC failures?",  # the way one does it: steps if kept
]


ASK_FOR_OTHER_THINGS = [
    "who's my DMP for the V300",
    "what's the story with the Bobcat",
    "anything overdue?",
    "what do I need to do before the deal desk review?",
    "train or car to Coimbra?",
    "Give me the outstanding debtor actions",
]


test_which_requests_ask_for_steps = verdict_test(asks_for_steps, ASK_FOR_STEPS, ASK_FOR_OTHER_THINGS)


def test_the_nearest_procedure_goes_just_above_the_first() -> None:
    floors = steps_floor(BEST, COSINES, frozenset({"steps"}), ASKED)
    assert floors == {"steps": pytest.approx(0.494 + 1e-4)}


def test_only_a_procedure_nearest_of_all_and_holding_as_much_of_the_question() -> None:
    assert steps_floor(BEST, COSINES, frozenset(), ASKED) == {}  # the nearest is no procedure
    assert steps_floor(BEST, {**COSINES, "event": 0.8}, frozenset({"steps"}), ASKED) == {}
    # "File → Build" is near "how do I file the BTW return?" by meaning, but shares one word of it.
    asked = query_words("how do I file the BTW return")
    btw = _hit("btw", 0.41, "BTW return: check the ICP totals, file in Mijn Belastingdienst.")
    fmod = _hit("fmod", 0.35, "FMOD banks: File → Build, banks land in res://audio/banks.")
    assert steps_floor([btw, fmod], {"btw": 0.22, "fmod": 0.31}, frozenset({"btw", "fmod"}), asked) == {}


def test_a_share_of_the_first_hits_share_may_suffice() -> None:
    """For the usual way asked, the steps nearest by meaning need hold only part of what the first
    hit holds of the question (a story of one such day names the situation in more of its words)."""
    asked = query_words("how do I usually handle a spike in eKYC failures")
    story = _hit("story", 0.46, "Chloe reported eKYC failures spiking in the beta; most were blurry photos.")
    steps = _hit("steps", 0.42, "eKYC triage: export the failed checks, group by reason code, log a ticket.")
    cosines = {"story": 0.55, "steps": 0.66}
    assert steps_floor([story, steps], cosines, frozenset({"steps"}), asked) == {}
    assert steps_floor([story, steps], cosines, frozenset({"steps"}), asked, 0.5) == {
        "steps": pytest.approx(0.46 + 1e-4)
    }


def test_the_first_already_stays() -> None:
    first = _hit("steps", 0.5, STEPS.payload["content"])
    assert steps_floor([first, EVENT], COSINES, frozenset({"steps"}), ASKED) == {}


def test_for_a_how_question_the_nearest_procedure_is_kept_among_the_first() -> None:
    """ "Hafenkraft still hasn't paid - what's the procedure?": the late-payment steps share none of its
    words and fall under memories naming the client; meaning ranks them among its first."""
    best = [
        _hit("unpaid", 0.48, "Hafenkraft had not paid invoice 2027-009; you sent a friendly reminder."),
        _hit("second", 0.43, "Monday: if Hafenkraft is still unpaid, send the second reminder."),
        _hit("invoice", 0.34, "Invoice 2027-009 to Hafenkraft for manual part 2."),
        _hit("client", 0.28, "Hafenkraft Logistik GmbH in Duisburg is a direct client."),
        _hit("steps", 0.20, "Late payment: a friendly reminder, then one that mentions statutory interest."),
    ]
    cosines = {"unpaid": 0.69, "second": 0.62, "invoice": 0.53, "client": 0.32, "steps": 0.45}
    floors = steps_kept_up(best, cosines, frozenset({"steps"}), ranks=6, places=3)
    assert floors == {"steps": pytest.approx(0.34 + 1e-4)}
    assert steps_kept_up(best, cosines, frozenset({"steps"}), ranks=3, places=3) == {}  # not near enough
    assert steps_kept_up(best, cosines, frozenset({"invoice"}), ranks=6, places=3) == {}  # there already
    assert steps_kept_up(best, cosines, frozenset(), ranks=6, places=3) == {}


def test_near_by_meaning_the_steps_go_first_unless_a_procedure_leads() -> None:
    """ "What are the steps once a client has been granted Spanish nationality?": the client files
    name the matter more often than the steps; the steps are among the first by meaning."""
    client = _hit("client", 0.42, "Client: Rosa Quispe | matter: nacionalidad | status: granted")
    event = _hit("event", 0.39, "Rosa Quispe: nationality granted, resolución notified.")
    steps = _hit("steps", 0.38, "Procedure — once Spanish nationality is granted: 1) request the jura")
    other = _hit("other", 0.30, "Procedure — cita previa for TIE huellas: 1) sede 2) cita previa")
    best = [client, event, steps, other]
    cosines = {"client": 0.48, "event": 0.41, "steps": 0.66, "other": 0.50}
    fit = StepsFirstModel(ranks=6, places=3, first_ranks=4, first_share=0.5)
    asked = query_words("What are the steps once a client has been granted Spanish nationality?")
    floors = steps_placed(best, cosines, frozenset({"steps", "other"}), asked, fit)
    assert floors == {"steps": pytest.approx(0.42 + 1e-4)}
    # A procedure first already: the nearest steps are only kept among the first three.
    first = _hit("first", 0.45, "Procedure — filing in Mercurio: 1) check the checklist")
    cosines_first = {**cosines, "first": 0.45}
    procedures = frozenset({"steps", "other", "first"})
    floors = steps_placed([first, *best], cosines_first, procedures, asked, fit)
    assert floors == {"steps": pytest.approx(0.39 + 1e-4)}
    # Far by meaning: kept among the first three only.
    far = {**cosines, "steps": 0.45, "client": 0.70, "event": 0.69, "other": 0.68, "x": 0.67}
    low = _hit("steps", 0.20, steps.payload["content"])
    kept = [client, event, other, _hit("x", 0.25, "Karim Benali: vista moved."), low]
    assert steps_placed(kept, far, frozenset({"steps"}), asked, fit) == {"steps": pytest.approx(0.30 + 1e-4)}


def test_steps_that_share_little_of_the_question_are_not_put_first() -> None:
    """ "Could you remind me how I take my coffee?": the asthma plan is near by meaning, shares nothing."""
    coffee = _hit("coffee", 0.40, "Preference — coffee: cortado, oat milk, no sugar")
    plan = _hit("plan", 0.30, "Procedure — asthma flare plan: 1) stop, sit upright 2) Ventolin")
    other = _hit("other", 0.32, "Javi's parents take their coffee at the bar downstairs")
    fit = StepsFirstModel(ranks=6, places=3, first_ranks=4, first_share=0.5)
    asked = query_words("Could you remind me how I take my coffee?")
    cosines = {"coffee": 0.54, "plan": 0.26, "other": 0.20}
    assert steps_placed([coffee, other, plan], cosines, frozenset({"plan"}), asked, fit) == {}
