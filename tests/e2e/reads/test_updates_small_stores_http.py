"""Knowledge updates in stores of 1, 3 and 10 memories (real app, Qdrant Edge, MiniLM, BM25), where the
engine's scores are spread over few candidates: a statement that names the date it holds from ("since
2009") is outdated by a later event that tells the change, within the lift's reach, and of two
statements that both say since when, the later start ranks first. One memory alone is simply returned.
The event's ranking is also read with the rule off (`said_periods`), so the test shows what it does.

The clock is 3 February 2027; every memory is written in one batch, as an import writes them.
"""

from __future__ import annotations

from typing import Any

import pytest

from mnemo.retrieval.ranking.model import varied
from tests.e2e.conftest import AppFactory, retrieved, write

NOW = "2027-02-03T16:00:00Z"
THYROID = "Nuala takes levothyroxine 75 micrograms every morning, for an underactive thyroid since 2009."
INCREASED = "Dr Mulvey increased Nuala's levothyroxine from 75 to 88 micrograms every morning (TSH 6.2)."
LEAD = "Katrin Vogt = Platform tech lead since 1 May 2026. Owns technical direction, design reviews."
STAFF = "Katrin Vogt = Staff Engineer since 1 Jan 2027 (still Platform tech lead), cross-team API platform."
OTHERS = [
    "Nuala sings alto in the parish choir on Wednesdays at 7:30.",
    "The bins go out on Friday mornings since February.",
    "Gerry's physio is every second Tuesday in Boyle.",
    "Aoife lives at 4 Cluain Mhuire, Oranmore, with Ronan and the children.",
    "Kwame Asante runs the on-call rota for the platform team.",
    "The Datadog contract is $79k a year on a two-year term.",
    "Our office is at 41 Pearse St from January 2027.",
    "Dónal is a day fitter at Kerrigan Engineering in Athlone.",
]


def _store(size: int, first: dict[str, Any], second: dict[str, Any]) -> list[dict[str, Any]]:
    """`size` memories: the pair (or its first alone), then unrelated facts."""
    pair = [first, second][:size]
    return pair + [{"type": "semantic", "content": c} for c in OTHERS[: size - len(pair)]]


async def _order(app_client: AppFactory, memories: list[dict[str, Any]], query: str, rule: bool) -> list[str]:
    scope = {"user_id": f"small-{len(memories)}-{rule}"}
    async with app_client() as client:
        if not rule:  # a fitted switch of the ranking model, not a setting
            retriever = client.app.state.services.retriever
            retriever.model = varied(
                retriever.model, {"changed_events.said_periods": False, "newer_first.said_periods": False}
            )
        await write(client, [{**m, "scope": scope} for m in memories])
        found = await retrieved(client, query, scope, NOW, min_confidence=0)
    return [m["content"] for m in found]


@pytest.mark.parametrize("size", [1, 3, 10])
@pytest.mark.parametrize("rule", [True, False], ids=["default", "said-periods-off"])
async def test_an_event_outdates_a_statement_that_names_an_earlier_start(
    app_client: AppFactory, size: int, rule: bool
) -> None:
    fact = {"type": "semantic", "content": THYROID}
    event = {"type": "episodic", "content": INCREASED, "occurred_at": "2025-07-10T11:00:00Z"}
    contents = await _order(
        app_client, _store(size, fact, event), "how much levothyroxine is Nuala on now?", rule
    )
    assert len(contents) == size
    if size == 1:
        assert contents == [THYROID]
    elif rule and size == 3:
        assert contents.index(INCREASED) < contents.index(THYROID)
    else:
        # Rule off: "since 2009" read as a start not named, the fact stays the current value. Among ten
        # memories BM25 weighs the fact's words more: its lead is beyond the lift's reach.
        assert contents.index(THYROID) < contents.index(INCREASED)


@pytest.mark.parametrize("size", [1, 3, 10])
async def test_of_two_statements_saying_since_when_the_later_start_ranks_first(
    app_client: AppFactory, size: int
) -> None:
    lead, staff = {"type": "semantic", "content": LEAD}, {"type": "semantic", "content": STAFF}
    contents = await _order(app_client, _store(size, lead, staff), "what's Katrin's title now", rule=True)
    assert len(contents) == size
    assert contents[0] == (LEAD if size == 1 else STAFF)
