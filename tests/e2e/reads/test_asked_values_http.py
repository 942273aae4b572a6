"""Two values of what a question asks, on the real app, Qdrant Edge, MiniLM and BM25: the older
statement of who supplies the electricity says more than the supplier (the bill, the meter), so the
two mean less alike than newer-first's bar for a pair alone; both are near "who are we with for
electricity?" and share the word it asks about, and the newer (it says "now") ranks first. The
question is also asked with the rule off (`newer_first.asked_min_cosine` 0), so the test shows what
it does; and a question about a distinct fact of the same store keeps its answer first.
"""

from __future__ import annotations

from typing import Any

import pytest

from mnemo.retrieval.ranking.model import varied
from tests.e2e.conftest import AppFactory, retrieved, write

NOW = "2027-02-03T16:00:00Z"
OLDER = (
    "Electricity is with Electric Ireland, account in Gerry's name, billed every two months. The day "
    "rate is about 38c a unit. The meter is the old grey one in the porch."
)
NEWER = (
    "Electricity is now with Flogas, 31.5c a unit on a twelve-month fixed rate from February 2026. The "
    "rate is fixed until February 2027."
)
OTHERS = [
    "We have the Household Benefits Package: a €35 credit on every electricity bill and the free TV licence.",
    "Bins: the green bin goes out on Friday mornings, the brown one every second week.",
    "Broadband is with Eir, fibre to the house since 2024, billed monthly.",
    "The oil tank was filled in October: 900 litres at €1.05 a litre from Kilcoyne's.",
]


async def _contents(app_client: AppFactory, query: str, rule: bool) -> list[str]:
    scope = {"user_id": f"asked-values-{rule}"}
    async with app_client() as client:
        if not rule:  # a fitted constant of the ranking model, not a setting
            retriever = client.app.state.services.retriever
            retriever.model = varied(retriever.model, {"newer_first.asked_min_cosine": 0.0})
        memories = [{"type": "semantic", "content": c, "scope": scope} for c in [OLDER, NEWER, *OTHERS]]
        await write(client, memories)
        found: list[dict[str, Any]] = await retrieved(client, query, scope, NOW, types=["semantic"])
    return [m["content"] for m in found]


@pytest.mark.parametrize("rule", [True, False], ids=["default", "asked-values-off"])
async def test_the_newer_value_of_what_is_asked_ranks_first(app_client: AppFactory, rule: bool) -> None:
    contents = await _contents(app_client, "who are we with for electricity?", rule)
    assert OLDER in contents and NEWER in contents  # none hidden
    assert (contents.index(NEWER) < contents.index(OLDER)) is rule


async def test_a_distinct_fact_keeps_its_answer_first(app_client: AppFactory) -> None:
    contents = await _contents(app_client, "what's the credit on the electricity bill?", True)
    assert contents[0] == OTHERS[0]
