"""A memory's compound written with a hyphen is held closed too (retrieval/ranking/asked/evidence.py):
"haulout" asks of "haul-out", "wifi" of "wi-fi"; a code with digits is not a compound."""

from __future__ import annotations

from mnemo.retrieval.ranking.asked.evidence import memory_words, overlap, query_words

HAUL_OUT = "Wes's spring haul-out of the Tern is booked at Harbor Point Marine for 3/8."


def test_a_hyphenated_compound_is_held_in_both_forms() -> None:
    found = memory_words("The office wi-fi and the pre-trip check; haul-out booked.")
    assert {"wi-fi", "wifi", "pre-trip", "pretrip", "haul-out", "haulout"} <= found


def test_a_code_with_digits_is_not_joined() -> None:
    found = memory_words("Invoice INV-2027-002 and the 88-ton Travelift")
    assert "inv-2027-002" in found
    assert "inv2027002" not in found and "88ton" not in found


def test_a_closed_compound_overlaps_the_hyphenated_one() -> None:
    closed = overlap(query_words("whens haulout"), HAUL_OUT)
    assert closed > 0.5
    assert closed == overlap(query_words("whens haul-out"), HAUL_OUT)
