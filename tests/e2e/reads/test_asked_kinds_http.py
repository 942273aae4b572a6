"""The kind of value a question asks, read against how people write, on the real app (MiniLM, BM25,
Qdrant Edge, the shipped confidence): a store written all in lower case answers who-questions in
lower case, and its answer keeps its confidence and its context; a near miss that holds a value of
another kind (a yearly round for "the last service date", a price per client for "how many
clients") gets a near-empty default context and reads far less confident than its answered twin."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import write
from tests.e2e.reads.test_asked_detail_http import retrieve

FOREMAN = "steel erector is iron valley steel, foreman is big ray dutko, good guy but dont let him rush you"
SITE = [
    FOREMAN,
    "iron valley started setting steel today, first columns on grid a by lunch",
    "roofing is summit roofing, tpo over the steel deck",
    "gate code for the north gate is 4471, open it for the drivers yourself",
]
FIRE = [
    "Record: fire extinguishers serviced annually by Craven Fire Protection.",
    "Record: fire drill every six months; fire warden Tom Hirst.",
    "Record: out-of-hours cover by Vets Now Keighley. Renewal at £2.10 per client registered a year.",
]
SERVICED = "Record: Craven Fire Protection last serviced the extinguishers on 14 April 2026."


@pytest.mark.slow
async def test_a_who_question_in_a_lower_case_store_keeps_its_answer(client: AsyncTestClient[Any]) -> None:
    scope = {"user_id": "lower-case-site"}
    await write(client, [{"type": "semantic", "content": c, "scope": scope} for c in SITE])
    found = await retrieve(client, scope, "who's the foreman for iron valley")
    assert found["memories"][0]["content"] == FOREMAN
    assert found["metadata"]["top_confidence"] >= 0.2
    assert len(found["memories"]) > 1  # not cut to the best as a question whose detail is not stored


@pytest.mark.slow
async def test_a_value_of_another_kind_is_a_near_miss(client: AsyncTestClient[Any]) -> None:
    scope = {"user_id": "practice-records"}
    await write(client, [{"type": "semantic", "content": c, "scope": scope} for c in FIRE])
    near_date = await retrieve(client, scope, "Craven Fire Protection's last service date")
    near_count = await retrieve(client, scope, "How many clients are registered with Vets Now cover?")
    for near_miss in (near_date, near_count):
        assert len(near_miss["memories"]) == 1 and near_miss["metadata"]["top_confidence"] < 0.05

    twin_scope = {"user_id": "practice-records-dated"}
    await write(client, [{"type": "semantic", "content": c, "scope": twin_scope} for c in [*FIRE, SERVICED]])
    twin = await retrieve(client, twin_scope, "Craven Fire Protection's last service date")
    assert twin["memories"][0]["content"] == SERVICED
    assert twin["metadata"]["top_confidence"] > 5 * near_date["metadata"]["top_confidence"]


AGNES = [
    "Agnes is moving to her daughter's in Ayr for good on the 28th. Meera's doing Mungo's food from 1/3, "
    "Agnes gave her the key",
    "Agnes Docherty, downstairs, does Mungo's food when we're away and has our spare key",
]
FERNWAY = "Plants come from Fernway Nursery (wholesale, Boring OR). Contact Mei Tanaka for orders."


@pytest.mark.slow
async def test_a_name_is_read_where_it_is_asked_of_and_a_who_questions_verb_is_not_asked(
    client: AsyncTestClient[Any],
) -> None:
    scope = {"user_id": "neighbours"}
    await write(client, [{"type": "semantic", "content": c, "scope": scope} for c in [*AGNES, FERNWAY]])
    near_miss = await retrieve(client, scope, "agnes's daughter's name")
    assert len(near_miss["memories"]) == 1 and near_miss["metadata"]["top_confidence"] < 0.05
    contact = await retrieve(client, scope, "who do we deal with at Fernway")
    assert contact["memories"][0]["content"] == FERNWAY
    assert contact["metadata"]["top_confidence"] >= 0.2
