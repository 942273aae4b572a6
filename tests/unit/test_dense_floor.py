"""A memory near the top by meaning that shares no asked word with the question, kept near the top
(mnemo.retrieval.stages.dense_floor)."""

from __future__ import annotations

import pytest

from mnemo.memtypes.queries import ScoredPoint
from mnemo.memtypes.types import MemoryType
from mnemo.retrieval.ranking.model import DEFAULT_MODEL
from mnemo.retrieval.stages.dense_floor import dense_floors, informative_words
from mnemo.retrieval.stages.post import raise_to

QUERY = "Lorna's collecting dietary requirements for the lab Christmas lunch, what do I tell her?"
ASKED = informative_words(QUERY, DEFAULT_MODEL.dense_floor)


def _hit(point_id: str, score: float, content: str) -> ScoredPoint:
    return ScoredPoint(point_id, score, {"content": content})


BEST = [
    _hit("pay", 0.80, "Pay Lorna £15 for the lab Christmas lunch."),
    _hit("lorna", 0.62, "Lorna Baxter is the group administrator."),
    _hit("registered", 0.55, "Registered for the workshop; Lorna paid the fee."),
    _hit("party", 0.50, "The lab Christmas party is at Fishers."),
    _hit("lactose", 0.31, "Marco is lactose intolerant: he asks for lactose-free."),
    _hit("weather", 0.30, "It rained all week in Leith."),
]
# By meaning: the reminder, the lactose intolerance, the weather, the party, ...
COSINES = {"pay": 0.70, "lactose": 0.61, "weather": 0.58, "party": 0.52, "lorna": 0.40, "registered": 0.35}


def test_the_commonest_words_ask_nothing() -> None:
    assert {"dietary", "requirement", "lorna", "christma", "lunch"} <= ASKED
    assert not {"the", "for", "do", "her"} & ASKED


def test_a_question_of_few_words_or_about_things_to_do_asks_none() -> None:
    fit = DEFAULT_MODEL.dense_floor
    assert informative_words("what's my address?", fit) == frozenset()  # fewer than `min_asked`
    assert informative_words("anything due in January for the thesis committee?", fit) == frozenset()
    assert informative_words("when did Gerry start going to the physio?", fit) >= {"gerry", "physio"}


def test_a_memory_in_other_words_is_kept_places_below_its_place_by_meaning() -> None:
    floors = dense_floors(BEST, COSINES, ASKED, ranks=2, places=2)
    # Second by meaning, no asked word: raised to just above the fourth by score (place 1 + 2).
    assert floors == {"lactose": pytest.approx(0.50 + 1e-4)}


def test_a_memory_kept_down_on_purpose_is_not_raised() -> None:
    # A reminder nobody closed keeps half its relevance for a question not about tasks.
    floors = dense_floors(BEST, COSINES, ASKED, ranks=2, places=2, kept_down=frozenset({"lactose"}))
    assert "lactose" not in floors


def test_only_the_first_ranks_by_meaning_are_raised() -> None:
    # "weather" is third by meaning and shares no word: raised only when three ranks count.
    assert dense_floors(BEST, COSINES, ASKED, ranks=3, places=2)["weather"] == pytest.approx(0.31 + 1e-4)
    assert "weather" not in dense_floors(BEST, COSINES, ASKED, ranks=2, places=2)


def test_a_memory_that_shares_an_asked_word_or_is_already_high_enough_is_left() -> None:
    floors = dense_floors(BEST, COSINES, ASKED, ranks=6, places=0)
    assert "party" not in floors and "pay" not in floors  # they share "lunch", "christmas"
    assert dense_floors(BEST, COSINES, frozenset(), ranks=6, places=0) == {}


def test_raised_hits_are_reordered_in_their_type() -> None:
    hits = {
        MemoryType.SEMANTIC: [BEST[1], BEST[3], BEST[4]],
        MemoryType.EPISODIC: [BEST[2]],
    }
    lifts = raise_to(hits, {"lactose": 0.60})
    assert lifts == {"lactose": pytest.approx(0.29)}
    assert [h.id for h in hits[MemoryType.SEMANTIC]] == ["lorna", "lactose", "party"]
    assert hits[MemoryType.EPISODIC] == [BEST[2]]
