"""The CPU scheduler's share (api/guards/scheduler.py): while another tenant is active, a tenant holds
at most its share of the slots, and a slot kept for a tenant that went quiet serves the others again.
The scheduler itself, driven step by step; no durations asserted (the e2e tests run it on a real
server)."""

from __future__ import annotations

import asyncio

from mnemo.api.guards.scheduler import ACTIVE_S, FairScheduler


async def _taken(slots: int, *tenants: str, active_s: float = ACTIVE_S) -> FairScheduler:
    """A scheduler of `slots` slots (queues long enough for any test) in which each of `tenants`,
    in order, has acquired one."""
    cpu = FairScheduler(slots=slots, per_tenant_queue=8, queue_s=30, active_s=active_s)
    for tenant in tenants:
        await cpu.acquire(tenant)
    return cpu


async def _queued(cpu: FairScheduler, tenant: str) -> asyncio.Task[None]:
    task = asyncio.create_task(cpu.acquire(tenant))
    await asyncio.sleep(0)  # it runs up to its wait in the queue
    return task


async def test_a_lone_tenant_has_every_slot() -> None:
    cpu = await _taken(2, "alpha", "alpha")
    assert cpu.held("alpha") == 2 and cpu.share() == 2


async def test_an_odd_slot_goes_to_a_tenant_rather_than_standing_idle() -> None:
    cpu = await _taken(3, "beta", active_s=60)
    cpu.release("beta")  # beta active, between two requests
    await cpu.acquire("alpha")
    await cpu.acquire("alpha")
    third = await _queued(cpu, "alpha")
    assert (cpu.share(), cpu.held("alpha"), cpu.queued("alpha")) == (2, 2, 1)  # one kept for beta
    await cpu.acquire("beta")
    assert cpu.running == 3
    third.cancel()


async def test_a_slot_is_kept_for_an_active_tenant_between_its_requests() -> None:
    cpu = await _taken(2, "alpha", "alpha", active_s=60)
    third = await _queued(cpu, "alpha")
    beta = await _queued(cpu, "beta")  # both slots taken: beta waits, served first
    cpu.release("alpha")
    assert (cpu.held("alpha"), cpu.held("beta"), cpu.queued("alpha")) == (1, 1, 1)
    assert cpu.share() == 1
    cpu.release("alpha")  # alpha's third takes it: alpha is back at its share
    assert (cpu.held("alpha"), cpu.queued("alpha")) == (1, 0)
    fourth = await _queued(cpu, "alpha")
    cpu.release("beta")  # beta between two requests: its slot is kept, not given to alpha
    assert (cpu.held("alpha"), cpu.queued("alpha"), cpu.running) == (1, 1, 1)
    await cpu.acquire("beta")  # at once, with alpha still waiting
    assert (cpu.held("beta"), cpu.queued("alpha")) == (1, 1)
    await asyncio.gather(third, beta)
    fourth.cancel()


async def test_a_slot_kept_for_a_tenant_that_went_quiet_serves_the_others_again() -> None:
    cpu = await _taken(2, "beta", "alpha", active_s=0.05)
    waiting = await _queued(cpu, "alpha")
    cpu.release("beta")  # beta has finished and asks no more
    assert cpu.queued("alpha") == 1  # the slot is kept for beta a while
    await asyncio.wait_for(waiting, 30)  # then it is alpha's, with no release to wake it
    assert cpu.held("alpha") == 2 and cpu.share() == 2
