"""A compound the store writes with a hyphen, asked closed as people type it (real app, Qdrant Edge,
MiniLM, BM25): "whens haulout" of a fisherman's "spring haul-out", "office wifi pwd" of "the wi-fi
password". The question is as confident of the memory as when asked with the hyphen, so the default
context keeps it."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, event, semantic

WES = Asker({"user_id": "wes"}, "2027-01-20T07:00:00-09:00", {"timezone": "America/Anchorage"})
HAUL_OUT = (
    "Wes's spring haul-out of the Tern is booked at Harbor Point Marine in Seward for 3/8 "
    "on the 88-ton Travelift."
)
WIFI = "The office wi-fi is BrightNet-5G; the password is on the fridge: kelp2027!"
STORE = [
    semantic(HAUL_OUT),
    semantic(WIFI),
    semantic("The Tern winters in Cordova harbor, slip C-14."),
    semantic("Wes's snowmachine is a 2019 Ski-Doo Summit X 850 with a 154\" track."),
    semantic("Wes buys firewood from Hank Dalton in Houston: $300 a cord, split and delivered."),
    event(
        "Wes paid Harbor Point Marine the $2,500 deposit to hold the spring haul-out.",
        "2026-11-28T12:00-09:00",
    ),
    event("Mason's North Stars lost 4-2 on Sunday; Mason had an assist.", "2027-01-17T15:00-09:00"),
]
STORES = {"wes": (WES, STORE)}


@pytest.mark.parametrize(
    ("asked", "closed", "hyphenated", "memory"),
    [
        ("wes", "whens haulout", "whens haul-out", HAUL_OUT),
        ("wes", "office wifi password", "office wi-fi password", WIFI),
    ],
    ids=["haulout-is-haul-out", "wifi-is-wi-fi"],
    indirect=["asked"],
)
async def test_a_closed_compound_finds_the_hyphenated_one_as_confidently(
    asked: tuple[Asker, AsyncTestClient[Any]], closed: str, hyphenated: str, memory: str
) -> None:
    asker, client = asked
    confidence = {}
    for query in (closed, hyphenated):
        found = await asker.retrieved(client, query, min_confidence=0)
        assert found[0]["content"] == memory
        confidence[query] = found[0]["confidence"]
    assert confidence[closed] >= 0.8 * confidence[hyphenated]
    assert memory in await asker.contents(client, closed)
