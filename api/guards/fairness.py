"""Fair sharing between tenants: no tenant's load can take the service from another.

Two per-tenant bounds, held in this process (each replica shares its own CPU fairly; the Redis rate
limit of api/guards/rate_limit.py is the cross-replica one):

- Concurrency. A tenant runs at most `MNEMO_TENANT_CONCURRENCY` `/v1` requests at once and, with
  API keys, at most `MNEMO_TENANT_WRITE_CONCURRENCY` memory writes (which embed: one by default,
  the embedder is one worker thread and a second batch would only take the others' turn) and
  `MNEMO_TENANT_RETRIEVAL_CONCURRENCY` retrievals (which embed a query and rank hundreds of
  candidates: four, so that a tenant's own retrievals do not queue behind each other whenever the
  machine slows down, as one at a time made them during a big batch). Requests
  over a bound wait for a slot for at most `MNEMO_TENANT_QUEUE_S`, in order; then, or when the
  queue is already four times the bound, 429 with `Retry-After`. A heavy lane's queue holds at
  least every request the request bound admits (an agent framework's parallel writes wait their
  turn rather than fail). 400 concurrent appends of one
  tenant thus run a few dozen at a time, and the event loop, Redis connections and the embedder
  keep room for the others.
- Embedded characters. Text a write embeds is charged to a per-tenant bucket refilled at
  `MNEMO_EMBED_CHARS_PER_S` and holding `MNEMO_EMBED_CHARS_BURST` (also the most one request may
  embed): a tenant cannot keep the embedder busy for minutes at others' expense (429 + Retry-After).

Past those bounds, the heavy routes take a CPU slot of `scheduler.py` for their whole work: the
bounds limit how much of a tenant's work is admitted, the slots decide whose admitted work runs.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass, field
from typing import Any

from litestar import Litestar
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from ...compat.edge import HEAVY_ROUTES as VENDOR_HEAVY_ROUTES
from ...compat.edge import vendor_of
from ...memtypes.errors import FieldProblem, InvalidInput, MnemoError, RateLimited
from ..config.settings import Settings
from .admin import is_admin_path
from .scheduler import FairScheduler, usable_cores

# The expensive routes, each its own lane: a tenant's big batch write does not hold up its retrievals.
HEAVY_ROUTES = {
    ("POST", "/v1/memories"): "writes",
    ("POST", "/v1/retrieve"): "retrievals",
    ("GET", "/v1/memories/search"): "retrievals",  # the explorer's search box runs the read path
    ("POST", "/v1/memories/rank"): "retrievals",  # embeds a query, reads every named vector
    **VENDOR_HEAVY_ROUTES,  # other servers' protocols (compat/) doing the same work
}
QUEUE_FACTOR = 4  # waiters beyond this many times the bound are refused at once


@dataclass
class _Lane:
    """One bound of one tenant: a semaphore and how many wait on it."""

    slots: asyncio.Semaphore
    waiting: int = 0


@dataclass
class TenantConcurrency:
    limit: int
    queue_s: float
    queue: int = 0  # how many may wait for a slot; 0 = QUEUE_FACTOR times the limit
    _lanes: dict[str, _Lane] = field(default_factory=dict)
    refused_total: int = 0

    async def acquire(self, tenant: str, what: str) -> None:
        lane = self._lanes.get(tenant)
        if lane is None:
            lane = self._lanes[tenant] = _Lane(asyncio.Semaphore(self.limit))
        if not lane.slots.locked():  # a free slot: taken at once (wait_for(…, 0) would not)
            await lane.slots.acquire()
            return
        if lane.waiting >= (self.queue or QUEUE_FACTOR * self.limit):
            self._refuse(what)
        lane.waiting += 1
        try:
            await asyncio.wait_for(lane.slots.acquire(), self.queue_s)
        except TimeoutError:
            self._refuse(what)
        finally:
            lane.waiting -= 1

    def release(self, tenant: str) -> None:
        self._lanes[tenant].slots.release()

    def _refuse(self, what: str) -> None:
        self.refused_total += 1
        raise RateLimited(
            f"this tenant already runs {self.limit} {what} at once; retry shortly",
            retry_after_s=max(1, math.ceil(self.queue_s)),
        )


@dataclass
class EmbedBudget:
    """A token bucket of embedded characters per tenant."""

    per_s: float
    burst: int
    _buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # tenant → (level, at)

    def spend(self, tenant: str, chars: int) -> None:
        if chars > self.burst:
            raise InvalidInput(
                f"a request may embed at most {self.burst} characters; this one has {chars}: split it",
                problems=[FieldProblem("memories", f"{chars} characters of content, over {self.burst}")],
            )
        now = time.monotonic()
        level, at = self._buckets.get(tenant, (float(self.burst), now))
        level = min(float(self.burst), level + (now - at) * self.per_s)
        if level < chars:
            wait_s = (chars - level) / self.per_s
            self._buckets[tenant] = (level, now)
            raise RateLimited(
                f"embedding allowance used up ({self.per_s:.0f} characters per second); retry later",
                retry_after_s=max(1, math.ceil(wait_s)),
            )
        self._buckets[tenant] = (level - chars, now)


@dataclass
class Fairness:
    requests: TenantConcurrency
    heavy: dict[str, TenantConcurrency]  # lane (HEAVY_ROUTES) → its bound
    embed: EmbedBudget
    cpu: FairScheduler  # the heavy routes' CPU slots, shared fairly between tenants


class FairShare(ASGIMiddleware):
    """Holds a tenant's request (and heavy-work) slot around every `/v1` request, and every request of
    the other servers' protocols (compat/)."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        served = scope["path"].startswith("/v1/") or vendor_of(scope["path"]) is not None
        if not served or is_admin_path(scope["path"]):
            await next_app(scope, receive, send)
            return
        app = Litestar.from_scope(scope)
        fairness: Fairness | None = getattr(app.state, "fairness", None)
        tenant = _tenant(app, scope)
        if fairness is None or tenant is None:  # an unknown key: the route answers 401
            await next_app(scope, receive, send)
            return
        route = (str(scope.get("method", "")), scope.get("path_template") or scope["path"])
        lane = HEAVY_ROUTES.get(route)
        heavy = fairness.heavy[lane] if lane else None
        await fairness.requests.acquire(tenant, "requests")
        try:
            if heavy is not None:
                await heavy.acquire(tenant, str(lane))
            try:
                if heavy is None:
                    await next_app(scope, receive, send)
                else:
                    await _on_cpu(fairness.cpu, tenant, next_app, scope, receive, send)
            finally:
                if heavy is not None:
                    heavy.release(tenant)
        finally:
            fairness.requests.release(tenant)


async def _on_cpu(
    cpu: FairScheduler, tenant: str, next_app: ASGIApp, scope: Scope, receive: Receive, send: Send
) -> None:
    await cpu.acquire(tenant)
    try:
        await next_app(scope, receive, send)
    finally:
        cpu.release(tenant)


def _tenant(app: Litestar, scope: Scope) -> str | None:
    services: Any = getattr(app.state, "services", None)
    if services is None:
        return None
    headers = [v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"authorization"]
    try:
        tenant: str = services.keys.tenant_for(headers[0] if headers else None)
    except MnemoError:
        return None
    return tenant


def open_fairness(settings: Settings) -> Fairness:
    """The bounds of the settings. A keyless server has one tenant, with nobody to share with: its
    heavy work is bounded by the request bound alone (a local batch job may use every core)."""
    queue_s, requests = settings.tenant_queue_s, settings.tenant_concurrency
    if settings.single_tenant:
        bounds = {lane: requests for lane in HEAVY_ROUTES.values()}
    else:
        bounds = {
            "writes": settings.tenant_write_concurrency,
            "retrievals": settings.tenant_retrieval_concurrency,
        }
    return Fairness(
        requests=TenantConcurrency(requests, queue_s),
        # Every request the request bound admitted may wait for its heavy slot: a framework's burst
        # of parallel writes (a graph's superstep, a pool of writer threads) queues for the one write
        # slot, bounded by the wait, instead of being refused beyond a few waiters.
        heavy={
            lane: TenantConcurrency(bound, queue_s, queue=max(requests, QUEUE_FACTOR * bound))
            for lane, bound in bounds.items()
        },
        embed=EmbedBudget(settings.embed_chars_per_s, settings.embed_chars_burst),
        cpu=FairScheduler(
            settings.cpu_slots or usable_cores(), settings.cpu_queue_per_tenant, settings.cpu_queue_s
        ),
    )
