"""The CPU scheduler: a fair queue in front of the work that takes the cores.

Retrievals (query embedding, the engine's ranked searches, packing) and memory writes (embedding,
upserts) are CPU-bound: once admitted, a flooding tenant's requests take the cores whatever the
per-tenant concurrency bounds of `fairness.py` say, and another tenant's retrieval waits behind
them in the OS scheduler and the GIL, at many times its latency (benchmarks/README.md). So the heavy
routes take one of `slots` CPU slots (default: the cores this process may run on) for their whole
work, and the slots go to tenants fairly:

- each tenant waits in its own FIFO queue;
- a freed slot goes to the waiting tenant that holds the fewest slots now, ties to the one served
  least recently: a tenant arriving beside a flood is served next, not after the flood's queue;
  two busy tenants alternate;
- while other tenants are active (they asked for a slot, or finished with one, within `active_s`),
  a tenant holds at most its share of the slots: the slots over the active tenants, rounded up.
  A slot is thus kept free for a closed-loop client between its requests, which then starts at
  once instead of waiting for one of the flood's running requests (a 20-memory batch holds its slot
  for hundreds of milliseconds); a tenant alone has every slot, from `active_s` after the others
  went quiet;
- refusal is cheap and early, before the body is read: 429 with `Retry-After` when the tenant's own
  queue is full (`per_tenant_queue`), 503 with `Retry-After` when the wait for a slot passes
  `queue_s` (the machine is overloaded for everyone; long by default, 30 s, so that a burst of a
  keyless server's own requests is served in turn rather than refused).

Held in this process: each replica shares its own cores.
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from collections import deque
from dataclasses import dataclass, field

from ...memtypes.errors import RateLimited, Unavailable

# How long a tenant counts as active after it last asked for or gave back a slot: longer than a
# closed-loop client's pause between an answer and its next request, short enough that a slot kept
# for a tenant that went quiet soon serves the others again.
ACTIVE_S = 1.0


def usable_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class SchedulerStats:
    granted: int = 0  # slots taken, at once or after a wait
    waited: int = 0  # of them after a wait in a queue
    refused_queue_full: int = 0  # 429
    refused_timeout: int = 0  # 503
    grants: list[str] = field(default_factory=list)  # tenants in the order they were served (last 256)


class FairScheduler:
    """`slots` CPU slots shared by tenants' FIFO queues (see the module's docstring)."""

    def __init__(self, slots: int, per_tenant_queue: int, queue_s: float, active_s: float = ACTIVE_S) -> None:
        self.slots = max(1, slots)
        self.per_tenant_queue = max(1, per_tenant_queue)
        self.queue_s = queue_s
        self.active_s = active_s
        self.stats = SchedulerStats()
        self._held: dict[str, int] = {}  # tenant → slots it holds
        self._queues: dict[str, deque[asyncio.Future[None]]] = {}
        self._served_at: dict[str, int] = {}  # tenant → the number of its last grant
        self._seen_at: dict[str, float] = {}  # tenant → when it last asked for or gave back a slot
        self._look_again: asyncio.TimerHandle | None = None

    @property
    def running(self) -> int:
        return sum(self._held.values())

    @property
    def waiting(self) -> int:
        return sum(len(q) for q in self._queues.values())

    def queued(self, tenant: str) -> int:
        return len(self._queues.get(tenant, ()))

    def held(self, tenant: str) -> int:
        return self._held.get(tenant, 0)

    def share(self) -> int:
        """The most slots one tenant may hold now: the slots over the active tenants, rounded up
        (rounded down, an odd slot would stand idle while every tenant waits)."""
        now = time.monotonic()
        quiet = [
            t
            for t, at in self._seen_at.items()
            if now - at > self.active_s and t not in self._held and t not in self._queues
        ]
        for tenant in quiet:
            del self._seen_at[tenant]
        return math.ceil(self.slots / max(1, len(self._seen_at)))

    async def acquire(self, tenant: str) -> None:
        self._seen_at[tenant] = time.monotonic()
        if self.running < self.slots and not self._queues and self.held(tenant) < self.share():
            self._take(tenant)  # a free slot, nobody ahead, and within the tenant's share
            return
        queue = self._queues.get(tenant)
        if queue is not None and len(queue) >= self.per_tenant_queue:
            self.stats.refused_queue_full += 1
            raise RateLimited(
                f"this tenant already has {len(queue)} requests waiting for the CPU; retry shortly",
                retry_after_s=1,
            )
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if queue is None:
            queue = self._queues[tenant] = deque()
        queue.append(future)
        self._grant()  # a slot may be free (nobody ahead could take it)
        if future.done():
            return
        try:
            await asyncio.wait({future}, timeout=self.queue_s)
        except asyncio.CancelledError:  # the client went away: give back what it got, or its place
            if future.done() and not future.cancelled():
                self.release(tenant)
            else:
                future.cancel()
                self._forget(tenant, future)
            raise
        if future.done():
            self.stats.waited += 1
            return
        future.cancel()
        self._forget(tenant, future)
        self.stats.refused_timeout += 1
        raise Unavailable(
            f"the service is busy: no CPU slot within {self.queue_s:g} s; retry shortly",
            dependency="cpu",
            retry_after_s=max(1, math.ceil(self.queue_s)),
        )

    def release(self, tenant: str) -> None:
        self._seen_at[tenant] = time.monotonic()
        held = self._held.get(tenant, 0) - 1
        if held > 0:
            self._held[tenant] = held
        else:
            self._held.pop(tenant, None)
        self._grant()

    def _take(self, tenant: str) -> None:
        self._held[tenant] = self._held.get(tenant, 0) + 1
        self.stats.granted += 1
        self._served_at[tenant] = self.stats.granted
        self.stats.grants.append(tenant)
        del self.stats.grants[:-256]

    def _grant(self) -> None:
        while self.running < self.slots and self._queues:
            share = self.share()
            below = [t for t in self._queues if self.held(t) < share]
            if not below:  # the free slots are kept for active tenants holding less than their share
                self._grant_later()
                return
            tenant = min(below, key=lambda t: (self.held(t), self._served_at.get(t, 0)))
            queue = self._queues[tenant]
            future = queue.popleft()
            if not queue:
                del self._queues[tenant]
            if future.done():  # cancelled meanwhile
                continue
            self._take(tenant)
            future.set_result(None)

    def _grant_later(self) -> None:
        """Look again once the tenants a slot is kept for may have gone quiet: no release may come
        before (the busy tenant's one slot taken by a long write)."""
        if self._look_again is None:
            self._look_again = asyncio.get_running_loop().call_later(self.active_s, self._looked_again)

    def _looked_again(self) -> None:
        self._look_again = None
        self._grant()

    def _forget(self, tenant: str, future: asyncio.Future[None]) -> None:
        queue = self._queues.get(tenant)
        if queue is None:
            return
        try:
            queue.remove(future)
        except ValueError:
            return
        if not queue:
            del self._queues[tenant]
