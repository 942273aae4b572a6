"""The budget contract: the rendered context never exceeds the budget, and metadata adds up."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from functools import partial
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mnemo.backends.tokenizer import TokenizerRegistry
from mnemo.memtypes.models import MODEL_REGISTRY
from mnemo.memtypes.queries import MemoryFilter, ScoredPoint, StoredPoint
from mnemo.memtypes.rendering import LINE_FORMAT, memory_line, section_header
from mnemo.memtypes.requests import RetrieveRequest
from mnemo.memtypes.types import DEFAULT_RETRIEVAL_TYPES, POLICIES, MemoryType
from mnemo.retrieval.options import RetrievalConfig
from mnemo.retrieval.ranking.policy import RankingPolicy
from mnemo.retrieval.ranking.terms.conversation import SPEAKER, SpeakerSignal
from mnemo.retrieval.stages.expand import Neighbour, expand, neighbour_requests
from mnemo.retrieval.stages.pack import LinePrices
from mnemo.retrieval.stages.plan import ReadPlan, resolve
from mnemo.retrieval.stages.post import Adjustments
from mnemo.retrieval.stages.rank import suppress_near_duplicates
from mnemo.retrieval.stages.respond import assemble
from mnemo.retrieval.stages.search import Found
from mnemo.sessions.working import WorkingItem

TOKENIZERS = TokenizerRegistry()
CONFIG = RetrievalConfig()
NOW = datetime(2026, 1, 1, tzinfo=UTC)
# The speaker term on (a neighbour carries its own): the query names "mel".
SPEAKERS = ("what", "did", "mel", "say")
SESSION_TIMES = [1_683_554_160, 1_683_554_185, 1_690_000_000]  # two in one minute

content_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=300
) | st.sampled_from(
    ["ok.", "## Semantic memory", "- item\n- item", "trailing space  ", "end.\n\n", "🎉🎉", "  "]
)


@st.composite
def hits(draw: st.DrawFn) -> dict[MemoryType, list[ScoredPoint]]:
    out: dict[MemoryType, list[ScoredPoint]] = {}
    n = 0
    for memory_type in DEFAULT_RETRIEVAL_TYPES:
        points = []
        for _ in range(draw(st.integers(0, 12))):
            content = draw(content_text)
            # Shared times (a session's turns, under one time header) as well as distinct ones.
            when = st.sampled_from(SESSION_TIMES) | st.integers(1_500_000_000, 1_800_000_000)
            occurred = datetime.fromtimestamp(draw(when), UTC)
            due = occurred if memory_type is MemoryType.PROSPECTIVE and draw(st.booleans()) else None
            line = memory_line(memory_type, content, due)
            payload = {
                "content": content,
                "occurred_ts": occurred.timestamp(),
                "line_tokens": {name: TOKENIZERS.get(name).count(line) for name in TOKENIZERS.names()},
                "line_format": LINE_FORMAT,
            }
            if draw(st.integers(0, 9)) == 0:  # written by an older version: its counts are recounted
                payload["line_format"] = 1
                payload["line_tokens"] = {name: 9999 for name in TOKENIZERS.names()}
            if due:
                payload["due_ts"] = due.timestamp()
            n += 1
            points.append(ScoredPoint(f"id-{n}", draw(st.floats(0, 2)), payload))
        out[memory_type] = points
    return out


@st.composite
def working_items(draw: st.DrawFn) -> list[WorkingItem]:
    """A task's live working memory, newest first, as the retriever reads it from Redis."""
    items = []
    for seq in range(draw(st.integers(0, 10)), 0, -1):
        content = draw(content_text)
        line = memory_line(MemoryType.WORKING, content)
        items.append(
            WorkingItem(
                id=f"w{seq}",
                seq=seq,
                content=content,
                priority=5,
                tokens=1,
                line_tokens={name: TOKENIZERS.get(name).count(line) for name in TOKENIZERS.names()},
                created_at=NOW,
            )
        )
    return items


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    found=hits(),
    working=working_items(),
    working_budget=st.integers(0, 400),
    budget=st.integers(1, 3000),
    encoding_model=st.sampled_from([None, "gpt-4o"]),
    allocation=st.none()
    | st.dictionaries(
        st.sampled_from([t.value for t in DEFAULT_RETRIEVAL_TYPES]), st.floats(0, 1), max_size=4
    ),
)
def test_context_never_exceeds_budget_and_metadata_adds_up(
    found, working, working_budget, budget, encoding_model, allocation
) -> None:
    # No confidence floor: every offered memory is either packed or trimmed by the budget.
    request = RetrieveRequest(query="q", budget_tokens=budget, allocation=allocation, min_confidence=0)
    resolved = resolve(request, CONFIG, TOKENIZERS.default, MODEL_REGISTRY)
    if encoding_model:  # count with o200k instead, as a gpt-4o request would
        resolved = dataclasses.replace(resolved, encoding="o200k_base", now=NOW)
    if not working_budget:  # no task_id: no working memory offered
        working = []
    resolved = dataclasses.replace(resolved, working_budget=working_budget)
    policies = {t: RankingPolicy(POLICIES[t], NOW.timestamp()) for t in resolved.types}
    plan = ReadPlan(request, resolved, policies)
    response = assemble(plan, Found(found, working=working), LinePrices(TOKENIZERS, resolved.encoding))

    counter = TOKENIZERS.get(resolved.encoding)
    exact = counter.count(response.context)
    meta = response.metadata
    assert exact <= budget + working_budget
    assert meta.total_tokens == exact
    assert meta.budget == budget and meta.working_budget == working_budget
    # The working section comes first and stays inside its own budget; the rest inside the main one.
    chosen_working = [m for m in response.memories if m.type is MemoryType.WORKING]
    section = "".join(memory_line(MemoryType.WORKING, m.content) for m in chosen_working)
    section = section_header(MemoryType.WORKING) + section if chosen_working else ""
    assert response.context.startswith(section)
    assert counter.count(section) <= working_budget
    assert counter.count(response.context[len(section) :]) <= budget
    # Line counts are additive, so per-type tokens sum to the exact total.
    assert sum(t.tokens for t in meta.per_type.values()) == exact
    assert sum(t.count for t in meta.per_type.values()) == len(response.memories)
    assert sum(t.trimmed for t in meta.per_type.values()) == meta.trimmed_count
    offered = sum(len(v) for v in found.values()) + len(working)
    assert len(response.memories) + meta.trimmed_count == offered
    for per in meta.per_type.values():
        assert per.tokens <= per.share + per.redistributed
    assert sum(p.share for p in meta.per_type.values()) <= budget + working_budget
    # Working items come first in `memories` too, newest first.
    seqs = [int(m.id[1:]) for m in response.memories if m.type is MemoryType.WORKING]
    assert seqs == sorted(seqs, reverse=True)
    # Every chosen memory appears in the context.
    for memory in response.memories:
        assert memory.content in response.context


def episodic_policy() -> RankingPolicy:
    signal = SpeakerSignal(SPEAKERS, CONFIG.speaker_weight)
    return RankingPolicy(POLICIES[MemoryType.EPISODIC], NOW.timestamp(), signals={SPEAKER: signal})


@st.composite
def expanded_hits(draw: st.DrawFn) -> tuple[dict[MemoryType, list[ScoredPoint]], dict[str, Neighbour]]:
    """Drawn hits (some copies of others), near-duplicates suppressed, episodic turns expanded."""
    found = draw(hits())
    with_copies = {}
    for memory_type, points in found.items():
        copies = [ScoredPoint(f"copy-{p.id}", p.score / 2, p.payload) for p in points[::3]]
        with_copies[memory_type] = [
            ScoredPoint(p.id, p.score, {**p.payload, "seq": float(i)}) for i, p in enumerate(points + copies)
        ]
    threshold = draw(st.sampled_from([0.0, 0.5, 0.8, 1.0]))
    kept = {t: suppress_near_duplicates(points, threshold) for t, points in with_copies.items()}
    turns = kept[MemoryType.EPISODIC][:3]
    requests = neighbour_requests(turns, MemoryFilter("acme"), 2, 3600.0)
    extra = draw(hits())[MemoryType.EPISODIC]
    speakers = draw(st.lists(st.sampled_from([["mel"], ["caroline"], []]), min_size=8, max_size=8))
    neighbours = [
        [
            StoredPoint(f"n{k}-{p.id}", {**p.payload, "speaker": speakers[(k + i) % 8]})
            for i, p in enumerate(extra[k % 2 :: 4][:2])
        ]
        for k in range(len(requests))
    ]
    by_seq = {float(t.payload["seq"]): t for t in turns}
    lift = partial(episodic_policy().contribution, SPEAKER)
    merged, origin = expand(kept[MemoryType.EPISODIC], requests, neighbours, by_seq, 0.9, lift)
    return {**kept, MemoryType.EPISODIC: merged}, origin


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(found=expanded_hits(), budget=st.integers(1, 3000))
def test_budget_contract_holds_with_near_duplicate_suppression_and_expansion(found, budget) -> None:
    hits_after, origin = found
    request = RetrieveRequest(query="q", budget_tokens=budget, explain=True, min_confidence=0)
    resolved = resolve(request, CONFIG, TOKENIZERS.default, MODEL_REGISTRY)
    policies = {t: RankingPolicy(POLICIES[t], NOW.timestamp()) for t in resolved.types}
    policies[MemoryType.EPISODIC] = episodic_policy()
    plan = ReadPlan(request, resolved, policies)
    adjustments = Adjustments()  # as the neighbour stage records them
    adjustments.record({i: n.adjustment("neighbour", CONFIG.speaker_weight) for i, n in origin.items()})
    found = Found(hits_after, adjustments=adjustments)
    response = assemble(plan, found, LinePrices(TOKENIZERS, resolved.encoding))

    exact = TOKENIZERS.get(resolved.encoding).count(response.context)
    meta = response.metadata
    assert exact <= budget and meta.total_tokens == exact
    assert sum(t.tokens for t in meta.per_type.values()) == exact
    assert len(response.memories) + meta.trimmed_count == sum(len(v) for v in hits_after.values())
    for memory in response.memories:
        assert memory.content in response.context
        if memory.id in origin:  # (the others' drawn scores are not the formula's)
            assert memory.explain is not None and memory.explain["neighbour_of"] == origin[memory.id].of
            assert abs(memory.explain["total"] - memory.score) < 1e-9
            parts = memory.explain["components"].values()
            assert abs(sum(c["contribution"] for c in parts) - memory.score) < 1e-9
            assert ("speaker" in memory.explain["components"]) is (origin[memory.id].speaker > 0)


def test_a_line_priced_before_is_reused_only_for_the_payload_it_was_rendered_from() -> None:
    shared: dict[Any, Any] = {}
    first = LinePrices(TOKENIZERS, "cl100k_base", lines=shared)
    payload = {"content": "Alice prefers oat milk."}
    line, tokens, _ = first.line(MemoryType.SEMANTIC, ScoredPoint("a", 0.9, payload))
    assert line == memory_line(MemoryType.SEMANTIC, "Alice prefers oat milk.")
    assert tokens == TOKENIZERS.get("cl100k_base").count(line)
    # A later request, the same payload object (the index's payload cache): the priced line as is.
    later = LinePrices(TOKENIZERS, "cl100k_base", lines=shared)
    assert later.line(MemoryType.SEMANTIC, ScoredPoint("a", 0.5, payload)) == (line, tokens, None)
    # The memory rewritten: a new payload, so its line is rendered and counted afresh.
    edited = {"content": "Alice now prefers soy milk, every morning, without exception."}
    again, cost, _ = later.line(MemoryType.SEMANTIC, ScoredPoint("a", 0.5, edited))
    assert again == memory_line(MemoryType.SEMANTIC, edited["content"]) and cost > tokens
    # Another encoding prices its own line.
    other = LinePrices(TOKENIZERS, "o200k_base", lines=shared)
    assert other.line(MemoryType.SEMANTIC, ScoredPoint("a", 0.5, edited))[1] == TOKENIZERS.get(
        "o200k_base"
    ).count(again)
