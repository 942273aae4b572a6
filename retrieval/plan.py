"""A retrieval's plan: the request resolved against the service's defaults, the ranking policy of
each type, and the searches to run (one per type, the trigger search of pending intentions, the
stage runs that `explain` reports). Pure: no I/O, nothing awaited."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from ..memtypes.errors import FieldProblem, InvalidInput
from ..memtypes.language.speakers import speakers_asked_about
from ..memtypes.language.text import phrase_keys_in
from ..memtypes.language.time_mentions import asks_when
from ..memtypes.models import ModelSpec, resolve_model
from ..memtypes.queries import Fusion, MemoryFilter, ScoredPoint, SearchRequest, SparseVector
from ..memtypes.requests import RetrieveRequest
from ..memtypes.types import INTENTION_TYPE, SCRATCHPAD_TYPE, SPECS, MemoryType
from .options import RetrievalConfig, Tuning
from .policy import STAGE_SCORE, RankingPolicy, TimeBoost
from .stages import merge_hits, stage_runs, stage_scores
from .temporal import parse_time_window

TRIGGER_HITS = 5  # pending intentions a trigger phrase in the query may surface


@dataclass(frozen=True)
class ResolvedRequest:
    budget: int
    encoding: str
    types: tuple[MemoryType, ...]
    now: datetime
    working_budget: int = 0  # tokens for the task's working memory, on top of `budget`
    exact: bool = True  # counted with the model's own tokenizer (False: an estimate with a margin)


@dataclass(frozen=True)
class ReadPlan:
    """What one request asks for, every default resolved: what `assemble` packs and explains by."""

    request: RetrieveRequest
    resolved: ResolvedRequest
    weights: Mapping[MemoryType, float]  # each type's share of the budget
    policies: Mapping[MemoryType, RankingPolicy]


def resolve(
    request: RetrieveRequest, config: RetrievalConfig, default_encoding: str, models: Mapping[str, ModelSpec]
) -> ResolvedRequest:
    """The budget, encoding, types and time of a request; 422 for combinations that mean nothing."""
    if request.budget_tokens is not None and request.model is not None:
        raise InvalidInput(
            "give either budget_tokens or model, not both",
            problems=[FieldProblem("budget_tokens", "conflicts with model")],
        )
    encoding = default_encoding
    budget = request.budget_tokens or config.default_budget_tokens
    exact = True
    if request.model is not None:
        spec = resolve_model(request.model, models)
        encoding = spec.encoding
        budget = max(1, int(spec.context_window * config.model_budget_share))
        exact = spec.exact
    types = tuple(request.types)
    now = (request.now or datetime.now(UTC)).astimezone(UTC)
    working_budget = 0
    if request.task_id is None and request.working_budget_tokens is not None:
        raise InvalidInput(
            "working_budget_tokens needs a task_id",
            problems=[FieldProblem("working_budget_tokens", "given without task_id")],
        )
    if request.task_id is not None:
        if SCRATCHPAD_TYPE in types:
            # Both would render as one "Working memory" section with two sets of accounts.
            raise InvalidInput(
                "type `working` searches the archive of cleared tasks; with task_id the task's live "
                "working memory comes first anyway: ask for one or the other",
                problems=[FieldProblem("types", "`working` together with task_id")],
            )
        working_budget = request.working_budget_tokens or config.default_working_budget_tokens
    return ResolvedRequest(budget, encoding, types, now, working_budget, exact)


def ranking_policies(
    request: RetrieveRequest,
    resolved: ResolvedRequest,
    tuning: Tuning,
    config: RetrievalConfig,
    fused: bool,
) -> dict[MemoryType, RankingPolicy]:
    """Each type's formula: relevance only, or with recency, importance, triggers and a time boost."""
    now_ts = resolved.now.timestamp()
    relevance = tuning.relevance(fused)
    if not tuning.formula:
        return {
            t: RankingPolicy.relevance_only(tuning.policies[t], now_ts, relevance) for t in resolved.types
        }
    phrases = phrase_keys_in(request.query)
    window = parse_time_window(request.query, resolved.now) if tuning.temporal else None
    boost = TimeBoost(window, config.time_weight, config.time_slack_s) if window else None
    # A when-question lifts memories that state a time (off with the time parser: `temporal`).
    # Memories written before the flag existed lack it and are simply not lifted.
    tells_time = config.tells_time_weight if tuning.temporal and asks_when(request.query) else 0.0
    speakers = speakers_asked_about(request.query) if config.speaker_weight else ()
    return {
        t: RankingPolicy(
            tuning.policies[t],
            now_ts,
            phrases if SPECS[t].due_dated else (),
            relevance=relevance,
            time_boost=boost if not SPECS[t].due_dated else None,
            tells_time_weight=tells_time if not SPECS[t].due_dated else 0.0,
            # Only conversation turns have speakers (mnemo.memtypes.records).
            speaker_keys=speakers if SPECS[t].holds_events else (),
            speaker_weight=config.speaker_weight,
        )
        for t in resolved.types
    }


@dataclass(frozen=True)
class SearchPlan:
    """The searches of one round, in one batch: one per type (`typed`), perhaps the trigger search,
    then the stage runs (`explain` only).

    `typed` are the types' searches as sized; the engine may be asked for more of a type (`requests`):
    see `SearchPlanner.first_round`."""

    requests: list[SearchRequest]
    typed: list[SearchRequest]
    ranked: int  # the searches before the stage runs
    runs: list[list[SearchRequest]]

    def hits(self, results: Sequence[list[ScoredPoint]]) -> RoundHits:
        """Each type's hits (the triggered intentions merged in), cut to its search's limit; what
        came back past the limit (the reserve); the stage scores by id."""
        typed = list(zip(self.typed, results, strict=False))
        # A hit without a payload is one whose payload was not read (past `payload_limit`, where a
        # point deleted meanwhile shortened the head) or is gone: unusable either way.
        hits = {s.memory_type: [p for p in points[: s.limit] if p.payload] for s, points in typed}
        reserve = {s.memory_type: points for s, points in typed if len(points) > s.limit}
        if self.ranked > len(self.typed):
            hits[INTENTION_TYPE] = merge_hits(hits[INTENTION_TYPE], results[self.ranked - 1])
        return RoundHits(hits, reserve, stage_scores(self.runs, list(results[self.ranked :])))


@dataclass(frozen=True)
class RoundHits:
    hits: dict[MemoryType, list[ScoredPoint]]
    # A type's whole ranked list where the engine returned more than its limit (best first; the
    # hits are its head): a deeper search of the same type that asks for no more is answered from it.
    # Past the head its points may lack payloads (`SearchRequest.payload_limit`): read them to use them.
    reserve: dict[MemoryType, list[ScoredPoint]]
    relevance: dict[str, tuple[float, ...]]


class SearchPlanner:
    """Builds the search requests of one retrieval from its vectors and policies."""

    def __init__(
        self,
        plan: ReadPlan,
        tuning: Tuning,
        config: RetrievalConfig,
        dense: list[float] | None,
        sparse: SparseVector | None,
    ) -> None:
        self.plan, self.tuning, self.config = plan, tuning, config
        self.dense, self.sparse = dense, sparse
        # Two-stage ranking where the relevance stage is a formula of its own (linear fusion). Not
        # for intentions, whose due dates and triggers outweigh relevance, nor where relevance has
        # no weight: a cut by relevance would drop what the rest of the formula puts first.
        linear = dense is not None and sparse is not None and tuning.fusion is Fusion.LINEAR
        self.two_stage = linear and config.stage_factor > 0

    def search(self, memory_type: MemoryType, where: MemoryFilter, hits: int, depth: int) -> SearchRequest:
        policy = self.plan.policies[memory_type]
        relevant = policy.policy.w_similarity > 0 and not SPECS[memory_type].due_dated
        staged = self.two_stage and policy.ranks_in_engine and relevant
        return SearchRequest(
            memory_type,
            self.dense,
            where,
            hits,
            depth,
            policy.formula(relevance=STAGE_SCORE if staged else None),
            sparse=self.sparse,
            fusion=self.tuning.fusion,
            rrf_k=self.tuning.rrf_k,
            stage_formula=policy.relevance if staged else None,
            stage_limit=min(depth, hits * self.config.stage_factor) if staged else None,
        )

    def first_round(
        self, filters: Mapping[MemoryType, MemoryFilter], limits: Mapping[MemoryType, tuple[int, int]]
    ) -> SearchPlan:
        types = self.plan.resolved.types
        searches = [self.search(t, filters[t], *limits[t]) for t in types]
        policies = self.plan.policies
        if INTENTION_TYPE in policies and policies[INTENTION_TYPE].query_phrases:
            # Pending intentions whose trigger phrase occurs in the query surface even when their
            # relevance is too low for the prefetch: a second, trigger-filtered search.
            phrases = policies[INTENTION_TYPE].query_phrases
            triggered = replace(filters[INTENTION_TYPE], status="pending", trigger_keys=phrases)
            searches.append(self.search(INTENTION_TYPE, triggered, TRIGGER_HITS, TRIGGER_HITS))
        # A two-stage search's formula ranks its whole stage (`stage_limit` candidates) anyway: the
        # engine returns all of them, best first, and the ones past `limit` are kept in reserve. A
        # list of lines shorter than it was sized for is then deepened from the reserve instead of by
        # a second search round (at 1M memories 35 % of retrievals took one, ~13 ms each). The
        # reserve comes without payloads: most of it is never used, and at 1M memories reading them
        # (mostly cache misses) cost ~2.8 ms of every first round.
        engine = [replace(s, limit=max(s.limit, s.stage_limit or 0), payload_limit=s.limit) for s in searches]
        return self._with_runs(engine, typed=searches[: len(types)])

    def deeper_round(self, deeper: list[SearchRequest]) -> SearchPlan:
        return self._with_runs(deeper, typed=deeper)

    def _with_runs(self, searches: list[SearchRequest], typed: list[SearchRequest]) -> SearchPlan:
        runs = stage_runs(searches, self.tuning.fusion) if self.plan.request.explain else []
        requests = [*searches, *(run for group in runs for run in group)]
        return SearchPlan(requests, typed, len(searches), runs)
