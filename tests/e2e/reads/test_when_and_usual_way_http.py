"""When-questions and the usual way asked, in a store of a busy person's notes (real app, Qdrant Edge,
MiniLM, BM25): a date with its month shortened ("30 Mar") states a time, and a terse "dentist when?"
asks when. "How do I usually handle a spike in eKYC failures?" puts the steps kept for it first, above
the story of one such day; "ok to put a 1:1 at 8:30?" asks leave."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import contribution, event, procedure, retrieved, semantic, store_holding

NOW = "2027-03-16T09:30:00Z"
SCOPE = {"user_id": "busy-notes"}
REVIEW = "Island Hospital confirmed dad's next cardiology review with Dr Lee on 30 Mar at 10.15am"
DENTIST = "dentist in Tokai moved to 2 Apr at 14:00 for the crown fitting"
TRIAGE = (
    "eKYC failure triage: export the failed checks from the vendor portal, group them by reason code, "
    "sample 20 images, log a ticket per code, share the top three with Chloe for the dashboard"
)
SPIKE = "on 4 Mar Chloe reported the eKYC pass rate at 88.4%, below target; most failures were blurry photos"
NO_EARLY = "no meetings before 9:30, I do the school run"
MEMORIES: list[dict[str, Any]] = [
    semantic("Spanish class at Escuela Lumbre, B1 group, Tuesdays 6:30-8pm, teacher Carmen Delgado"),
    event(REVIEW, "2027-03-12T10:00"),
    event(
        "dad did the blood test at Island Hospital with Siti; results expected the next evening",
        "2027-03-15T18:00",
    ),
    semantic(DENTIST),
    procedure(TRIAGE),
    event(SPIKE, "2027-03-04T12:00"),
    semantic(NO_EARLY),
]
notes = store_holding(MEMORIES, SCOPE)


async def _ranked(client: AsyncTestClient[Any], query: str) -> list[dict[str, Any]]:
    return await retrieved(client, query, SCOPE, NOW, min_confidence=0)


async def test_a_shortened_month_states_a_time_and_a_terse_when_asks(notes: AsyncTestClient[Any]) -> None:
    review = await _ranked(notes, "when is dad's next cardiology appointment?")
    assert contribution(review, REVIEW, "tells_time") > 0
    dentist = await _ranked(notes, "dentist when?")
    assert contribution(dentist, DENTIST, "tells_time") > 0


async def test_the_usual_way_asked_puts_the_kept_steps_first(notes: AsyncTestClient[Any]) -> None:
    memories = await _ranked(
        notes, "How do I usually handle a spike in eKYC failures? Want to hand it to Chloe."
    )
    assert memories[0]["content"] == TRIAGE
    assert contribution(memories, TRIAGE, "steps_first") > 0  # put first by meaning, not lifted as how-to
    assert not any(m["explain"]["components"].get("how_to", {}).get("contribution") for m in memories)


async def test_ok_to_asks_leave(notes: AsyncTestClient[Any]) -> None:
    memories = await _ranked(notes, "ok to put a 1:1 at 8:30?")
    assert contribution(memories, NO_EARLY, "preference") > 0
