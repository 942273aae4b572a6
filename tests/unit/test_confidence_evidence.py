"""The confidence's text features (retrieval/ranking/evidence.py): how much of the query the best
hits contain, and whether the query's names occur among them; and the model over them."""

from __future__ import annotations

import random

import pytest

from mnemo.backends.embedding.sparse import Bm25Encoder
from mnemo.retrieval.ranking.confidence import FEATURES, Calibration, hit_features
from mnemo.retrieval.ranking.evidence import TEXT_FEATURES, query_names, terms_of, text_features

TERMS = terms_of(Bm25Encoder())


def test_names_are_the_capitalized_words_but_the_first_and_the_first_person() -> None:
    assert query_names("How long have I been living in my apartment in Shinjuku?") == {"shinjuku"}
    assert query_names("Who became a parent first, Tom or Alex?") == {"tom", "alex"}
    assert query_names("What did I bake for my uncle's birthday?") == frozenset()
    assert query_names("When did I finish my Master's degree? I'm proud") == {"master"}
    assert query_names("Caroline went where?") == frozenset()  # the first word is any sentence's


def test_coverage_counts_the_querys_stemmed_terms_each_hit_contains() -> None:
    query = "How long have I been living in my current apartment in Shinjuku?"
    head = [
        "user: I moved into a new apartment in Harajuku, I have been living here a year",
        "user: my favourite ramen shop",
    ]
    first, second = text_features(query, head, TERMS)
    asked = TERMS([query])[0]
    assert len(asked) == 5  # long, live, current, apartment, shinjuku (stop words out)
    assert first["coverage"] == pytest.approx(2 / 5)  # "living" is "live", stemmed; and "apartment"
    assert second["coverage"] == 0.0
    assert first["top_coverage"] == second["top_coverage"] == first["coverage"]
    assert first["terms_found"] == pytest.approx(2 / 5)
    assert first["names_found"] == 0.0  # Shinjuku occurs nowhere: the history does not answer


def test_a_name_found_in_any_head_hit_counts_and_a_query_without_terms_cannot_tell() -> None:
    query = "Which bakery does Alice like?"
    (one, two) = text_features(query, ["Bob likes bread", "alice: the corner bakery is my favourite"], TERMS)
    assert one["names_found"] == two["names_found"] == 1.0
    assert two["coverage"] > one["coverage"]
    (only,) = text_features("What is it?", ["anything at all"], TERMS)  # stop words only
    assert only == dict.fromkeys(TEXT_FEATURES, 1.0)
    assert text_features(query, [], TERMS) == []


def test_hits_past_the_head_keep_the_requests_features_and_no_coverage_of_their_own() -> None:
    scores = [0.9, 0.8, 0.7]
    text = [dict(zip(TEXT_FEATURES, (0.5, 0.5, 0.75, 1.0), strict=True))] * 2
    features = hit_features(scores, text)
    assert set(features[0]) == set(FEATURES)
    assert features[2]["coverage"] == 0.0 and features[2]["terms_found"] == 0.75
    assert hit_features(scores, None)[0]["names_found"] == 1.0  # no text: every word counted found


def test_the_fast_path_equals_the_model_over_each_memorys_features_with_text() -> None:
    rng = random.Random(5)
    scores = sorted((rng.random() for _ in range(30)), reverse=True)
    text = [
        {"coverage": rng.random(), "top_coverage": 0.8, "terms_found": 0.9, "names_found": 0.5}
        for _ in range(10)
    ]
    model = Calibration(
        {
            "score": 2.0,
            "log_rank": -1.0,
            "coverage": 1.5,
            "terms_found": 0.7,
            "names_found": 1.2,
            "top_coverage": -0.3,
        },
        -1.5,
    )
    expected = [model.probability(f) for f in hit_features(scores, text)]
    assert model.confidences(scores, text) == expected
    assert model.confidences(scores[:4], text[:4]) == expected[:4]
    # With a positive coefficient, a hit that contains more of the query is the more confident one.
    low, high = model.confidences([0.5, 0.5], [{**text[0], "coverage": 0.0}, {**text[0], "coverage": 1.0}])
    assert high > low


def test_a_model_without_text_features_does_not_need_the_words() -> None:
    assert not Calibration({"score": 1.0, "spread": 2.0}, 0.0).reads_text
    assert Calibration({"score": 1.0, "coverage": 2.0}, 0.0).reads_text
