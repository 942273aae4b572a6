"""What a question asks, read on the real app (MiniLM, BM25, Qdrant Edge, the shipped confidence),
where the store holds values of the kind but not the one asked: a memory telling where a door code is
kept, beside others holding codes of their own, answers no "door code?"; a loan's monthly payment
answers no "interest rate?"; sums told of someone answer no "salary?"; a service without a name answers
no clipped "inverter brand". Each near miss reads far less confident than its answered twin and keeps
only its best memory in a default context."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.e2e.conftest import write
from tests.e2e.reads.test_asked_detail_http import retrieve

COWORK = [
    "Brickyard wifi SSID Brickyard-Members; door code changes monthly, posted in the member Slack",
    "co-working: Brickyard Cowork on E Cesar Chavez, dedicated desk #14, $275/mo",
    "Brickyard posted holiday hours: closed Thu 11/26 and Fri 11/27",
]
DOOR_CODE = "Brickyard door code for December is 5521, hash to open"
LOAN = [
    "I refinanced the truck loan with Will County Credit Union, the payment's now $2,140 a month.",
    "Truck loan paperwork is in the blue folder in the cab.",
]
LOAN_RATE = "The truck loan's interest rate is 7.9% fixed for five years."
MAYA = [
    "Maya paid £42 for the team lunch at the café on Friday.",
    "Maya's train fare to the Leeds trade show was £38 return.",
    "Maya covers the Saturday shift at the Ancoats shop.",
]
MAYA_SALARY = "Maya's salary is £32,000 a year from April."

INVERTER = [
    "The technician serviced the practice inverter battery on 9 October; it's holding charge fine.",
    "Inverter backup covers the practice for about four hours in load shedding.",
]
INVERTER_BRAND = "The practice inverter is a Victron MultiPlus, installed by Sunvolt."

CASES = [
    (COWORK, DOOR_CODE, "brickyard door code this month"),
    (LOAN, LOAN_RATE, "whats the interest rate on the truck loan"),
    (MAYA, MAYA_SALARY, "what's Maya's salary?"),
    (INVERTER, INVERTER_BRAND, "inverter brand"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("memories", "answer", "question"), CASES)
async def test_a_value_of_the_kind_told_of_something_else_is_a_near_miss(
    client: AsyncTestClient[Any], memories: list[str], answer: str, question: str
) -> None:
    scope = {"user_id": "near-miss"}
    await write(client, [{"type": "semantic", "content": c, "scope": scope} for c in memories])
    near_miss = await retrieve(client, scope, question)
    assert len(near_miss["memories"]) == 1 and near_miss["metadata"]["top_confidence"] < 0.05

    twin = {"user_id": "answered"}
    await write(client, [{"type": "semantic", "content": c, "scope": twin} for c in [*memories, answer]])
    found = await retrieve(client, twin, question)
    assert found["memories"][0]["content"] == answer
    assert found["metadata"]["top_confidence"] > 5 * near_miss["metadata"]["top_confidence"]
