"""The searches of a retrieval's rounds, built from its plan and query vectors: one per type (sized
by mnemo.retrieval.stages.sizing), the trigger search of pending intentions, and the relevance stage
run alone for `explain`. Pure: the search stage (search.py) sends them and reads the answers here."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from ...memtypes.queries import Fusion, MemoryFilter, ScoredPoint, SearchRequest
from ...memtypes.types import INTENTION_TYPE, SPECS, MemoryType
from ..ranking.terms.base import STAGE_SCORE
from ..ranking.terms.intentions import DueWindowTerm, TriggerTerm
from ..ranking.times.task_questions import TaskQuestion
from .named_triggers import NamedDue, NamedTrigger, lists_topic_reminders, reads_trigger_names
from .plan import ReadPlan


def in_order(points: Sequence[ScoredPoint]) -> list[ScoredPoint]:
    """Best first, equal scores by id. An engine returns equal scores in no fixed order (copies of
    one text, turns of one session) and every later step sorts stably: without this tie-break the
    same question over the same store could be answered in another order."""
    return sorted(points, key=lambda p: (-p.score, p.id))


def merge_hits(first: list[ScoredPoint], second: list[ScoredPoint]) -> list[ScoredPoint]:
    seen = {p.id for p in first}
    return in_order([*first, *(p for p in second if p.id not in seen)])


def stage_runs(searches: list[SearchRequest], fusion: Fusion) -> list[list[SearchRequest]]:
    """The relevance stage of each formula-ranked search, run alone, to learn the `$score` its formula
    saw (for hybrid search a fused score no vector reproduces). Linear fusion saw two scores (dense,
    BM25): its stage is one run per list."""
    runs = []
    for s in searches:
        if s.formula is None:
            continue  # the search's own scores are the stage's
        # Each list alone, at its full depth: a two-stage cut would hide scores the first stage saw.
        # Only ids and scores are read from a run: no payloads.
        s = replace(s, stage_formula=None, stage_limit=None, limit=s.prefetch_limit, payload_limit=0)
        if s.fused and fusion is Fusion.LINEAR:  # (one replace: a fused linear search needs a formula)
            runs.append([replace(s, sparse=None, formula=None), replace(s, vector=None, formula=None)])
        else:
            runs.append([replace(s, formula=None)])
    return runs


def stage_scores(
    runs: list[list[SearchRequest]], results: list[list[ScoredPoint]]
) -> dict[str, tuple[float, ...]]:
    """Point id → the relevance stage's score(s). A point missing from one list scored 0 there, as
    the formula's defaults say; the first run that found a point (the main search's) wins."""
    out: dict[str, tuple[float, ...]] = {}
    position = 0
    for run in runs:
        found = results[position : position + len(run)]
        position += len(run)
        if len(found) == 1:  # one list: each point's own score (most runs; no union to build)
            for p in found[0]:
                out.setdefault(p.id, (p.score,))
            continue
        lists = [{p.id: p.score for p in points} for points in found]
        for pid in set().union(*lists):
            out.setdefault(pid, tuple(scores.get(pid, 0.0) for scores in lists))
    return out


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
        # Head and reserve apart: past the head, points come without payloads.
        typed = [
            (s, in_order(points[: s.limit]) + in_order(points[s.limit :]))
            for s, points in zip(self.typed, results, strict=False)
        ]
        # A hit without a payload is one whose payload was not read (past `payload_limit`, where a
        # point deleted meanwhile shortened the head) or is gone: unusable either way.
        hits = {s.memory_type: [p for p in points[: s.limit] if p.payload] for s, points in typed}
        reserve = {s.memory_type: points for s, points in typed if len(points) > s.limit}
        for extra in results[len(self.typed) : self.ranked]:  # the triggers' and due window's searches
            hits[INTENTION_TYPE] = merge_hits(hits[INTENTION_TYPE], extra)
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

    def __init__(self, plan: ReadPlan, dense: list[float] | None) -> None:
        assert plan.tuning is not None
        self.plan, self.tuning, self.model = plan, plan.tuning, plan.model
        self.dense, self.sparse = dense, plan.sparse
        # Two-stage ranking where the relevance stage is a formula of its own (linear fusion). Not
        # for intentions, whose due dates and triggers outweigh relevance, nor where relevance has
        # no weight: a cut by relevance would drop what the rest of the formula puts first.
        linear = dense is not None and self.sparse is not None and self.tuning.fusion is Fusion.LINEAR
        self.two_stage = linear and self.model.sizing.stage_factor > 0

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
            rrf_k=self.model.relevance.rrf_k,
            stage_formula=policy.relevance if staged else None,
            stage_limit=min(depth, hits * self.model.sizing.stage_factor) if staged else None,
        )

    def first_round(self, limits: Mapping[MemoryType, tuple[int, int]]) -> SearchPlan:
        types, filters = self.plan.resolved.types, self.plan.filters or {}
        searches = [self.search(t, filters[t], *limits[t]) for t in types]
        policies = self.plan.policies
        # The query's trigger phrase keys: the trigger term's signal.
        phrases = (
            policies[INTENTION_TYPE].signals.get(TriggerTerm.name) if INTENTION_TYPE in policies else None
        )
        if phrases:
            # Pending intentions whose trigger phrase occurs in the query surface even when their
            # relevance is too low for the prefetch: a second, trigger-filtered search.
            triggered = replace(filters[INTENTION_TYPE], status="pending", trigger_keys=phrases)
            trigger_hits = self.model.intentions.trigger_hits
            searches.append(self.search(INTENTION_TYPE, triggered, trigger_hits, trigger_hits))
        named_hits = self.model.intentions.named_trigger_hits
        if named_hits and self.model.runs_stage(NamedTrigger.name) and reads_trigger_names(self.plan):
            # A question about what to do that names no time, or news that someone has come, reads
            # the pending intentions with a trigger for the names their triggers say
            # (stages/named_triggers.py): a search of them.
            named = replace(filters[INTENTION_TYPE], status="pending", triggered=True)
            searches.append(self.search(INTENTION_TYPE, named, named_hits, named_hits))
        if named_hits and self.model.runs_stage(NamedDue.name) and lists_topic_reminders(self.plan):
            # A question about what to do that names whom or what it is about ("what dad-related
            # things do I still need to do?", "what's coming up for Fiadh?") lists every pending
            # reminder of it, the one due in months and the one waiting for an occasion, not only
            # those its due date lifts into the type's own search: a search of the pending ones by
            # relevance.
            pending = replace(filters[INTENTION_TYPE], status="pending")
            searches.append(self.search(INTENTION_TYPE, pending, named_hits, named_hits))
        asked: TaskQuestion | None = (
            policies[INTENTION_TYPE].signals.get(DueWindowTerm.name) if INTENTION_TYPE in policies else None
        )
        window_hits = self.model.due_window.hits
        if asked is not None and asked.window is not None and window_hits:
            # Every pending item due in the window is a candidate, not only those the prefetch's
            # relevance reaches ("what's on my plate next week?" shares no word with them): a
            # second, window-filtered search.
            due = replace(
                filters[INTENTION_TYPE],
                status="pending",
                due_from=asked.window.start.timestamp(),
                due_before=asked.window.end.timestamp(),
            )
            searches.append(self.search(INTENTION_TYPE, due, window_hits, window_hits))
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
