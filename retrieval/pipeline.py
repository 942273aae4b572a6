"""The read path, as five stages in order: plan → search → rank → pack → expand, then the response.

1. plan (stages/plan.py): the request resolved against the defaults, each type's budget share,
   filter and ranking policy (the registered ranking terms: ranking/terms/); for a query timed by an
   event ("since we moved"), the event found in the store and its window (stages/event_anchor.py).
2. search (stages/search.py): the query embedded once while working memory is read and each type's
   list is sized (stages/sizing.py); one batched search (stages/search_plan.py) per round;
3. rank (stages/rank.py): near-duplicates dropped; then the post-engine stages of the round phase
   (`POST_STAGES`): newer statements lifted;
4. pack (stages/pack.py): each line priced once, the budget packed; a first round that leaves it
   underfilled with short lines is followed by one deeper round (2–4 again, inside search);
5. the post-engine stages of the final phase: the neighbours of the selected conversation turns
   offered too (stages/expand.py); for a question that asks when, events lifted above the other
   types' hits (stages/when_events.py); for a question that asks for several things, the turns
   spread over their sessions (stages/session_spread.py).
Then stages/respond.py packs the final hits, renders the context, explains, accounts every token.

Every score change after the engine's is a registered post-engine stage (stages/post.py): a name, a
weight, and for each hit it changes an adjustment that `explain` shows by itself.

What the stages and terms rank by beyond the request and the settings is the retriever's ranking
model (ranking/model.py): which terms and stages run, their fitted constants, the confidence
calibration. It travels on the plan (`ReadPlan.model`); nothing reads it from a module.

This module holds the engines and runs the stages; what each decides lives in its own module.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from ..memtypes.errors import TypeUnavailable
from ..memtypes.models import MODEL_REGISTRY, ModelSpec
from ..memtypes.ports import Availability, Embedder, SparseEncoder, Tokenizers, VectorIndex
from ..memtypes.requests import RetrieveRequest, RetrieveResponse
from ..memtypes.types import MemoryType
from ..sessions.ports import WorkingStore
from .options import RetrievalConfig
from .ranking import terms
from .ranking.asked.evidence import warm
from .ranking.model import DEFAULT_MODEL, PRESETS, RankingModel, varied
from .stages.asked_value_first import AskedValueFirst
from .stages.changed_events import EventsOverStatements
from .stages.dense_floor import DenseFloor
from .stages.done_events import DoneByEvent
from .stages.event_anchor import asks_by_event, find_anchor
from .stages.expand import Neighbours
from .stages.named_triggers import NamedDue, NamedTrigger, UnnamedDue
from .stages.pack import LinePrices, Priced
from .stages.plan import (
    ReadPlan,
    ResolvedRequest,
    anchored_plan,
    plan_retrieval,
    resolve,
    searched_without_clause,
)
from .stages.post import Phase, PostStage, run_stages
from .stages.presentation import line_for
from .stages.rank import NewerFirst
from .stages.respond import assemble
from .stages.restated_details import RestatedDetails
from .stages.role_holders import RoleHolders
from .stages.search import Searcher
from .stages.session_spread import SessionSpread
from .stages.steps_first import StepsFirst
from .stages.validity import StaleLower, outdated_left_out
from .stages.version_ties import VersionTies
from .stages.when_events import WhenEvents

__all__ = ["RetrievalConfig", "Retriever", "line_for"]
log = logging.getLogger("mnemo.retrieval")
# The registered post-engine stages, in the order they run within their phase (stages/post.py).
POST_STAGES: tuple[PostStage, ...] = (
    NewerFirst(),
    EventsOverStatements(),
    StaleLower(),
    DoneByEvent(),
    NamedTrigger(),
    UnnamedDue(),
    NamedDue(),
    WhenEvents(),
    DenseFloor(),
    StepsFirst(),
    Neighbours(),
    SessionSpread(),
    VersionTies(),
    RestatedDetails(),
    RoleHolders(),
    AskedValueFirst(),
)


def check_model(model: RankingModel) -> RankingModel:
    """`model`, if every term and stage it leaves out is registered (`ValueError` naming those not:
    a misspelt name would leave everything on)."""
    unknown = model.terms_off - {t.name for t in terms.TERMS}
    unknown |= model.stages_off - {s.name for s in POST_STAGES}
    if unknown:
        raise ValueError(f"ranking model: no term or stage named {', '.join(sorted(unknown))}")
    return model


def ranking_variant(
    preset: str | None, changes: Mapping[str, Any], base: RankingModel | None = None
) -> RankingModel:
    """The ranking model a variant ranks by: the named preset, else `base` (None: the default), with
    each dotted path changed (`{"expand.neighbour_decay": 0.9}`); a ValueError names a preset, a
    path or a value the model has not."""
    if preset is not None and preset not in PRESETS:
        raise ValueError(f"ranking model preset {preset!r}: not one of {', '.join(PRESETS)}")
    start = PRESETS[preset] if preset is not None else base or DEFAULT_MODEL
    return check_model(varied(start, changes))


class Retriever:
    """The read path, ranking by `model` (default: what the service ranks by). Without a sparse
    encoder, every search is dense-only."""

    def __init__(
        self,
        index: VectorIndex,
        embedder: Embedder,
        tokenizers: Tokenizers,
        config: RetrievalConfig,
        working: WorkingStore | None = None,
        sparse: SparseEncoder | None = None,
        models: Mapping[str, ModelSpec] = MODEL_REGISTRY,
        model: RankingModel = DEFAULT_MODEL,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.tokenizers = tokenizers
        self.sparse = sparse
        warm()  # the word frequencies the confidence reads
        # Confidence is calibrated on one embedding model's cosines: under another, its values are
        # still given, but no default floor leaves memories out by them.
        fitted_for = str(model.calibration.about.get("embedding_model", ""))
        embedding_model = str(getattr(embedder, "model_name", ""))
        if fitted_for and embedding_model and embedding_model.rsplit("/", 1)[-1] != fitted_for:
            log.warning(
                "confidence is calibrated for %s, not %s: no default confidence floor",
                fitted_for,
                embedding_model,
            )
            config = config.model_copy(update={"default_min_confidence": 0.0})
        self.config = config
        self._model = check_model(model)
        self.models = models  # the built-in models and those MNEMO_CONFIG registers
        self.searcher = Searcher(index, embedder, working, sparse)
        # Shared across requests: a section header or a time header costs the same every time.
        self._header_tokens: dict[tuple[str, MemoryType], int] = {}
        self._group_tokens: dict[tuple[str, str], int] = {}
        self._lines: dict[tuple[str, MemoryType, str], tuple[Mapping[str, Any], Priced]] = {}
        self._degraded: tuple[float, frozenset[str]] = (0.0, frozenset())  # (read at, types)
        self._in_flight = 0  # retrievals started and not finished: one alone may take every core

    @property
    def model(self) -> RankingModel:
        """What this retriever ranks by; replaced whole (a benchmark's variant), never changed."""
        return self._model

    @model.setter
    def model(self, model: RankingModel) -> None:
        self._model = check_model(model)

    def resolve(self, request: RetrieveRequest) -> ResolvedRequest:
        return resolve(request, self.config, self.tokenizers.default, self.models)

    async def retrieve(
        self,
        tenant: str,
        request: RetrieveRequest,
        namespaces: Mapping[MemoryType, tuple[str, ...]] | None = None,
    ) -> RetrieveResponse:
        """`namespaces` (from an agent's bindings) confines each type to the namespaces holding it.
        A type whose store is unavailable (`TypeUnavailable`) is left out and named in
        `metadata.degraded`; the others are served (a request for that type alone gets the 503)."""
        skipped: list[str] = []
        while True:
            try:
                response = await self._retrieve(tenant, request, namespaces)
            except TypeUnavailable as exc:
                left = [t for t in request.types if t.value != exc.memory_type]
                if not left or len(left) == len(request.types):
                    raise
                skipped.append(exc.memory_type)
                allocation = {k: v for k, v in (request.allocation or {}).items() if k != exc.memory_type}
                request = request.model_copy(update={"types": left, "allocation": allocation or None})
                continue
            # A type served partly (records it cannot read left out) is named too.
            partly = [t.value for t in request.types if t.value in await self._degraded_types()]
            response.metadata.degraded = [*skipped, *partly, *response.metadata.degraded]
            return response

    async def _degraded_types(self) -> frozenset[str]:
        """The types the index serves only partly; read at most once a second (a Qdrant server's
        health is a call over the network)."""
        read_at, types = self._degraded
        if time.monotonic() - read_at > 1.0:
            health = await self.index.health()
            types = frozenset(t for t, a in health.types.items() if a.state is Availability.DEGRADED)
            self._degraded = (time.monotonic(), types)
        return types

    async def _anchored(self, plan: ReadPlan, timings: dict[str, float]) -> ReadPlan:
        """`plan`, with the window of the event its query times its question by where the store
        holds it (stages/event_anchor.py), and a lexical search that leaves out the clause's own
        words, found or not (they say when); a query naming none is not searched for one, and in a
        transcript the clause is read as words of the question."""
        clause = asks_by_event(plan)
        if clause is None:
            return plan
        started = time.perf_counter()
        found = await find_anchor(plan, clause, self.index, self.embedder)
        timings["anchor_ms"] = (time.perf_counter() - started) * 1000
        if found.transcript:
            return plan
        plan = searched_without_clause(plan, clause, self.sparse)
        return plan if found.anchor is None else anchored_plan(plan, self.config, found.anchor)

    async def _retrieve(
        self,
        tenant: str,
        request: RetrieveRequest,
        namespaces: Mapping[MemoryType, tuple[str, ...]] | None,
    ) -> RetrieveResponse:
        config, model = self.config, self.model
        plan = plan_retrieval(
            tenant, request, namespaces, config, self.tokenizers.default, self.models, self.sparse, model
        )
        prices = LinePrices(
            self.tokenizers, plan.resolved.encoding, self._header_tokens, self._group_tokens, self._lines
        )
        timings: dict[str, float] = {}
        plan = await self._anchored(plan, timings)
        self._in_flight += 1
        try:
            stages = tuple(s for s in POST_STAGES if model.runs_stage(s.name))
            found = await self.searcher.search(
                plan, config, prices, timings, lambda: self._in_flight == 1, stages
            )
            started = time.perf_counter()
            inputs = self.searcher.inputs(plan, config, found)
            await run_stages(stages, Phase.FINAL, inputs, found.hits, found.adjustments)
            found.cosines = await self.searcher.cosines(plan, found)
            timings["search_ms"] += (time.perf_counter() - started) * 1000
        finally:
            self._in_flight -= 1
        started = time.perf_counter()
        response = assemble(plan, found, prices)
        if response.left_out is not None:  # explained: what is outdated is left out too, with why
            response.left_out += await outdated_left_out(self.index, plan, inputs.query_vector)
        timings["pack_ms"] = (time.perf_counter() - started) * 1000
        response.metadata.timings_ms = timings
        response.metadata.degraded = found.degraded
        return response
