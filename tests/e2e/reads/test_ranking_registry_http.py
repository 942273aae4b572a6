"""A ranking term and a post-engine stage added by nothing but their registries are ranked and
explained end to end: the real app over HTTP, Qdrant Edge and MiniLM.

The throwaway term adds a constant to every memory inside the engine's formula
(`ranking/terms/__init__.py` `TERMS`); the throwaway stage lifts the last hit above the first in
Python (`retrieval/pipeline.py` `POST_STAGES`). Neither is named anywhere else: `explain` shows both
under their own names, every hit's components add up to its score, and the scores and the order
follow them. Both registries are read per request, so one app answers before and after.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from mnemo.memtypes.formula import Const, Expr
from mnemo.memtypes.types import MemoryType
from mnemo.retrieval import pipeline
from mnemo.retrieval.options import RetrievalConfig
from mnemo.retrieval.ranking import terms
from mnemo.retrieval.ranking.terms import RankingTerm, TermInputs
from mnemo.retrieval.stages.plan import ReadPlan
from mnemo.retrieval.stages.post import Adjustment, Hits, Phase, PostStage, StageInputs, lift
from tests.e2e.conftest import AppFactory, retrieved, write

NOW = "2026-08-01T12:00:00Z"
SCOPE = {"user_id": "registry"}
FACTS = [
    "Priya keeps bees on the roof of her building.",
    "Priya's bees made twelve jars of honey this summer.",
    "Priya sells the honey at the Saturday market.",
]
TERM_WEIGHT = 0.25


class Flat(RankingTerm):
    """The same for every memory: it moves every score by its weight, and no order."""

    name = "throwaway_term"

    def weight(self, inputs: TermInputs) -> float:
        return TERM_WEIGHT

    def expr(self, inputs: TermInputs) -> Expr:
        return Const(1.0)


class LastFirst(PostStage):
    """Lifts the last semantic hit just above the first."""

    name = "throwaway_stage"
    phase = Phase.FINAL

    def weight(self, plan: ReadPlan, config: RetrievalConfig) -> float:
        return 0.01  # how far above the first it lands

    async def apply(self, inputs: StageInputs, hits: Hits, weight: float) -> Mapping[str, Adjustment]:
        points = hits.get(MemoryType.SEMANTIC, [])
        if len(points) < 2:
            return {}
        first, last = points[0], points[-1]
        amount = first.score - last.score + weight
        hits[MemoryType.SEMANTIC] = [replace(last, score=last.score + amount), *points[:-1]]
        return {last.id: lift(self.name, amount)}


async def explained(client: AsyncTestClient[Any]) -> list[dict[str, Any]]:
    return await retrieved(client, "What does Priya do with her bees?", SCOPE, NOW, types=["semantic"])


async def test_a_registered_term_and_stage_are_ranked_and_explained(
    app_client: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with app_client() as client:
        await write(client, [{"type": "semantic", "content": c, "scope": SCOPE} for c in FACTS])
        before = await explained(client)
        monkeypatch.setattr(terms, "TERMS", (*terms.TERMS, Flat()))
        monkeypatch.setattr(pipeline, "POST_STAGES", (*pipeline.POST_STAGES, LastFirst()))
        after = await explained(client)
    assert sorted(m["content"] for m in before) == sorted(FACTS) == sorted(m["content"] for m in after)
    for memory in before:
        assert not {"throwaway_term", "throwaway_stage"} & set(memory["explain"]["components"])
    lifted = before[-1]["content"]
    assert after[0]["content"] == lifted  # the stage's order
    assert [m["content"] for m in after[1:]] == [m["content"] for m in before[:-1]]
    score_before = {m["content"]: m["score"] for m in before}
    for memory in after:
        components = memory["explain"]["components"]
        # The engine summed the term: every score moved by its weight, and explain says so.
        assert components["throwaway_term"] == {
            "value": 1.0,
            "weight": TERM_WEIGHT,
            "contribution": TERM_WEIGHT,
        }
        stage = components.get("throwaway_stage", {"contribution": 0.0})["contribution"]
        assert ("throwaway_stage" in components) is (memory["content"] == lifted)
        assert memory["score"] == pytest.approx(
            score_before[memory["content"]] + TERM_WEIGHT + stage, abs=1e-4
        )
        assert sum(c["contribution"] for c in components.values()) == pytest.approx(memory["score"], abs=1e-4)
        assert memory["explain"]["total"] == pytest.approx(memory["score"], abs=1e-4)
    assert after[0]["score"] == pytest.approx(after[1]["score"] + 0.01, abs=1e-4)
