"""For a question that asks for a value told by its form, a hit holding it put above a first hit that
does not (mnemo.retrieval.stages.asked_value_first)."""

from __future__ import annotations

import pytest

from mnemo.memtypes.queries import ScoredPoint
from mnemo.retrieval.ranking.model import DEFAULT_MODEL, AskedValueFirstModel
from mnemo.retrieval.stages.asked_value_first import asks_formed_value, value_holder_first

FEATURES = DEFAULT_MODEL.confidence_features
FIT = AskedValueFirstModel()


def _hit(point_id: str, score: float, content: str) -> ScoredPoint:
    return ScoredPoint(point_id, score, {"content": content})


MOVED_UP = _hit("moved", 0.42, "Fiadh moved up to the wobbler room at crèche, her new key worker is Aoife")
PLUMBER = _hit("plumber", 0.40, "The plumber fixed the leak under the sink on Tuesday.")
CRECHE_RECORD = "Fiadh's crèche is Little Acorns on the Drumcondra Road, the manager is Yvonne, 01 837 5512"
CRECHE = _hit("creche", 0.39, CRECHE_RECORD)
ASKED = "what's the number for the crèche"


@pytest.mark.parametrize(
    "query",
    [
        ASKED,
        "frau lindners email pls",
        "shockwave lease how much",
        "what's my customer number with classic bike spares",
    ],
)
def test_a_question_asking_a_value_by_its_form(query: str) -> None:
    assert asks_formed_value(query, FEATURES)


@pytest.mark.parametrize(
    "query",
    [
        "who does my taxes",  # a person: any capitalized word holds one
        "how many nights are Pat and Geoff staying",  # a count: any number holds one
        "when did we get the kita gutschein",  # a date: every event holds its own
        "how do I renew the passport?",
        "what time does the hull ferry get in",  # a plan holds the times of its other steps
    ],
)
def test_a_question_asking_no_value_by_its_form(query: str) -> None:
    assert not asks_formed_value(query, FEATURES)


def test_the_hit_holding_the_value_is_put_just_above_the_first() -> None:
    best = [(MOVED_UP, False), (PLUMBER, False), (CRECHE, False)]
    assert value_holder_first(ASKED, best, FIT, FEATURES) == {"creche": pytest.approx(0.42 + 1e-4)}


def test_a_first_hit_holding_the_value_stays_first() -> None:
    best = [(CRECHE, False), (MOVED_UP, False)]
    assert value_holder_first(ASKED, best, FIT, FEATURES) == {}


def test_a_holder_past_the_reach_stays_where_it_is() -> None:
    best = [(MOVED_UP, False), (PLUMBER, False), (CRECHE, False)]
    assert value_holder_first(ASKED, best, AskedValueFirstModel(reach=1), FEATURES) == {}


def test_a_number_of_another_thing_is_not_the_value_asked() -> None:
    invoice = _hit("invoice", 0.39, "Paid the electrician's invoice, 01 837 4420 is his mobile")
    best = [(MOVED_UP, False), (invoice, False)]
    assert value_holder_first(ASKED, best, FIT, FEATURES) == {}


def test_a_conversation_turn_first_is_not_read() -> None:
    turn = _hit("turn", 0.42, "user: Fiadh loves the wobbler room at crèche")
    best = [(turn, True), (CRECHE, False)]  # a turn is an event, dated by its own time
    assert value_holder_first(ASKED, best, FIT, FEATURES) == {}


def test_a_first_hit_holding_a_value_of_the_kind_stays_first() -> None:
    renewed = _hit("renewed", 0.45, "St. Brigid renewed for 2026–27 at $15,600 a year, two gutters added")
    client = _hit("client", 0.44, "Client: St. Brigid School, grounds maintenance, contract $14,200 a year")
    best = [(renewed, False), (client, False)]
    assert value_holder_first("what is St. Brigid's contract worth", best, FIT, FEATURES) == {}


def test_a_first_hit_telling_the_number_by_its_noun_stays_first() -> None:
    moved = _hit("moved", 0.45, "PGR office shut too, im on hot desks in 2.05 now. locker 41")
    desk = _hit("desk", 0.44, "my desk: PGR office 3.17 by the window, locker 22")
    best = [(moved, True), (desk, False)]
    assert value_holder_first("what's my locker number", best, FIT, FEATURES) == {}
