"""A default context where the store answers (`AnsweredContextModel`, stages/respond.py): the first
hits that share meaning with the question are packed whatever their own confidence, with what the
budget leaves; a request's own floor, or a question the store does not answer, cuts every hit."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from mnemo.backends.tokenizer import TokenizerRegistry
from mnemo.memtypes.models import MODEL_REGISTRY
from mnemo.memtypes.queries import ScoredPoint
from mnemo.memtypes.requests import RetrieveRequest
from mnemo.memtypes.types import POLICIES, MemoryType
from mnemo.retrieval.options import RetrievalConfig
from mnemo.retrieval.ranking.confidence import FAR
from mnemo.retrieval.ranking.model import DEFAULT_MODEL, RankingModel, varied
from mnemo.retrieval.ranking.policy import RankingPolicy
from mnemo.retrieval.stages.pack import LinePrices
from mnemo.retrieval.stages.plan import ReadPlan, resolve
from mnemo.retrieval.stages.respond import assemble
from mnemo.retrieval.stages.search import Found

TOKENIZERS = TokenizerRegistry()
NOW = datetime(2026, 1, 1, tzinfo=UTC)
# A floor over every confidence: what a default context holds is then what the rule adds.
CONFIG = RetrievalConfig(default_min_confidence=1.0)
CONTENTS = {
    "a": "Marco is lactose intolerant.",
    "b": "Marco's sister Lorna hosts Sunday lunch.",
    "c": "The router's admin password was changed.",
    "d": "Lorna bakes a cheesecake for birthdays.",
}
COSINES = {"a": 0.45, "b": 0.3, "c": FAR - 0.05, "d": 0.25}


def answered(ranks: int = 20, top_confidence: float = 0.0) -> RankingModel:
    return varied(
        DEFAULT_MODEL, {"answered_context.ranks": ranks, "answered_context.top_confidence": top_confidence}
    )


def packed(model: RankingModel, budget: int = 1000, **request: float) -> list[str]:
    body = RetrieveRequest(query="what do I tell Lorna about Marco's diet?", budget_tokens=budget, **request)
    resolved = dataclasses.replace(resolve(body, CONFIG, TOKENIZERS.default, MODEL_REGISTRY), now=NOW)
    policies = {t: RankingPolicy(POLICIES[t], NOW.timestamp()) for t in resolved.types}
    plan = ReadPlan(body, resolved, policies, model=model)
    hits = [ScoredPoint(k, 1.0 - i / 10, {"content": v}) for i, (k, v) in enumerate(CONTENTS.items())]
    found = Found({MemoryType.SEMANTIC: hits}, cosines=COSINES)
    response = assemble(plan, found, LinePrices(TOKENIZERS, resolved.encoding))
    return [m.id for m in response.memories]


def test_an_answered_question_keeps_its_first_hits_that_share_meaning_with_it() -> None:
    assert packed(answered()) == ["a", "b", "d"]  # not the router's, far from the question
    assert packed(answered(ranks=2)) == ["a", "b"]


def test_a_question_the_store_does_not_answer_keeps_the_floor() -> None:
    assert packed(answered(top_confidence=1.01)) == []
    assert packed(answered(ranks=0)) == []


def test_a_request_of_its_own_floor_or_score_floor_is_cut_by_it() -> None:
    assert packed(answered(), min_confidence=0.5) == []
    assert packed(answered(), min_score=0.95) == ["a"]


def test_what_is_added_fits_in_the_budget_the_rest_leave() -> None:
    everything = packed(answered())
    smaller = packed(answered(), budget=30)
    assert smaller == everything[: len(smaller)] and len(smaller) < len(everything)
