"""The confidence's word features (retrieval/ranking/asked/evidence.py): how much of the query's information
a hit contains, weighted by how informative each word is in the language (not in the store), and
whether it names what the query names; and the features of a ranked list (ranking/confidence.py)."""

from __future__ import annotations

import pytest

from mnemo.retrieval.ranking.asked.evidence import (
    HEAD,
    WORD_FEATURES,
    information,
    query_names,
    query_words,
    stem,
    word_features,
)
from mnemo.retrieval.ranking.confidence import FEATURES, Calibration, RankedHit, hit_features
from mnemo.retrieval.ranking.model import DEFAULT_MODEL

THRESHOLDS = DEFAULT_MODEL.confidence_features  # what the service reads features with


def test_names_are_the_capitalized_words_but_the_first_and_the_first_person() -> None:
    assert query_names("How long have I been living in my apartment in Shinjuku?") == {"shinjuku"}
    assert query_names("Who became a parent first, Tom or Alex?") == {"tom", "alex"}
    assert query_names("What did I bake for my uncle's birthday?") == frozenset()
    assert query_names("When did I finish my Master's degree? I'm proud") == {"master"}
    assert query_names("Caroline went where?") == frozenset()  # the first word is any sentence's


def test_a_words_information_comes_from_the_language_not_from_the_store() -> None:
    assert information("the") == 0.0  # the commonest words say nothing
    assert information("how") < 1.0
    assert information("parser") > information("tests") > information("run")
    assert information("ptest") == 7.0  # a word the language does not know says the most
    assert stem("Tests") == stem("test") and stem("Frank's") == "frank" and stem("called") == "call"


def test_overlap_is_the_share_of_the_querys_information_a_hit_contains() -> None:
    words = query_words("how do I run the parser tests?")
    answer = word_features(
        words, "Run the parser tests with make ptest, never with plain pytest.", THRESHOLDS
    )
    assert answer["overlap"] > 0.8  # all but the little "how" and "do" weigh
    unrelated = word_features(words, "Paris is the capital of France.", THRESHOLDS)
    assert unrelated["overlap"] == pytest.approx(0.0, abs=0.05)  # "the" alone weighs nothing
    partial = word_features(words, "The tests run nightly.", THRESHOLDS)
    assert 0.1 < partial["overlap"] < answer["overlap"]
    assert answer["matched"] > partial["matched"]
    assert set(answer) == set(WORD_FEATURES)


def test_a_query_naming_someone_asks_whether_the_hit_names_them() -> None:
    words = query_words("What is the name of Frank's cat?")
    assert word_features(words, "Frank's cat is called Mochi.", THRESHOLDS)["names_found"] == 1.0
    assert word_features(words, "Dana's cat is called Mochi.", THRESHOLDS)["names_found"] == 0.0
    assert word_features(query_words("what is my cat called?"), "anything", THRESHOLDS)["names_found"] == 1.0
    empty = word_features(
        query_words("What is it?"), "anything at all", THRESHOLDS
    )  # nothing informative asked
    assert empty["overlap"] == 0.0 and empty["matched"] == 0.0


def test_a_ranked_lists_features_judge_the_head_by_its_own_signals_and_the_rest_by_the_weakest() -> None:
    query = "how do I run the parser tests?"
    hits = [RankedHit(0.9 - i / 1000, f"note {i} about the parser", 0.5 - i / 1000) for i in range(HEAD + 3)]
    hits[1] = RankedHit(hits[1].score, "run the parser tests", None)  # its vector was not read
    features = hit_features(query, hits, THRESHOLDS)
    assert set(features[0]) == set(FEATURES)
    assert features[0]["below_top"] == 0.0 and features[0]["log_rank"] == 0.0
    assert features[1]["cosine"] == min(h.cosine for h in hits[:HEAD] if h.cosine is not None)
    assert features[1]["overlap"] > features[0]["overlap"]
    past = features[HEAD + 1]
    assert past["cosine"] == features[1]["cosine"]
    assert past["overlap"] == min(f["overlap"] for f in features[:HEAD])
    assert past["below_top"] == pytest.approx(hits[0].score - hits[HEAD + 1].score)
    assert hit_features(query, [], THRESHOLDS) == []


def test_the_model_is_the_logistic_of_each_hits_features() -> None:
    model = Calibration({"cosine": 8.0, "overlap": 3.0, "log_rank": -0.5}, -5.0, floor=0.01, ceiling=0.99)
    hits = [RankedHit(0.8, "run the parser tests", 0.7), RankedHit(0.3, "the capital of France", 0.1)]
    confident, unrelated = model.confidences("how do I run the parser tests?", hits, THRESHOLDS)
    assert confident > 0.9 and unrelated < 0.05
    features = hit_features("how do I run the parser tests?", hits, THRESHOLDS)
    assert [confident, unrelated] == [model.probability(f) for f in features]
