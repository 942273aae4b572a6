"""Near-duplicate suppression and neighbour expansion, without I/O."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mnemo.memtypes.queries import MemoryFilter, ScoredPoint, SearchRequest, StoredPoint
from mnemo.memtypes.records import Scope
from mnemo.memtypes.rendering import LINE_FORMAT
from mnemo.memtypes.requests import RankingOptions, TypeWeights
from mnemo.memtypes.types import POLICIES, MemoryType
from mnemo.retrieval.options import RetrievalConfig, resolve_tuning
from mnemo.retrieval.ranking.model import DEFAULT_MODEL
from mnemo.retrieval.ranking.policy import RankingPolicy
from mnemo.retrieval.ranking.terms.conversation import SPEAKER, SpeakerSignal
from mnemo.retrieval.ranking.terms.time import TimeBoost, TimeTerm
from mnemo.retrieval.ranking.times.temporal import TimeWindow
from mnemo.retrieval.stages.expand import conversation_turns, expand, neighbour_requests, said_by_someone
from mnemo.retrieval.stages.rank import Duplicate, suppress_near_duplicates
from mnemo.retrieval.stages.sizing import (
    LargeCounts,
    candidate_limits,
    deeper_searches,
)

UNRELATED_DECAY = DEFAULT_MODEL.expand.unrelated_decay


def hit(pid: str, score: float, **payload: object) -> ScoredPoint:
    return ScoredPoint(pid, score, dict(payload))


def test_a_copy_of_a_better_hit_is_dropped_and_distinct_hits_stay() -> None:
    hits = [
        hit("copy", 0.8, content="Alice prefers green tea, without sugar!"),
        hit("best", 0.9, content="Alice prefers green tea without sugar."),
        hit("other", 0.7, content="Alice prefers coffee in the morning."),
        hit("empty", 0.6, content="?!"),  # no words to compare: kept
    ]
    assert [h.id for h in suppress_near_duplicates(hits, 0.8)] == ["best", "other", "empty"]
    assert [h.id for h in suppress_near_duplicates(hits, 0.0)] == ["copy", "best", "other", "empty"]


WORDS = ["ant", "bee", "cat", "dog", "eel", "fox", "gnu", "hen"]


@given(
    st.lists(st.sets(st.sampled_from(WORDS), max_size=6), max_size=20),
    st.sampled_from([0.3, 0.5, 0.8, 1.0]),
)
def test_duplicates_are_those_a_jaccard_overlap_with_a_better_kept_hit_names(
    word_sets: list[set[str]], threshold: float
) -> None:
    """The counted union and the size bound give exactly the plain definition: best-first, a hit is
    dropped for the first kept hit whose words overlap its own by `threshold` (Jaccard) or more."""
    hits = [
        ScoredPoint(f"h{i}", 1.0 - i / 100, {"content": " ".join(sorted(w))}) for i, w in enumerate(word_sets)
    ]
    dropped: list[Duplicate] = []
    kept = suppress_near_duplicates(hits, threshold, dropped)
    expected_kept: list[tuple[str, frozenset[str]]] = []
    expected_dropped = []
    for hit, words in zip(hits, map(frozenset, word_sets), strict=True):
        better = next(
            (k for k, w in expected_kept if words and len(words & w) >= threshold * len(words | w)), None
        )
        if better is None:
            expected_kept.append((hit.id, words))
        else:
            expected_dropped.append((hit.id, better))
    assert [h.id for h in kept] == [k for k, _ in expected_kept]
    assert [(d.point.id, d.of) for d in dropped] == expected_dropped


def test_neighbours_are_scored_below_their_turn_and_never_lower_a_hit() -> None:
    turn = hit("t", 1.0, seq=100.0, occurred_ts=5_000.0, user_id="u1", tenant="acme")
    already = hit("n-before", 0.95)
    requests = neighbour_requests([turn, hit("old", 0.5)], MemoryFilter("acme"), 2, 3600.0)
    assert len(requests) == 2  # "old" has no seq: written before sequence numbers
    assert requests[0].before and not requests[1].before
    assert requests[0].filter.scope == Scope(user_id="u1")
    assert requests[0].filter.occurred_from == 1_400.0 and requests[0].filter.occurred_until == 8_600.0
    found = [
        [StoredPoint("n-before", {}), StoredPoint("n-before-2", {})],
        [StoredPoint("n-after", {})],
    ]
    merged, origin = expand([turn, already], requests, found, {100.0: turn}, 0.9)
    scores = {h.id: h.score for h in merged}
    assert scores["n-before"] == 0.95  # its own score is better than 0.9: kept, not a neighbour
    assert scores["n-before-2"] == pytest.approx(0.81) and origin["n-before-2"].steps == 2
    assert scores["n-after"] == pytest.approx(0.9) and origin["n-after"].of == "t"
    assert [h.score for h in merged] == sorted(scores.values(), reverse=True)


def test_only_conversation_turns_are_neighbours() -> None:
    # A person's notes of one afternoon are separate events: a note has no speaker, and a walk
    # along a conversation stops at the first note.
    assert said_by_someone({SPEAKER: ["caroline"]}) and not said_by_someone({"content": "paid the deposit"})
    side = [
        StoredPoint("reply", {SPEAKER: ["melanie"]}),
        StoredPoint("note", {}),
        StoredPoint("later", {SPEAKER: ["caroline"]}),
    ]
    assert [p.id for p in conversation_turns(side)] == ["reply"]
    assert conversation_turns([StoredPoint("note", {})]) == []


def test_a_neighbour_unrelated_to_the_query_drops_faster_per_step() -> None:
    turn = hit("t", 1.0, seq=100.0, occurred_ts=5_000.0, user_id="u1", tenant="acme")
    requests = neighbour_requests([turn], MemoryFilter("acme"), 2, 3600.0)
    found = [[StoredPoint("reply", {}), StoredPoint("reply-2", {})], [StoredPoint("answer", {})]]
    merged, origin = expand([turn], requests, found, {100.0: turn}, 0.93, unrelated={"reply", "reply-2"})
    scores = {h.id: h.score for h in merged}
    assert scores["answer"] == pytest.approx(0.93)
    assert scores["reply"] == pytest.approx(UNRELATED_DECAY) and origin["reply"].factor == pytest.approx(
        UNRELATED_DECAY
    )
    assert scores["reply-2"] == pytest.approx(UNRELATED_DECAY**2)
    assert scores["reply-2"] < scores["reply"] < scores["answer"]


def test_neighbours_stop_where_another_conversation_was_written() -> None:
    # Two conversations of one day imported one after the other, each timed from the day's start:
    # the first's last turn (t+11 s) is written just before the second's opening (t+0 s).
    day = 1_700_000_000.0
    last = hit("a:11", 1.0, seq=12.0, occurred_ts=day + 11, user_id="u1", tenant="acme")
    opening = hit("b:0", 0.8, seq=13.0, occurred_ts=day, user_id="u1", tenant="acme")
    requests = neighbour_requests([last, opening], MemoryFilter("acme"), 2, 3600.0)
    found = [
        [StoredPoint("a:10", {"occurred_ts": day + 10}), StoredPoint("a:9", {"occurred_ts": day + 9})],
        [StoredPoint("b:0", {"occurred_ts": day}), StoredPoint("b:1", {"occurred_ts": day + 1})],
        [StoredPoint("a:11", {"occurred_ts": day + 11}), StoredPoint("a:10", {"occurred_ts": day + 10})],
        [StoredPoint("b:1", {"occurred_ts": day + 1}), StoredPoint("b:2", {"occurred_ts": day + 2})],
    ]
    merged, origin = expand([last, opening], requests, found, {12.0: last, 13.0: opening}, 0.9)
    assert {pid: o.of for pid, o in origin.items()} == {
        "a:10": "a:11",
        "a:9": "a:11",
        "b:1": "b:0",
        "b:2": "b:0",
    }
    assert {h.id: h.score for h in merged}["b:0"] == 0.8  # not lifted as a:11's neighbour
    # A conversation stored with one time for all its turns (a session's date) keeps its neighbours.
    same = [StoredPoint("c:1", {"occurred_ts": day}), StoredPoint("c:2", {"occurred_ts": day})]
    turn = hit("c:0", 1.0, seq=1.0, occurred_ts=day, user_id="u1", tenant="acme")
    _, origin = expand(
        [turn], neighbour_requests([turn], MemoryFilter("acme"), 2, 3600.0)[1:], [same], {1.0: turn}, 0.9
    )
    assert set(origin) == {"c:1", "c:2"}


def test_a_neighbour_carries_its_own_speaker_term_not_its_turns() -> None:
    now = 10_000.0
    signal = SpeakerSignal(("how", "does", "mel", "unwind"), 0.05)
    policy = RankingPolicy(POLICIES[MemoryType.EPISODIC], now, signals={SPEAKER: signal})
    base = {"occurred_ts": 5_000.0, "user_id": "u1", "tenant": "acme"}
    asks = hit("asks", 0.8, seq=1.0, speaker=["caroline"], **base)  # the question: its words match
    answers = StoredPoint("answers", {"speaker": ["mel"]})  # the answer, said by whom the query names
    said = hit("said", 0.75 + 0.05, seq=9.0, speaker=["mel"], **base)  # Mel's own hit, lifted
    said_next = StoredPoint("said-next", {"speaker": ["caroline"]})
    requests = neighbour_requests([asks, said], MemoryFilter("acme"), 1, 3600.0)
    found = [[], [answers], [], [said_next]]
    turns = {1.0: asks, 9.0: said}
    merged, origin = expand([asks, said], requests, found, turns, 0.9, partial(policy.contribution, SPEAKER))
    scores = {h.id: h.score for h in merged}
    assert scores["answers"] == pytest.approx(0.8 * 0.9 + 0.05)  # above the lifted turn's own neighbours
    assert scores["said-next"] == pytest.approx(0.75 * 0.9)  # Mel's lift is not passed on to Caroline
    assert origin["answers"].speaker == pytest.approx(0.05) and origin["said-next"].speaker == 0.0
    plain, _ = expand([asks, said], requests, found, turns, 0.9)  # without the term: as before
    assert {h.id: h.score for h in plain}["answers"] == pytest.approx(0.72)


def test_request_weights_override_a_type_and_leave_the_others() -> None:
    options = RankingOptions(weights={MemoryType.EPISODIC: TypeWeights(recency=0.0, half_life_days=30)})
    tuning = resolve_tuning(RetrievalConfig(), options)
    episodic = tuning.policies[MemoryType.EPISODIC]
    assert episodic.w_recency == 0.0 and episodic.half_life_days == 30
    assert episodic.w_similarity == POLICIES[MemoryType.EPISODIC].w_similarity
    assert tuning.policies[MemoryType.SEMANTIC] == POLICIES[MemoryType.SEMANTIC]


def test_a_named_time_is_a_formula_term_that_explain_shows() -> None:
    window = TimeWindow(datetime(2023, 5, 1, tzinfo=UTC), datetime(2023, 6, 1, tzinfo=UTC), "last May")
    boost = TimeBoost(window, 0.2, slack_s=86_400.0)
    policy = RankingPolicy(
        POLICIES[MemoryType.EPISODIC], window.end.timestamp(), signals={TimeTerm.name: boost}
    )
    inside = policy.explain({"occurred_ts": window.start.timestamp() + 10}, 0.5)
    told_after = policy.explain({"occurred_ts": window.end.timestamp() + 3600}, 0.5)
    outside = policy.explain({"occurred_ts": window.start.timestamp() - 10}, 0.5)
    assert inside.components["time"].contribution == 0.2
    assert told_after.components["time"].value == 1.0  # within the slack
    assert outside.components["time"].value == 0.0


def test_asking_for_superseded_versions_keeps_copies_unless_told_otherwise() -> None:
    assert resolve_tuning(RetrievalConfig(), None).diversity == RetrievalConfig().diversity
    assert resolve_tuning(RetrievalConfig(), None, include_superseded=True).diversity == 0.0
    asked = RankingOptions(diversity=0.5)
    assert resolve_tuning(RetrievalConfig(), asked, include_superseded=True).diversity == 0.5


def test_candidate_lists_follow_the_shares_and_what_each_type_holds() -> None:
    # 16 tokens a candidate, 16..256 candidates, prefetch 2x in 64..512 (stages/sizing.py)
    weights = {MemoryType.EPISODIC: 0.3, MemoryType.SEMANTIC: 0.7}
    full = candidate_limits(2048, weights, {MemoryType.EPISODIC: 10**6, MemoryType.SEMANTIC: 10**6})
    assert full == {MemoryType.EPISODIC: (39, 78), MemoryType.SEMANTIC: (90, 180)}
    # Only episodic memories in scope (a conversation log): episodic is sized for the whole budget.
    alone = candidate_limits(2048, weights, {MemoryType.EPISODIC: 10**6, MemoryType.SEMANTIC: 0})
    assert alone == {MemoryType.EPISODIC: (128, 256), MemoryType.SEMANTIC: (16, 64)}


def test_full_lists_of_short_lines_are_searched_again_deeper() -> None:
    search = SearchRequest(MemoryType.SEMANTIC, [1.0, 0.0], MemoryFilter("acme"), 20, 64)

    def hits(count: int, line_tokens: int) -> dict[MemoryType, list[ScoredPoint]]:
        payload = {"line_tokens": {"cl100k_base": line_tokens}, "line_format": LINE_FORMAT}
        return {MemoryType.SEMANTIC: [ScoredPoint(str(i), 1.0 - i / 100, payload) for i in range(count)]}

    # 20 lines of 8 tokens fill half of what 20 candidates were sized for (20 × 16): twice as deep.
    [deeper] = deeper_searches([search], hits(20, 8), "cl100k_base")
    assert (deeper.limit, deeper.prefetch_limit) == (40, 80)
    assert deeper_searches([search], hits(19, 8), "cl100k_base") == []  # the type has no more
    assert deeper_searches([search], hits(20, 13), "cl100k_base") == []  # nearly as long as assumed


def test_large_counts_stand_in_only_while_fresh_and_large_enough() -> None:
    memo, alice, bob = LargeCounts(ttl_s=10.0), MemoryFilter(tenant="t"), MemoryFilter(tenant="u")
    memo.note(MemoryType.SEMANTIC, alice, 500, now=0.0)
    assert memo.at_least(MemoryType.SEMANTIC, alice, enough=100, now=5.0) == 500
    assert (
        memo.at_least(MemoryType.SEMANTIC, alice, enough=501, now=5.0) is None
    )  # a bigger list: count afresh
    assert memo.at_least(MemoryType.SEMANTIC, alice, enough=100, now=10.5) is None  # expired
    assert memo.at_least(MemoryType.SEMANTIC, bob, enough=1, now=5.0) is None  # another filter
    assert memo.at_least(MemoryType.EPISODIC, alice, enough=1, now=5.0) is None  # another type
