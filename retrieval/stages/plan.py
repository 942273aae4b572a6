"""Stage 1 of a retrieval, the plan: the request resolved against the service's defaults (budget,
encoding, types, time), each type's share of the budget and filter, the query's sparse vector, and
the ranking policy of each type. Pure: no I/O, nothing awaited. The stages that follow (search, rank,
pack, expand; mnemo.retrieval.pipeline runs them) read what they need from the `ReadPlan`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from ...memtypes.errors import FieldProblem, InvalidInput
from ...memtypes.language.text import typed_form, with_kin_words, without_newest_words
from ...memtypes.models import ModelSpec, resolve_model
from ...memtypes.ports import SparseEncoder
from ...memtypes.queries import MemoryFilter, SparseVector, current_at
from ...memtypes.requests import RetrieveRequest, SearchMode
from ...memtypes.types import POLICIES, SCRATCHPAD_TYPE, MemoryType
from ...memtypes.zones import zone
from ..options import RetrievalConfig, Tuning, resolve_tuning
from ..ranking.model import DEFAULT_MODEL, RankingModel
from ..ranking.policy import RankingPolicy, ranking_policies
from ..ranking.times.event_anchors import AnchorClause, EventAnchor, without_clause


@dataclass(frozen=True)
class ResolvedRequest:
    budget: int
    encoding: str
    types: tuple[MemoryType, ...]
    weights: Mapping[MemoryType, float]  # each type's share of the budget
    now: datetime
    working_budget: int = 0  # tokens for the task's working memory, on top of `budget`
    exact: bool = True  # counted with the model's own tokenizer (False: an estimate with a margin)
    min_confidence: float = 0.0  # the confidence floor: the request's, else the service's default


@dataclass(frozen=True)
class ReadPlan:
    """What one request asks for, every default resolved: what the stages search, rank, pack and
    explain by."""

    request: RetrieveRequest
    resolved: ResolvedRequest
    policies: Mapping[MemoryType, RankingPolicy]
    tenant: str = ""
    tuning: Tuning | None = None
    base_filter: MemoryFilter | None = None  # the tenant, scope and versions asked for
    filters: Mapping[MemoryType, MemoryFilter] | None = None  # per type: the base, in its namespaces
    sparse: SparseVector | None = None  # the query's BM25 vector (None: dense search only)
    model: RankingModel = DEFAULT_MODEL  # the retriever's: what every stage and term ranks by
    anchor: EventAnchor | None = None  # the event the query times its question by, as found
    # The query as it was asked, where its readings read it as typed (`typed_form`): the dense vector
    # is embedded from it (the embedder reads speech as it reads writing). "" when the two are one.
    said: str = ""

    @property
    def embedded_text(self) -> str:
        """What the dense query vector is embedded from."""
        return self.said or self.request.query


def anchored_plan(plan: ReadPlan, config: RetrievalConfig, anchor: EventAnchor) -> ReadPlan:
    """`plan` with the window of the event its query names (stages/event_anchor.py): the ranking
    policies read it as a named time."""
    assert plan.tuning is not None
    query, resolved = plan.request.query, plan.resolved
    fused = _fused(plan.sparse, plan.tuning)
    policies = ranking_policies(
        query, resolved.types, resolved.now, plan.tuning, config, fused, plan.model, anchor.window
    )
    return replace(plan, policies=policies, anchor=anchor)


def searched_without_clause(
    plan: ReadPlan, clause: AnchorClause, sparse_encoder: SparseEncoder | None
) -> ReadPlan:
    """`plan` whose lexical search weighs the words that only time its question by an event ("since
    Dean took over from Lucy") less than its own (the model's `clause_word_weight`): the names in
    them are in many memories about anything, and matched in full, lift those above the ones the
    question asks for. Its window is the time term's to apply."""
    if plan.sparse is None or sparse_encoder is None or clause.ahead:
        return plan
    own = sparse_encoder.query(without_clause(plan.request.query, clause))
    if not own.indices:
        return plan
    weight = plan.model.event_anchor.clause_word_weight
    own_values = dict(zip(own.indices, own.values, strict=True))
    whole = plan.sparse
    weighed = [(i, own_values.get(i, v * weight)) for i, v in zip(whole.indices, whole.values, strict=True)]
    kept = [(i, v) for i, v in weighed if v > 0]
    return replace(plan, sparse=SparseVector(tuple(i for i, _ in kept), tuple(v for _, v in kept)))


def _fused(sparse: SparseVector | None, tuning: Tuning) -> bool:
    """Both vectors are searched: unless the request searches the sparse one alone (and has one)."""
    return sparse is not None and tuning.search is not SearchMode.SPARSE


def plan_retrieval(
    tenant: str,
    request: RetrieveRequest,
    namespaces: Mapping[MemoryType, tuple[str, ...]] | None,
    config: RetrievalConfig,
    default_encoding: str,
    models: Mapping[str, ModelSpec],
    sparse_encoder: SparseEncoder | None,
    model: RankingModel,
) -> ReadPlan:
    """The whole plan of one retrieval by `model`; 422 for a request that means nothing.
    `namespaces` (from an agent's bindings) confines each type to the namespaces holding it."""
    typed = typed_form(request.query)
    said = request.query if typed != request.query else ""
    if said:  # a spoken or hastily typed question is read as its typed form
        request = request.model_copy(update={"query": typed})
    resolved = resolve(request, config, default_encoding, models)
    tuning = resolve_tuning(config, request.ranking, request.include_superseded)
    base = MemoryFilter(
        tenant=tenant,
        scope=request.scope,
        include_superseded=request.include_superseded,
        now=current_at(resolved.now),
        as_of=request.as_of.as_of() if request.as_of is not None else None,
    )
    filters = {
        t: base if namespaces is None else replace(base, namespaces=namespaces[t]) for t in resolved.types
    }
    sparse = None
    if tuning.search is not SearchMode.DENSE and sparse_encoder is not None:
        # A parent called by another word than the notes' ("my father", "dad") is still matched; the
        # word that picks the newest occasion ("my last PM") is not matched in notes' own.
        sparse = sparse_encoder.query(with_kin_words(without_newest_words(request.query)))
        if not sparse.indices:  # nothing but stop words: BM25 has nothing to match
            sparse = None
    fused = _fused(sparse, tuning)
    policies = ranking_policies(request.query, resolved.types, resolved.now, tuning, config, fused, model)
    return ReadPlan(request, resolved, policies, tenant, tuning, base, filters, sparse, model, said=said)


def resolve(
    request: RetrieveRequest, config: RetrievalConfig, default_encoding: str, models: Mapping[str, ModelSpec]
) -> ResolvedRequest:
    """The budget, encoding, types and their shares, and time of a request, in one pass: first what
    the request says against itself (422 for combinations that mean nothing), then the model it names."""
    if request.budget_tokens is not None and request.model is not None:
        raise InvalidInput(
            "give either budget_tokens or model, not both",
            problems=[FieldProblem("budget_tokens", "conflicts with model")],
        )
    types = tuple(request.types)
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
    weights = normalize_allocation(
        types, {t: POLICIES[t].budget_share for t in MemoryType}, request.allocation
    )
    # In the asker's zone: the days a question names are theirs.
    now = request.now or datetime.now(UTC)
    if request.timezone is not None:
        now = now.astimezone(zone(request.timezone))
    floor = config.default_min_confidence if request.min_confidence is None else request.min_confidence
    encoding = default_encoding
    budget = request.budget_tokens or config.default_budget_tokens
    exact = True
    if request.model is not None:
        spec = resolve_model(request.model, models)
        encoding = spec.encoding
        budget = max(1, int(spec.context_window * config.model_budget_share))
        exact = spec.exact
    return ResolvedRequest(budget, encoding, types, weights, now, working_budget, exact, floor)


def normalize_allocation(
    types: Sequence[MemoryType], defaults: Mapping[MemoryType, float], override: Mapping[str, float] | None
) -> dict[MemoryType, float]:
    """Budget weights of the requested types, summing to 1. An override names some or all types."""
    weights = {t: defaults[t] for t in types}
    if override:
        problems = []
        for name, value in override.items():
            try:
                memory_type = MemoryType(name)
            except ValueError:
                problems.append(FieldProblem(f"allocation.{name}", "not a memory type"))
                continue
            if memory_type not in weights:
                problems.append(FieldProblem(f"allocation.{name}", "type is not among the requested types"))
            elif not 0.0 <= value <= 1.0:
                problems.append(FieldProblem(f"allocation.{name}", "must be between 0 and 1"))
            else:
                weights[memory_type] = value
        if problems:
            raise InvalidInput("invalid allocation", problems=problems)
    total = sum(weights.values())
    if total <= 0:
        # Every weight zero (e.g. only `working` requested): share the budget equally.
        return {t: 1.0 / len(types) for t in types}
    return {t: w / total for t, w in weights.items()}
