"""A hit holding the value asked put first (real app, Qdrant Edge, MiniLM, BM25;
retrieval/stages/asked_value_first.py): "what's the number for the crèche" shares "crèche" with a note
of the child's new room there as with the crèche's own record, and the note ranks first by relevance;
the record holds the phone number asked, with the name of what is asked, and goes above it. A
question that asks no value by its form is left as ranked. A sum after a currency's code ("KSh
112,000") is an amount too, and goes above a later note of the fees paid that holds none.

The clock is Friday 29 January 2027, 16:00 UTC.
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, store_holding, vary_ranking

NOW = "2027-01-29T16:00:00Z"
AOIFE = Asker({"user_id": "aoife"}, NOW, {"min_confidence": 0})
ROOM = "Fiadh moved up to the wobbler room at crèche, her new key worker is Aoife"
CRECHE = "Fiadh's crèche is Little Acorns on the Drumcondra Road, the manager is Yvonne, 01 837 5512"
MEMORIES: list[dict[str, Any]] = [
    {"type": "episodic", "content": ROOM},
    {"type": "semantic", "content": CRECHE},
    {"type": "semantic", "content": "The Bonneville's parts come from Classic Bike Spares in Coventry."},
    {"type": "episodic", "content": "Flew the Dublin to Lanzarote rotation, two sectors, home by nine."},
]

aoife = store_holding(MEMORIES, AOIFE.scope)
ASKED = "what's the number for the crèche"


async def test_without_the_stage_the_note_without_the_number_is_first(
    aoife: AsyncTestClient[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    vary_ranking(aoife, monkeypatch, {"stages_off": ["asked_value_first"]})
    assert (await AOIFE.ranked(aoife, ASKED))[:2] == [ROOM, CRECHE]


async def test_the_record_holding_the_number_goes_first(aoife: AsyncTestClient[Any]) -> None:
    memories = await AOIFE.retrieved(aoife, ASKED, types=["semantic", "episodic"])
    assert [m["content"] for m in memories[:2]] == [CRECHE, ROOM]
    assert memories[0]["explain"]["components"]["asked_value_first"]["contribution"] > 0


async def test_a_question_asking_no_value_by_its_form_is_left_as_ranked(aoife: AsyncTestClient[Any]) -> None:
    asked = "who is Fiadh's key worker at crèche?"
    memories = await AOIFE.retrieved(aoife, asked, types=["semantic", "episodic"])
    assert all("asked_value_first" not in m["explain"]["components"] for m in memories)


ACHIENG = Asker({"user_id": "achieng"}, "2027-02-17T08:15:00+03:00", {"min_confidence": 0})
PAID = "Achieng paid the Term 1 school fees for Daniel and Amani by M-Pesa paybill."
INVOICE = "St Bakhita's Term 1 invoice came in at KSh 112,000 for both children; the school put fees up."
FEES: list[dict[str, Any]] = [
    {"type": "episodic", "content": INVOICE, "occurred_at": "2027-01-06T18:00:00+03:00"},
    {"type": "episodic", "content": PAID, "occurred_at": "2027-01-08T12:00:00+03:00"},
    {"type": "semantic", "content": "Daniel and Amani go to St Bakhita's in Kilimani."},
]
achieng = store_holding(FEES, ACHIENG.scope)


async def test_a_sum_after_its_currency_code_is_the_amount_asked(
    achieng: AsyncTestClient[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = "how much are school fees per term now"
    memories = await ACHIENG.retrieved(achieng, asked, types=["episodic"])
    assert [m["content"] for m in memories[:2]] == [INVOICE, PAID]
    vary_ranking(achieng, monkeypatch, {"stages_off": ["asked_value_first"]})
    assert (await ACHIENG.contents(achieng, asked, types=["episodic"]))[:2] == [PAID, INVOICE]
