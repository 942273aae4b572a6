"""Prometheus metrics: the collectors, what fills them, and the `/metrics` endpoint.

Each app has its own `CollectorRegistry` (several apps in one test process do not clash). Litestar's
Prometheus plugin keeps its request metrics in a class-level dict registered in the global
registry, so its middleware and controller are subclassed to use the app's registry instead.

Nothing here is imported by the core packages (memtypes, ingest, retrieval; import-linter checks):
routes stay free of metric calls too. The `after_request` hook `record_response` looks at what a
route returned (a `RetrieveResponse`, a `WriteResponse`, an `AppendResult`) and records it in the
current app's metrics; engines report through their circuit breakers' listeners.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from aiobreaker import CircuitBreaker, CircuitBreakerListener
from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController, PrometheusMiddleware
from litestar.types import Receive, Scope, Send
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.metrics import MetricWrapperBase

from ...backends.circuit import state_name
from ...memtypes.errors import Unavailable
from ...memtypes.requests import RetrieveResponse
from ...memtypes.types import MemoryType
from ...sessions.working import AppendResult
from ...sessions.working_memory import SweepReport
from ..guards import connections
from .routes import WriteResponse

PREFIX = "mnemo"
_TYPE_STATE_LEVEL = {"healthy": 0, "degraded": 1, "unavailable": 2}
# Stage latencies are milliseconds to tens of milliseconds; request latencies reach seconds.
STAGE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
# Labels take values from these sets only (anything else is `other`): label cardinality stays bounded
# whatever a request or a future code path sends.
PREFILTER_REASONS = frozenset({"too_short", "no_words", "filler", "duplicate", "repeated_in_request"})
WRITE_STATUSES = frozenset({"created", "updated", "unchanged", "merged", "skipped", "failed"})
IMPORTANCE_TIERS = frozenset({"caller", "consensus", "single", "heuristic"})
BREAKER_STATES = {"closed": 0, "half_open": 1, "half-open": 1, "open": 2}


def _bounded(value: str | None, allowed: frozenset[str]) -> str:
    return value if value in allowed else "other"


class MnemoMetrics:
    """The app's collectors and the `record_*` functions that fill them."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        self._watched: set[str] = set()  # engines whose errors a breaker listener counts
        self._declare_retrieval()
        self._declare_writes()
        self._declare_background()
        self._declare_engines()
        self._declare_connections()

    def _declare_retrieval(self) -> None:
        """What retrievals returned: stage times, memories and tokens per type, parts missing."""
        self.retrieval_stage = Histogram(
            f"{PREFIX}_retrieval_stage_seconds",
            "Time spent in each stage of a retrieval (embed, search, pack, working)",
            ["stage"],
            buckets=STAGE_BUCKETS,
            registry=self.registry,
        )
        self.retrieved_tokens = self._counter(
            "retrieved_tokens", "Tokens of memory returned in retrieval contexts, per memory type", "type"
        )
        self.retrieved_items = self._counter(
            "retrieved_items", "Memories returned by retrievals, per memory type", "type"
        )
        self.trimmed_items = self._counter(
            "retrieval_trimmed_items",
            "Candidate memories left out because the budget was full, per memory type",
            "type",
        )
        self.degraded = self._counter(
            "retrieval_degraded",
            "Retrievals answered without a part (e.g. working_memory while Redis is down)",
            "part",
        )

    def _declare_writes(self) -> None:
        """What memory writes came to: outcomes, pre-filter drops, where importance came from."""
        self.writes = self._counter("memory_writes", "Memories written via the API, by outcome", "status")
        self.prefilter_drops = self._counter(
            "prefilter_drops", "Memories dropped by the pre-filter, by reason", "reason"
        )
        self.importance_tiers = self._counter(
            "importance_tier",
            "Stored memories by where their importance came from (caller, consensus, single, heuristic)",
            "tier",
        )

    def _declare_background(self) -> None:
        """Working memory's evictions and sweeps, and the erasure of forgotten text."""
        self.working_evictions = self._counter(
            "working_evicted_items", "Working-memory items evicted to stay under a task's token limit"
        )
        self.sweep_failures = self._counter(
            "working_sweep_failures",
            "Expired working-memory tasks the sweeper failed to archive (each quarantined, retried later)",
        )
        self.erasure_outcomes = self._counter(
            "forget_erasures",
            "Runs of a store's erasure of forgotten text from its files, by store and outcome "
            "(`failed` ones are retried)",
            "store",
            "outcome",
        )
        self.erasures_pending = self._gauge(
            "forget_erasures_pending",
            "Forgets whose removed text is still to be erased from the data dir's files (read at scrape)",
            mode="max",
        )
        self.sweep_quarantined = self._gauge(
            "working_quarantined_tasks",
            "Working-memory tasks in the sweeper's quarantine (any tenant's), after its last pass",
            mode="max",
        )

    def _declare_engines(self) -> None:
        """The engines' health: circuit breakers, each memory type's store, failed calls."""
        self.breaker_state = self._gauge(
            "circuit_breaker_state",
            "Circuit breaker state per engine: 0 closed, 1 half-open, 2 open",
            "engine",
            mode="max",
        )
        self.type_state = self._gauge(
            "memory_type_state",
            "Each memory type's store: 0 healthy, 1 degraded, 2 unavailable (reason in /ready)",
            "memory_type",
            mode="max",
        )
        self.engine_errors = self._counter(
            "engine_errors",
            "Failed calls to an engine (connection errors, timeouts), by engine and error kind",
            "engine",
            "kind",
        )

    def _declare_connections(self) -> None:
        """HTTP connections of `mnemo serve`: open, dropped, bodies that ended early."""
        self.connections_open = self._gauge(
            "http_connections_open", "Open HTTP connections of `mnemo serve` (read at scrape)", mode="sum"
        )
        self.connections_dropped = self._gauge(
            "http_connections_dropped",
            "HTTP connections closed by mnemo since start, by why: timed_out (headers or body too slow), "
            "evicted (the longest idle, for a new one at the cap), refused (503: at the cap, none idle)",
            "reason",
            mode="sum",
        )
        self.incomplete_bodies = self._counter(
            "http_incomplete_bodies",
            "Requests whose body ended early (the client went away, or was too slow): answered 400",
        )

    def _counter(self, name: str, documentation: str, *labels: str) -> Counter:
        return Counter(f"{PREFIX}_{name}", documentation, labels, registry=self.registry)

    def _gauge(self, name: str, documentation: str, *labels: str, mode: Literal["max", "sum"]) -> Gauge:
        """`mode`: how the values of several worker processes combine."""
        return Gauge(
            f"{PREFIX}_{name}", documentation, labels, registry=self.registry, multiprocess_mode=mode
        )

    # -- what the routes return -------------------------------------------------------------------

    def record_retrieval(self, response: RetrieveResponse) -> None:
        metadata = response.metadata
        for key, ms in metadata.timings_ms.items():
            self.retrieval_stage.labels(key.removesuffix("_ms")).observe(ms / 1000)
        for memory_type, usage in metadata.per_type.items():
            self.retrieved_tokens.labels(memory_type).inc(usage.tokens)
            self.retrieved_items.labels(memory_type).inc(usage.count)
            self.trimmed_items.labels(memory_type).inc(usage.trimmed)
        for part in metadata.degraded:
            self.degraded.labels(part).inc()

    def record_writes(self, results: Sequence[Any]) -> None:
        """`results`: objects with `status`, `reason` and `importance_tier` (the write route's)."""
        for result in results:
            status = _bounded(str(result.status), WRITE_STATUSES)
            self.writes.labels(status).inc()
            if status == "skipped":
                reason = (result.reason or "").split(" ", 1)[0]  # "duplicate of <id>" → duplicate
                self.prefilter_drops.labels(_bounded(reason, PREFILTER_REASONS)).inc()
            elif result.importance_tier is not None:
                self.importance_tiers.labels(_bounded(result.importance_tier, IMPORTANCE_TIERS)).inc()

    def record_working_append(self, result: AppendResult) -> None:
        self.working_evictions.inc(len(result.evicted))

    def record_erasure(self, store: str, outcome: str) -> None:
        self.erasure_outcomes.labels(store=store, outcome=outcome).inc()

    def record_sweep(self, report: SweepReport) -> None:
        self.sweep_failures.inc(len(report.failed))
        self.sweep_quarantined.set(report.quarantined)

    def record_response(self, content: object) -> None:
        """Record what a route returned, by its type."""
        if isinstance(content, RetrieveResponse):
            self.record_retrieval(content)
        elif isinstance(content, AppendResult):
            self.record_working_append(content)
        elif isinstance(content, WriteResponse):
            self.record_writes(content.results)

    # -- engines ----------------------------------------------------------------------------------

    def record_engine_error(self, engine: str, exc: BaseException) -> None:
        self.engine_errors.labels(engine, type(exc).__name__).inc()

    def record_failed_request(self, exc: BaseException) -> None:
        """An error that ended a request: an engine's when it came out of one of the engine adapters
        (or says which dependency is unavailable), unless a breaker listener counted it already."""
        engine = _engine_of(exc)
        if engine is not None and engine not in self._watched:
            self.record_engine_error(engine, exc)

    def set_type_states(self, states: Mapping[str, str]) -> None:
        """`states`: the state of each type that is not healthy, by type value; the rest are healthy."""
        for memory_type in MemoryType:
            level = _TYPE_STATE_LEVEL.get(states.get(memory_type.value, "healthy"), 0)
            self.type_state.labels(memory_type.value).set(level)

    def set_breaker_state(self, engine: str, state: str) -> None:
        self.breaker_state.labels(engine).set(BREAKER_STATES.get(state, 0))

    def watch_breaker(self, engine: str, breaker: CircuitBreaker) -> None:
        """Follow an aiobreaker breaker: its state as a gauge, each failure it counts as an error."""
        self._watched.add(engine)
        breaker.add_listener(_BreakerMetrics(self, engine))
        self.set_breaker_state(engine, state_name(breaker.current_state))


# The metrics of the app serving the current request, set by its Prometheus middleware. A per-app
# closure cannot be the hook: Litestar memoizes a route's after_request on the (module-level) route
# handler, so a second app in the process would record into the first app's registry.
_current_metrics: ContextVar[MnemoMetrics | None] = ContextVar("mnemo_metrics", default=None)


async def record_response(response: Response[Any]) -> Response[Any]:
    """The app's after_request hook."""
    if (metrics := _current_metrics.get()) is not None:
        metrics.record_response(response.content)
    return response


ExceptionHandler = Callable[[Request[Any, Any, Any], Any], Response[Any]]


def counting_engine_errors(handler: ExceptionHandler) -> ExceptionHandler:
    """Wrap a problem-details handler: the errors it answers with a 5xx are counted (per engine)."""

    def handle(request: Request[Any, Any, Any], exc: Any) -> Response[Any]:
        response = handler(request, exc)
        if (response.status_code or 0) >= 500 and (metrics := _current_metrics.get()) is not None:
            metrics.record_failed_request(exc)
        return response

    return handle


# Engine adapter modules → engine label. An unhandled error is the engine's when its traceback
# passes through its adapter; both vector backends are `qdrant` (a deployment runs one of them).
_ENGINE_MODULES = {
    "mnemo.backends.qdrant_edge.index": "qdrant",
    "mnemo.backends.qdrant_server.index": "qdrant",
    "mnemo.backends.qdrant_edge.vocabulary": "qdrant",
    "mnemo.backends.qdrant_server.vocabulary": "qdrant",
    "mnemo.backends.qdrant.planner": "qdrant",
}
_ENGINE_DEPENDENCIES = {"qdrant_edge": "qdrant", "qdrant": "qdrant", "redis": "redis"}


def _engine_of(exc: BaseException) -> str | None:
    if isinstance(exc, Unavailable):
        return _ENGINE_DEPENDENCIES.get(str(exc.dependency))
    tb = exc.__traceback__
    while tb is not None:
        if engine := _ENGINE_MODULES.get(tb.tb_frame.f_globals.get("__name__", "")):
            return engine
        tb = tb.tb_next
    return None


class _BreakerMetrics(CircuitBreakerListener):  # type: ignore[misc]
    def __init__(self, metrics: MnemoMetrics, engine: str) -> None:
        self.metrics = metrics
        self.engine = engine

    def failure(self, breaker: CircuitBreaker, exception: Exception) -> None:
        # aiobreaker calls this only for errors it counts: outages, not a bad command.
        self.metrics.record_engine_error(self.engine, exception)

    def state_change(self, breaker: CircuitBreaker, old: object, new: object) -> None:
        self.metrics.set_breaker_state(self.engine, state_name(new))


# -- Litestar's plugin, on the app's registry ------------------------------------------------------


@dataclass
class MnemoPrometheusConfig(PrometheusConfig):
    metrics: MnemoMetrics = field(default_factory=MnemoMetrics)
    # One set of request metrics per config (= per app), shared by the middleware instance that
    # Litestar builds for each route.
    request_metrics: dict[str, MetricWrapperBase] = field(default_factory=dict)


class MnemoPrometheusMiddleware(PrometheusMiddleware):
    """The plugin's middleware with its metrics in the app's registry rather than the global one."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = _current_metrics.set(cast(MnemoPrometheusConfig, self._config).metrics)
        try:
            await super().__call__(scope, receive, send)
        finally:
            _current_metrics.reset(token)

    def _metric(self, kind: type[MetricWrapperBase], suffix: str, doc: str, labels: dict[str, Any]) -> Any:
        config = cast(MnemoPrometheusConfig, self._config)
        name = f"{config.prefix}_{suffix}"
        if name not in config.request_metrics:
            extra = dict(self._kwargs) if kind is Histogram else {}
            if kind is Gauge:
                extra["multiprocess_mode"] = "livesum"
            config.request_metrics[name] = kind(
                name, doc, labelnames=[*labels.keys()], registry=config.metrics.registry, **extra
            )
        return config.request_metrics[name]

    def request_count(self, labels: dict[str, str | int | float]) -> Counter:
        return cast(Counter, self._metric(Counter, "requests_total", "Total requests", labels))

    def request_time(self, labels: dict[str, str | int | float]) -> Histogram:
        return cast(
            Histogram,
            self._metric(Histogram, "request_duration_seconds", "Request duration, in seconds", labels),
        )

    def requests_in_progress(self, labels: dict[str, str | int | float]) -> Gauge:
        return cast(Gauge, self._metric(Gauge, "requests_in_progress", "Requests in progress", labels))

    def requests_error_count(self, labels: dict[str, str | int | float]) -> Counter:
        return cast(Counter, self._metric(Counter, "requests_error_total", "Requests answered 5xx", labels))


def prometheus_config(metrics: MnemoMetrics) -> MnemoPrometheusConfig:
    return MnemoPrometheusConfig(
        app_name=PREFIX,
        prefix=PREFIX,
        group_path=True,  # route templates, not raw ids: bounded label cardinality
        middleware_class=MnemoPrometheusMiddleware,
        metrics=metrics,
    )


class MetricsController(PrometheusController):
    """GET /metrics in the Prometheus text format, from the app's registry. Left out of the OpenAPI
    schema: it is for the scraper, not for API clients (and is not JSON)."""

    @get(include_in_schema=False)
    async def get(
        self, metrics: NamedDependency[MnemoMetrics], services: NamedDependency[Any]
    ) -> Response[bytes]:
        limits = connections.LIMITS  # `mnemo serve`'s connection bounds (zero under other servers)
        metrics.connections_open.set(limits.open)
        for reason in ("timed_out", "evicted", "refused"):
            metrics.connections_dropped.labels(reason).set(getattr(limits, reason))
        if services is not None:  # each type's store state, read at scrape time
            health = await services.index.health()
            metrics.set_type_states({t: a.state.value for t, a in health.types.items()})
            if services.forgetter.eraser is not None:
                metrics.erasures_pending.set(services.forgetter.eraser.pending)
        registry = metrics.registry
        if "PROMETHEUS_MULTIPROC_DIR" in os.environ:  # several worker processes: merge their files
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return Response(generate_latest(registry), status_code=200, media_type=CONTENT_TYPE_LATEST)
