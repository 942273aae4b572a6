"""The asked detail read as hasty notes write and questions are typed, on the real app (MiniLM, BM25,
Qdrant Edge, the shipped confidence): a number asked by its noun is not a code told of something
else, and its twin that tells it keeps its confidence and its context; a which-question is not
answered by a memory that tells the thing only as one of its kind; a courtesy asks nothing."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import write
from tests.e2e.reads.test_asked_detail_http import retrieve

CAR = [
    "car: tata nexon ev, white, MH12 XY 4471. bought jul '25. fastag on it.",
    "renewed nexon insurance: tata aig, ₹21,800, zero dep + ev battery cover. done.",
    "nexon 1st service @ tata motors baner, 7.5k km, ₹2,900. tyre rotation done.",
]
POLICY = "nexon insurance policy no. TAIG-3001-88214, renews 14 aug."


@pytest.mark.slow
async def test_a_number_asked_by_its_noun_is_not_a_code_told_of_something_else(
    client: AsyncTestClient[Any],
) -> None:
    scope = {"user_id": "founder-car"}
    await write(client, [{"type": "semantic", "content": c, "scope": scope} for c in CAR])
    near_miss = await retrieve(client, scope, "nexon insurance policy number pls")
    assert len(near_miss["memories"]) == 1 and near_miss["metadata"]["top_confidence"] < 0.01

    twin_scope = {"user_id": "founder-car-policy"}
    await write(client, [{"type": "semantic", "content": c, "scope": twin_scope} for c in [*CAR, POLICY]])
    twin = await retrieve(client, twin_scope, "nexon insurance policy number pls")
    assert twin["memories"][0]["content"] == POLICY
    assert twin["metadata"]["top_confidence"] >= 0.2 and len(twin["memories"]) > 1


DINNER = "Casa Jabuticaba hosted a private dinner for 38 people from a law firm: R$ 14.000 in total."
NAMED = "The private dinner for 38 was booked by Pinheiro Neto Advogados, a law firm: R$ 14.000 in total."
OTHERS = [
    "Dinner service at Casa Jabuticaba starts at 19:00 and the kitchen takes last orders at 23:00.",
    "Saturday dinner had a record 112 covers across two turns, and the varanda was full all night.",
]


@pytest.mark.slow
async def test_a_which_question_is_not_answered_by_one_of_its_kind(client: AsyncTestClient[Any]) -> None:
    scope = {"user_id": "chef-dinner"}
    await write(client, [{"type": "semantic", "content": c, "scope": scope} for c in [DINNER, *OTHERS]])
    near_miss = await retrieve(client, scope, "Which law firm booked that private dinner for 38?")
    twin_scope = {"user_id": "chef-dinner-named"}
    await write(client, [{"type": "semantic", "content": c, "scope": twin_scope} for c in [NAMED, *OTHERS]])
    twin = await retrieve(client, twin_scope, "Which law firm booked that private dinner for 38?")
    assert twin["memories"][0]["content"] == NAMED
    assert near_miss["metadata"]["top_confidence"] < 0.05
    assert twin["metadata"]["top_confidence"] > 5 * near_miss["metadata"]["top_confidence"]


TAMMY = [
    "I pick the kids up at Tammy's new place at 1207 Ridge Road in Minooka from now on.",
    "My ex Tammy and I split the holidays, the kids are with her at Christmas this year.",
    "Every month I send Carol my fuel receipts in one email, carol@heritagetax.com.",
]
IFTA = [
    "I filed the third quarter IFTA tonight, owed a hundred eighty-eight.",
    "I filed IFTA for the second quarter today, owed two hundred twelve dollars.",
]


@pytest.mark.slow
async def test_a_spoken_question_asks_of_an_owner_and_of_one_by_its_ordinal(
    client: AsyncTestClient[Any],
) -> None:
    """ "whats tammys email" (no apostrophe) asks Tammy's, which another's address does not hold; "the
    first quarter" is not told by the second's or the third's sum. Both get only the best memory."""
    scope = {"user_id": "trucker-notes"}
    await write(client, [{"type": "semantic", "content": c, "scope": scope} for c in [*TAMMY, *IFTA]])
    for question in ("whats tammys email", "how much did i owe on ifta for the first quarter"):
        near_miss = await retrieve(client, scope, question)
        assert len(near_miss["memories"]) == 1 and near_miss["metadata"]["top_confidence"] < 0.01
    answered = await retrieve(client, scope, "how much did i owe on ifta for the third quarter")
    assert answered["memories"][0]["content"] == IFTA[0] and len(answered["memories"]) > 1
