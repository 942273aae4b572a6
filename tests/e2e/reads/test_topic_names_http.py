"""A question about tasks that asks by a topic its reminders never say ("anything i need to do for
the bike?"; real app, Qdrant Edge, MiniLM, BM25) lists the reminders that say the topic's names, as
the store's other memories that say the topic tell them ("the bike is a 1971 Triumph Bonneville":
"renew the motor tax on the Bonneville"), before the other reminders; the overdue ones about other
things lose their due dates' lift. Asked with a window ("car stuff coming up"), the window's reminders
that say the topic's names are lifted above its others; "including anything I forgot" asks for what
is late as well.

The clock is Wednesday 18 November 2026, 09:00 UTC.
"""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import Asker, contribution, reminders, scored, semantic, store_holding

NIAMH = Asker({"user_id": "niamh"}, "2026-11-18T09:00:00Z", {"min_confidence": 0})
FOR_THE_BIKE = {
    "Renew the motor tax on the Bonneville.": "2026-10-31T17:00",
    "Ask Eoin to bring the torque wrench over.": "2026-11-28T10:00",
}
FOR_THE_CAR = "Book the NCT for the Octavia."
LATE_RENT = "Send the landlord the October rent receipt."
OTHERS = {
    FOR_THE_CAR: "2026-12-04T09:00",
    LATE_RENT: "2026-11-02T09:00",
    "Pay the crèche fees for December.": "2026-11-30T09:00",
}
FACTS = [
    "The bike is a 1971 Triumph Bonneville, kept in a lockup in Finglas.",
    "My brother Eoin comes over on Saturdays to help with the bike.",
    "The car is a Skoda Octavia estate.",
    "Running club is Tolka Harriers, Tuesdays at Griffith Park.",
    "My GP is Dr Kelly in Swords.",
]
MEMORIES: list[dict[str, Any]] = [*reminders({**FOR_THE_BIKE, **OTHERS}), *map(semantic, FACTS)]

niamh = store_holding(MEMORIES, NIAMH.scope)


async def test_the_reminders_that_say_the_topic_s_names_come_first(niamh: AsyncTestClient[Any]) -> None:
    memories = await NIAMH.retrieved(niamh, "anything i need to do for the bike")
    reminders_found = [m["content"] for m in memories if m["type"] == "prospective"]
    assert sorted(reminders_found[:2]) == sorted(FOR_THE_BIKE)
    assert contribution(memories, "Ask Eoin to bring the torque wrench over.", "named_due") > 0
    assert LATE_RENT in (m["content"] for m in memories)
    assert contribution(memories, LATE_RENT, "unnamed_due") < 0


async def test_a_window_s_reminders_that_say_its_names_come_first(niamh: AsyncTestClient[Any]) -> None:
    memories = await NIAMH.retrieved(niamh, "car stuff coming up")
    assert memories[0]["content"] == FOR_THE_CAR
    assert scored(memories, "named_due") == {FOR_THE_CAR}


async def test_what_one_forgot_beside_the_topic_is_what_is_late_too(niamh: AsyncTestClient[Any]) -> None:
    memories = await NIAMH.retrieved(niamh, "bike stuff i need to do, including anything i forgot")
    assert sorted(m["content"] for m in memories[:2]) == sorted(FOR_THE_BIKE)
    assert all(m["explain"]["components"]["due_window"]["value"] == 1 for m in memories[:2])
