"""The default context of a request whose best memory is unlikely: only the best-ranked memory is
packed (stages/respond.py, `RetrievalConfig.default_only_best_below`); a request's own floor, or the
rule off, packs as the floors alone say."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from mnemo.backends.tokenizer import TokenizerRegistry
from mnemo.memtypes.models import MODEL_REGISTRY
from mnemo.memtypes.queries import ScoredPoint
from mnemo.memtypes.rendering import LINE_FORMAT, memory_line
from mnemo.memtypes.requests import LeftOutReason, RetrieveRequest, RetrieveResponse
from mnemo.memtypes.types import POLICIES, MemoryType
from mnemo.retrieval.options import RetrievalConfig
from mnemo.retrieval.ranking.policy import RankingPolicy
from mnemo.retrieval.stages.pack import LinePrices
from mnemo.retrieval.stages.plan import ReadPlan, resolve
from mnemo.retrieval.stages.respond import assemble
from mnemo.retrieval.stages.search import Found

TOKENIZERS = TokenizerRegistry()
NOW = datetime(2026, 11, 29, tzinfo=UTC)
QUERY = "what's the door code at the allotment?"
CONTENTS = [  # best first: near misses, none holding the code
    "The allotment is on Ferry Lane, plot 14.",
    "Sam shares the allotment shed with the neighbours.",
    "The allotment committee meets on the first Monday.",
]


def point(n: int, content: str) -> ScoredPoint:
    line = memory_line(MemoryType.SEMANTIC, content)
    payload = {
        "content": content,
        "external_id": f"m{n}",
        "occurred_ts": NOW.timestamp(),
        "line_tokens": {name: TOKENIZERS.get(name).count(line) for name in TOKENIZERS.names()},
        "line_format": LINE_FORMAT,
    }
    return ScoredPoint(f"id-{n}", 0.9 - 0.1 * n, payload)


def answer(config: RetrievalConfig, **request: Any) -> RetrieveResponse:
    """The response to `QUERY` over `CONTENTS` (cosines 0.5 to 0.3, best first) under `config`."""
    asked = RetrieveRequest(query=QUERY, types=[MemoryType.SEMANTIC], explain=True, **request)
    resolved = resolve(asked, config, TOKENIZERS.default, MODEL_REGISTRY)
    plan = ReadPlan(asked, resolved, {MemoryType.SEMANTIC: RankingPolicy(POLICIES[MemoryType.SEMANTIC], 0.0)})
    points = [point(n, c) for n, c in enumerate(CONTENTS)]
    cosines = {p.id: 0.5 - 0.1 * n for n, p in enumerate(points)}
    found = Found({MemoryType.SEMANTIC: points}, cosines=cosines)
    return assemble(plan, found, LinePrices(TOKENIZERS, resolved.encoding))


def test_a_request_without_its_own_floor_takes_the_services_rule_and_one_with_it_does_not() -> None:
    config = RetrievalConfig(default_only_best_below=0.3)
    unset = RetrieveRequest(query=QUERY)
    assert resolve(unset, config, TOKENIZERS.default, MODEL_REGISTRY).only_best_below == 0.3
    floored = RetrieveRequest(query=QUERY, min_confidence=0.01)
    assert resolve(floored, config, TOKENIZERS.default, MODEL_REGISTRY).only_best_below == 0.0


def test_under_the_threshold_only_the_best_memory_is_packed_and_the_rest_are_explained() -> None:
    everything = answer(RetrievalConfig(default_min_confidence=0.0, default_only_best_below=0.0))
    assert [m.content for m in everything.memories] == CONTENTS
    top = everything.metadata.top_confidence
    assert 0.0 < top < 1.0

    above = answer(RetrievalConfig(default_min_confidence=0.0, default_only_best_below=top))
    assert [m.content for m in above.memories] == CONTENTS  # the best reaches it: nothing changes

    below = answer(RetrievalConfig(default_min_confidence=0.0, default_only_best_below=min(1.0, top + 0.01)))
    assert [m.content for m in below.memories] == CONTENTS[:1]
    assert below.metadata.top_confidence == top  # the confidences are not changed, only the packing
    left = {m.content: m for m in below.left_out or []}
    assert set(left) == set(CONTENTS[1:])
    assert all(m.reason is LeftOutReason.BELOW_FLOOR and "only the best" in m.detail for m in left.values())


def test_a_requests_own_floor_packs_as_its_floor_alone_says() -> None:
    config = RetrievalConfig(default_min_confidence=0.0, default_only_best_below=1.0)
    assert len(answer(config).memories) == 1
    assert [m.content for m in answer(config, min_confidence=0).memories] == CONTENTS
