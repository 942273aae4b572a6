"""The days a question names are the asker's: those of the request's `timezone`, else of the UTC
offset its `now` is given in (real app, Qdrant Edge, MiniLM, BM25). Asked on Thursday 19 November
2026 at 18:30 in Austin (UTC-6), which is already Friday 00:30 in UTC, "what's due tomorrow?" is
about Friday in Austin.
"""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import retrieved, store_holding

IN_AUSTIN = "2026-11-19T18:30:00-06:00"
IN_UTC = "2026-11-20T00:30:00Z"  # the same instant
JUDY = {"user_id": "judy"}
FRIDAY = "Drop the signed lease renewal for unit 4C at the property office."  # Friday 10:00 in Austin
SATURDAY = "Walk the duplex yard with the new lawn service before they start."  # Saturday 09:00 in Austin
MEMORIES: list[dict[str, Any]] = [
    {"type": "prospective", "content": FRIDAY, "due_at": "2026-11-20T16:00:00Z"},
    {"type": "prospective", "content": SATURDAY, "due_at": "2026-11-21T15:00:00Z"},
    {
        "type": "semantic",
        "content": "Unit 4C is leased to the Okafor family; their lease renews every November.",
    },
    {"type": "semantic", "content": "The duplex lawn is mowed every other Thursday by Green Acres."},
]

judy = store_holding(MEMORIES, JUDY)


async def first(client: AsyncTestClient[Any], query: str, now: str) -> str:
    memories = await retrieved(client, query, JUDY, now, min_confidence=0)
    return str(memories[0]["content"])


async def test_tomorrow_is_the_askers_next_day(judy: AsyncTestClient[Any]) -> None:
    assert await first(judy, "what's due tomorrow?", IN_AUSTIN) == FRIDAY
    assert await first(judy, "what's due tomorrow?", IN_UTC) == SATURDAY  # a clock in UTC reads UTC days


async def test_a_named_zone_reads_the_askers_days_of_a_utc_clock(judy: AsyncTestClient[Any]) -> None:
    for zone in ("America/Chicago", "-06:00"):
        memories = await retrieved(
            judy, "what's due tomorrow?", JUDY, IN_UTC, min_confidence=0, timezone=zone
        )
        assert memories[0]["content"] == FRIDAY, zone


async def test_a_zone_without_now_reads_the_servers_clock_in_it(judy: AsyncTestClient[Any]) -> None:
    """A client that knows its zone but not a trustworthy clock sends the zone alone."""
    body = {"query": "what's due tomorrow?", "scope": JUDY, "timezone": "Pacific/Kiritimati"}
    response = await judy.post("/v1/retrieve", json=body)
    assert response.status_code == 200, response.text
