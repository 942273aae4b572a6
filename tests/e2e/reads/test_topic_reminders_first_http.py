"""A question about tasks that asks by a topic (real app, Qdrant Edge, MiniLM, BM25) lists the
topic's pending reminders above the store's facts about it: "netball stuff to sort" asks what to do,
and "Flyers semi-final Sat 28 Nov" (the Flyers being the netball team, as a fact says) is what it
lists, not "Flyers netball training is Wednesday 4pm", however much closer the fact's words are. A
fact that opens with a possessive names whom it is about ("Tony's quote for the back deck"): the
reminders that name him are the deck's. Asked what of a topic is coming up, the topic's reminder
that waits for an occasion, not a date ("if Fiadh's ear infection comes back, …"), is ahead too. A
question that asks about tasks by the word "reminders" alone ("whatsapp or sms reminders") names
reminders as a thing: the fact about them keeps its place. One that names whom it is about ("Ravi's
calling me later, anything I wanted to ask him?") keeps the reminder waiting for that occasion first.

The clock is Thursday 12 November 2026, 09:00 UTC.
"""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from tests.e2e.conftest import reminder, retrieved, semantic, store_holding

NOW = "2026-11-12T09:00:00Z"
SCOPE = {"user_id": "liam"}
FOR_NETBALL = {
    "Flyers spring semi-final Sat 28 Nov, 10:20am Henson Park.": "2026-11-28T10:20",
    "Flyers break-up party at Enmore Park pool, Sat 12 Dec 10am.": "2026-12-12T10:00",
}
FOR_THE_DECK = "Pay Tony the second progress payment, Mon 16 Nov."
FOR_FIADH = "if Fiadh's ear infection comes back, ask Dr Kelly for the ENT referral"
SMS_PREFERENCE = "Prefers WhatsApp reminders to SMS for the U16 parents; SMS only for those without WhatsApp."
OTHERS = {
    FOR_THE_DECK: "2026-11-16T09:00",
    "Physio with Dr Kaur Fri 13 Nov 7am; bring the ride training log.": "2026-11-13T07:00",
    "Book Rusty into Happy Paws kennels for the Forster trip by Mon 7 Dec.": "2026-12-07T09:00",
    "Fiadh's crèche christmas concert 11:00 on the 10th.": "2026-12-10T11:00",
    "Hand in the PE sports equipment audit by Fri 18 Dec.": "2026-12-18T12:00",
    "Send the SMS reminder to the U16 parents without WhatsApp about Saturday's bus.": "2026-11-13T18:00",
    "Staff development day, first day back for Term 1.": "2027-01-27T08:30",
}
FACTS = [
    "Liam coaches the Inner West Flyers 13/1 netball team in the Inner West Netball Association.",
    "Flyers netball training is Wednesday 4pm on the Petersham High courts.",
    "Flyers netball games are Saturdays 9:00am at the Tempe Reserve courts.",
    "Liam holds a Netball NSW C umpire badge; each team supplies a duty umpire.",
    "Tony's quote for the back deck is $14,800 incl. GST.",
    "Deck payments come out of the joint CommBank account.",
    "Rusty is a kelpie cross, nine years old.",
    SMS_PREFERENCE,
]
MEMORIES: list[dict[str, Any]] = [
    *(reminder(c, d) for c, d in {**FOR_NETBALL, **OTHERS}.items()),
    reminder(FOR_FIADH, trigger="if Fiadh's ear infection comes back"),
    *map(semantic, FACTS),
]

liam = store_holding(MEMORIES, SCOPE)


async def test_the_topic_s_reminders_come_above_its_facts(liam: AsyncTestClient[Any]) -> None:
    memories = await retrieved(liam, "netball stuff to sort", SCOPE, NOW, min_confidence=0)
    assert sorted(m["content"] for m in memories[:2]) == sorted(FOR_NETBALL)
    assert all(m["explain"]["components"]["named_due"]["contribution"] > 0 for m in memories[:2])


async def test_a_fact_that_opens_with_a_name_names_the_topic_s(liam: AsyncTestClient[Any]) -> None:
    memories = await retrieved(liam, "deck stuff still to do", SCOPE, NOW, min_confidence=0)
    assert memories[0]["content"] == FOR_THE_DECK
    assert memories[0]["explain"]["components"]["named_due"]["contribution"] > 0


async def test_what_waits_for_an_occasion_is_coming_up_too(liam: AsyncTestClient[Any]) -> None:
    memories = await retrieved(liam, "what's coming up for fiadh", SCOPE, NOW, min_confidence=0)
    first = {m["content"] for m in memories[:2]}
    assert FOR_FIADH in first
    occasion = next(m for m in memories if m["content"] == FOR_FIADH)
    assert occasion["explain"]["components"]["named_due"]["contribution"] > 0


async def test_reminders_asked_as_a_thing_are_not_lifted_as_a_topic_s(liam: AsyncTestClient[Any]) -> None:
    memories = await retrieved(liam, "whatsapp or sms reminders", SCOPE, NOW, min_confidence=0)
    assert any(m["content"] == SMS_PREFERENCE for m in memories[:3])
    sms = next(m for m in memories if m["content"].startswith("Send the SMS reminder"))
    parts = sms["explain"]["components"]
    by_due_date = sum(parts[n]["contribution"] for n in ("due", "overdue", "named_due") if n in parts)
    assert by_due_date <= 0.2 + 1e-6  # the due term's weight at most, not a window's (0.5)


ASK_RAVI = "Ask whether the extension to December is confirmed and at what rate."
RAVI_SCOPE = {"user_id": "mai"}
ravi = store_holding(
    [
        reminder(ASK_RAVI, trigger="next time Ravi calls"),
        reminder("Send Ravi the Snowflake cost report before sprint planning.", "2026-11-12T10:00"),
        reminder("1:1 with Ravi: bring up the contract extension and the rate review.", "2026-11-13T09:30"),
        reminder("Call the Ironbark lender about fixing part of the loan.", "2026-11-20T10:00"),
        semantic("Ravi Menon is Head of Data at Harbourline; he prefers Slack DMs to email."),
        semantic("Harbourline's rate change: Ravi signed off the increase from 1 February."),
    ],
    RAVI_SCOPE,
)


async def test_a_question_naming_whom_keeps_the_occasion_first(ravi: AsyncTestClient[Any]) -> None:
    query = "Ravi's calling me later - anything I wanted to ask him"
    memories = await retrieved(ravi, query, RAVI_SCOPE, NOW, min_confidence=0)
    assert memories[0]["content"] == ASK_RAVI
    dated = [m for m in memories if m["type"] == "prospective" and m["content"] != ASK_RAVI]
    assert all(m["explain"]["components"].get("named_due", {}).get("contribution", 0) <= 0.2 for m in dated)
