"""The batch-memory benchmark's wait for the server's RSS to settle: done once RSS holds still (and is
within the asked bound), never later than its ceiling."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from mnemo.benchmarks.write.batch_memory import BatchOptions, RssSampler, settle


class Scripted(RssSampler):
    """A sampler whose own RSS (MiB) is `rss(seconds since start)`, sampled every 10 ms."""

    def __init__(self, rss: Callable[[float], float]) -> None:
        super().__init__(os.getpid(), every_s=0.01)
        self.rss, self.start = rss, time.monotonic()

    def now(self) -> tuple[float, float]:
        return self.rss(time.monotonic() - self.start), 0.0


# Upper bounds are the ceilings only: a loaded machine may wake the waits late.
FAST = BatchOptions(settle_s=10.0, steady_s=0.3, steady_mib=4.0)


async def test_a_flat_rss_settles_after_one_steady_window() -> None:
    with Scripted(lambda _: 500.0) as sampler:
        waited = await settle(sampler, 500.0, FAST)
    assert 0.3 <= waited < FAST.settle_s


async def test_a_falling_rss_settles_only_once_it_stops_falling() -> None:
    with Scripted(lambda t: 500.0 - 100.0 * min(t, 1.0)) as sampler:
        waited = await settle(sampler, 400.0, FAST)
    assert 1.2 <= waited < FAST.settle_s


async def test_a_steady_rss_above_the_bound_waits_for_the_ceiling() -> None:
    bounded = BatchOptions(settle_s=2.0, steady_s=0.3, steady_mib=4.0, kept_at_most_mib=150.0)
    with Scripted(lambda _: 700.0) as sampler:
        waited = await settle(sampler, 500.0, bounded)
    assert waited >= bounded.settle_s
    with Scripted(lambda _: 600.0) as sampler:
        assert await settle(sampler, 500.0, bounded) < bounded.settle_s  # within the bound: done when steady
