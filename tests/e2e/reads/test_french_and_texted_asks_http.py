"""A bilingual asker's French and a texter's "wat" read as the English they stand for (real app, Qdrant
Edge, MiniLM, BM25): a curator in Montréal asks her store in Franglais ("qu'est-ce qui s'en vient en
janvier", "c'est quoi le plan ce weekend", "c'est quand le vernissage?") on Wednesday 9 December 2026,
08:15 in Toronto's zone; a fisherman in Anchorage texts "wats on today" on Wednesday 20 January 2027,
07:00 in Anchorage's. Each question lists the memories it asks for first."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, event, reminder, semantic

CAMILLE = Asker(
    {"user_id": "camille"}, "2026-12-09T08:15:00-05:00", {"min_confidence": 0, "timezone": "America/Toronto"}
)
TRANSFER = "Transfer January frais to the syndicat, first month at the new rate"
CHECKUP = "Léa's checkup with Dr. Haddad"
MAMAN = "Maman arrives from Sherbrooke Saturday around 10h for the weekend"
GIFT_CARDS = "Buy gift cards at the librairie on Masson for Maude and Nadia at the CPE"
PARTY = "Museum staff party de Noël, 17h in the atrium"
VERNISSAGE = "User said le vernissage is set for Thursday 11/02/2027 at 18h00, public opening the next day."
CAMILLES_STORE = [
    reminder(TRANSFER, "2027-01-01T09:00-05:00"),
    reminder(CHECKUP, "2027-01-26T10:00-05:00"),
    reminder(MAMAN, "2026-12-12T10:00-05:00"),
    reminder(GIFT_CARDS, "2026-12-13T11:00-05:00"),
    reminder(PARTY, "2026-12-11T17:00-05:00"),
    reminder("Syndicat meeting to pick the gutter contractor", "2026-12-17T19:00-05:00"),
    semantic("The winter exhibition has about 60 works in galleries 3–5 of the Pavillon Desmarais."),
    semantic("Léa goes to CPE Les Petits Pommiers on rue Saint-Zotique; her éducatrice is Maude."),
    semantic(VERNISSAGE),
    event(
        "Weekend in Sherbrooke at Francine's; maman took Léa to the Marché de la Gare.",
        "2026-10-03T11:00-04:00",
    ),
]

WES = Asker(
    {"user_id": "wes"}, "2027-01-20T07:00:00-09:00", {"min_confidence": 0, "timezone": "America/Anchorage"}
)
PICK_UP = "Pick up Mason and Lily at 5:30p for Wednesday dinner"
CALL_MARLA = "Call Marla about adding the hydraulic pump to the Tern's work order"
WES_STORE = [
    reminder(PICK_UP, "2027-01-20T17:30-09:00"),
    reminder(CALL_MARLA, "2027-01-20T10:00-09:00"),
    reminder("MMC expires today: make sure the new one came", "2027-04-18T09:00-08:00"),
    reminder("Mason's hockey game at Dempsey, 6p", "2027-01-22T18:00-09:00"),
    semantic("Wes wants reminders by text the evening before, not the morning of. [preferences]"),
    event("Mason's North Stars lost 4-2 on Sunday; Mason had an assist. [kids]", "2027-01-17T15:00-09:00"),
]

STORES = {"camille": (CAMILLE, CAMILLES_STORE), "wes": (WES, WES_STORE)}


@pytest.mark.parametrize(
    ("asked", "query", "expected"),
    [
        ("camille", "qu'est-ce qui s'en vient en janvier", {TRANSFER, CHECKUP}),
        ("camille", "c'est quoi le plan ce weekend", {MAMAN, GIFT_CARDS}),
        ("camille", "c'est quand le vernissage?", {VERNISSAGE}),
        ("wes", "wats on today", {PICK_UP, CALL_MARLA}),
    ],
    ids=["en-janvier-is-january", "ce-weekend-is-this-weekend", "c-est-quand-asks-when", "wats-is-whats"],
    indirect=["asked"],
)
async def test_a_question_lists_what_it_asks_for_first(
    asked: tuple[Asker, AsyncTestClient[Any]], query: str, expected: set[str]
) -> None:
    asker, client = asked
    assert await asker.top(client, query, len(expected)) == expected
