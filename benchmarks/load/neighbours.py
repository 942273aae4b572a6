"""`mnemo bench load --scenario noisy-neighbour | big-batch`: fairness between tenants, measured.

Both run the real service in a child process with API keys (one per tenant) over loopback, and
drive every tenant *open loop*: requests start at a fixed rate whatever the answers, as independent
clients do (a closed loop would slow the quiet tenants down with the server and hide the harm).

- noisy-neighbour: `quiet` tenants at `rate` requests per second each (retrievals, working-memory
  appends, one-memory writes) for `duration_s` alone, then again with one more tenant at 10 × `rate`.
  Each tenant's p50/p95 and status codes, both phases side by side; the target: the quiet tenants'
  p95 with the noisy one within 2 × their p95 without it.
- big-batch: the quiet tenants' retrievals alone, then while another tenant writes one batch of
  `batch_items` memories of `item_chars` characters (1,000 × 7.6 KB = 7.5 MB); their p95 in both
  phases, how long the batch took, and the server's RSS before, at its peak, and after it.
"""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mnemo_client import AsyncMnemo, Limits, MnemoConnectionError

from ..metrics import percentiles
from ..report import machine, machine_line_with_final_load, markdown_blocks, table, write_outputs
from ..server import Server, failure_name, memory_of, serve
from ..synthetic import generate

NOISY_FACTOR = 10
P95_TARGET_RATIO = 2.0
BATCH_TIMEOUT_S = 1_800.0  # generous: a slow shared machine must not turn a slow batch into a failure
_WORDS = (
    "ledger",
    "invoice",
    "rotation",
    "deploy",
    "cluster",
    "backup",
    "quota",
    "replica",
    "tenant",
    "schema",
    "audit",
    "cache",
)


@dataclass(frozen=True)
class NeighbourOptions:
    scenario: str = "noisy-neighbour"
    quiet: int = 3
    rate: float = 4.0  # requests per second of each quiet tenant
    duration_s: float = 20.0  # of each phase
    rounds: int = 3  # noisy-neighbour: the phases alternate, each in this many slices
    batch_items: int = 1_000
    item_chars: int = 7_600
    seed: int = 0
    work_dir: Path | None = None


@dataclass
class Tally:
    latencies_ms: dict[str, list[float]]
    statuses: dict[str, Counter[str]]

    @classmethod
    def new(cls) -> Tally:
        return cls(defaultdict(list), defaultdict(Counter))

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for tenant in sorted(self.statuses):
            latencies = self.latencies_ms[tenant]
            out[tenant] = {
                "requests": sum(self.statuses[tenant].values()),
                "latency_ms": {k: round(v, 1) for k, v in percentiles(latencies, (50, 95)).items()},
                "statuses": dict(sorted(self.statuses[tenant].items())),
            }
        return out


def _keys(tenants: list[str]) -> dict[str, str]:
    return {t: f"bench-key-{t}-{os.urandom(6).hex()}" for t in tenants}


class Traffic:
    """Open-loop request streams of several tenants against one server."""

    def __init__(self, server: Server, keys: dict[str, str], seed: int) -> None:
        self.server = server
        self.keys = keys
        memories, queries = generate(300, seed)
        self.memories = memories
        self.queries = [{"query": q["query"], "budget_tokens": 1_000} for q in queries]
        self.rng = random.Random(seed)
        # keepalive_expiry below uvicorn's 5 s: never reuse a connection the server is closing.
        limits = Limits(max_connections=400, max_keepalive_connections=100, keepalive_expiry=2.0)
        self.client = AsyncMnemo(server.url, timeout=120, limits=limits)
        self._sent = 0

    def headers(self, tenant: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[tenant]}"}

    async def seed_tenant(self, tenant: str) -> None:
        batch = [{k: m[k] for k in ("type", "content")} for m in self.memories[:200]]
        reply = await self.client.request(
            "POST", "/v1/memories", json={"memories": batch}, headers=self.headers(tenant)
        )
        reply.raise_for_status()

    async def _one(self, tenant: str, kind: str, tally: Tally) -> None:
        self._sent += 1
        if kind == "retrieve":
            request = ("/v1/retrieve", self.rng.choice(self.queries))
        elif kind == "append":
            request = (f"/v1/working/{tenant}-t{self._sent // 40}/items", {"content": f"note {self._sent}"})
        else:
            memory = {
                "type": "episodic",
                "content": f"{self.rng.choice(self.memories)['content']} #{self._sent}",
            }
            request = ("/v1/memories", {"memories": [memory]})
        started = time.perf_counter()
        try:
            reply = await self.client.request(
                "POST", request[0], json=request[1], headers=self.headers(tenant)
            )
            status = str(reply.status)
        except MnemoConnectionError as exc:
            status = failure_name(exc)
        if status.startswith("2"):  # refusals are counted, their (short) latency is not the tenant's service
            tally.latencies_ms[tenant].append((time.perf_counter() - started) * 1000)
        tally.statuses[tenant][status] += 1

    async def stream(
        self, tenant: str, rate: float, until: float, tally: Tally, kinds: tuple[str, ...]
    ) -> None:
        """Requests at `rate` per second until `until` (monotonic); waits for the last ones."""
        running: set[asyncio.Task[None]] = set()
        interval, next_at = 1.0 / rate, time.monotonic()
        while next_at < until:
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            task = asyncio.create_task(self._one(tenant, self.rng.choice(kinds), tally))
            running.add(task)
            task.add_done_callback(running.discard)
            next_at += interval
        await asyncio.gather(*running)

    async def close(self) -> None:
        await self.client.aclose()


MIX = ("retrieve", "retrieve", "append", "write")


async def _phase(
    traffic: Traffic, rates: dict[str, float], duration_s: float, kinds: tuple[str, ...], tally: Tally
) -> Tally:
    until = time.monotonic() + duration_s
    await asyncio.gather(*(traffic.stream(t, r, until, tally, kinds) for t, r in rates.items()))
    return tally


def _pooled_p95(tally: Tally, tenants: list[str]) -> float:
    """p95 of every quiet tenant's answered requests together (steadier than any one tenant's)."""
    latencies = [ms for t in tenants for ms in tally.latencies_ms[t]]
    return round(percentiles(latencies, (95,))["p95"], 1)


async def _noisy(
    traffic: Traffic, options: NeighbourOptions, quiet: list[str], say: Callable[[str], None]
) -> dict[str, Any]:
    """Alternating rounds without and with the noisy tenant, so that the machine's own load (shared
    with others) drifts alike through both phases: the comparison is back to back."""
    rates = {t: options.rate for t in quiet}
    noisy_rate = options.rate * NOISY_FACTOR
    alone, together = Tally.new(), Tally.new()
    slice_s = options.duration_s / options.rounds
    for round_ in range(options.rounds):
        say(f"noisy-neighbour round {round_ + 1}/{options.rounds}: {len(quiet)} quiet tenants, then + noisy")
        await _phase(traffic, rates, slice_s, MIX, alone)
        await _phase(traffic, {**rates, "noisy": noisy_rate}, slice_s, MIX, together)
    before, after = _pooled_p95(alone, quiet), _pooled_p95(together, quiet)
    ratio = round(after / max(before, 1e-9), 2)
    return {
        "alone": alone.summary(),
        "with_noisy": together.summary(),
        "quiet_p95_ms": {"alone": before, "with_noisy": after},
        "quiet_p95_ratio": ratio,
        "target_met": ratio <= P95_TARGET_RATIO,
        "ok": not _server_errors(alone.summary(), together.summary()),
    }


def _server_errors(*phases: dict[str, Any]) -> int:
    """5xx answers and failed connections, over every tenant of every phase: what fails the run."""
    return sum(
        n
        for phase in phases
        for data in phase.values()
        for status, n in data["statuses"].items()
        if status.startswith("5") or not status.isdigit()
    )


def _batch(options: NeighbourOptions) -> list[dict[str, Any]]:
    rng = random.Random(options.seed)
    items = []
    for i in range(options.batch_items):
        words = " ".join(rng.choice(_WORDS) for _ in range(options.item_chars // 7))
        items.append({"type": "episodic", "content": f"Batch record {i}: {words}"[: options.item_chars]})
    return items


async def _big_batch(
    traffic: Traffic, options: NeighbourOptions, quiet: list[str], say: Callable[[str], None]
) -> dict[str, Any]:
    rates = {t: options.rate for t in quiet}
    kinds = ("retrieve",)
    say(f"big-batch: quiet retrievals alone for {options.duration_s:.0f} s")
    alone_tally = await _phase(traffic, rates, options.duration_s, kinds, Tally.new())
    alone = alone_tally.summary()
    batch = _batch(options)
    rss_before = memory_of(traffic.server.pid)
    say(f"big-batch: {len(batch)} items of {options.item_chars} characters while the quiet tenants retrieve")
    during = Tally.new()
    started = time.perf_counter()
    done = asyncio.Event()

    async def write() -> tuple[int, float]:
        try:
            reply = await traffic.client.request(
                "POST",
                "/v1/memories",
                json={"memories": batch, "dedup": False},
                headers=traffic.headers("bulk"),
                timeout=BATCH_TIMEOUT_S,
            )
            return reply.status, time.perf_counter() - started
        except MnemoConnectionError:
            return 0, time.perf_counter() - started  # 0: no answer (the summary names none)
        finally:
            done.set()

    async def retrievals() -> None:
        while not done.is_set():  # in 2-second rounds, so that they stop soon after the batch
            until = time.monotonic() + 2.0
            await asyncio.gather(*(traffic.stream(t, r, until, during, kinds) for t, r in rates.items()))

    (status, batch_s), _ = await asyncio.gather(write(), retrievals())
    await asyncio.sleep(5.0)  # let the server settle: what stays is what the batch kept
    rss_after = memory_of(traffic.server.pid)
    before, after = _pooled_p95(alone_tally, quiet), _pooled_p95(during, quiet)
    ratio = round(after / max(before, 1e-9), 2)
    return {
        "batch": {
            "items": len(batch),
            "bytes": sum(len(m["content"]) for m in batch),
            "status": status,
            "seconds": round(batch_s, 1),
        },
        "alone": alone,
        "during_batch": during.summary(),
        "quiet_p95_ms": {"alone": before, "during_batch": after},
        "quiet_p95_ratio": ratio,
        "rss_mib": {
            "before": rss_before["rss_mib"],
            "peak": rss_after["peak_rss_mib"],
            "after": rss_after["rss_mib"],
        },
        "ok": status == 201 and not _server_errors(alone, during.summary()),
    }


async def run_neighbours(options: NeighbourOptions, say: Callable[[str], None]) -> dict[str, Any]:
    quiet = [f"quiet{i}" for i in range(options.quiet)]
    keys = _keys([*quiet, "noisy", "bulk"])
    info = machine()
    with tempfile.TemporaryDirectory(dir=options.work_dir, prefix="mnemo-neighbours-") as scratch:
        env = {"MNEMO_API_KEYS": ",".join(f"{k}:{t}" for t, k in keys.items())}
        async with serve(Path(scratch) / "data", Path(scratch) / "server.log", extra_env=env) as server:
            traffic = Traffic(server, keys, options.seed)
            try:
                await asyncio.gather(*(traffic.seed_tenant(t) for t in [*quiet, "noisy"]))
                run = _noisy if options.scenario == "noisy-neighbour" else _big_batch
                result = await run(traffic, options, quiet, say)
            finally:
                await traffic.close()
    return {
        "scenario": options.scenario,
        "machine": info,
        "load_avg_1m_at_end": round(os.getloadavg()[0], 2),
        "options": {k: v for k, v in options.__dict__.items() if k != "work_dir"},
        **result,
    }


def _rows(phases: dict[str, dict[str, Any]]) -> list[list[Any]]:
    tenants = sorted({t for phase in phases.values() for t in phase})
    rows = []
    for tenant in tenants:
        row: list[Any] = [tenant]
        for phase in phases.values():
            data = phase.get(tenant)
            row += (
                [
                    data["latency_ms"]["p50"],
                    data["latency_ms"]["p95"],
                    ", ".join(f"{s}: {n}" for s, n in data["statuses"].items()),
                ]
                if data
                else ["", "", ""]
            )
        rows.append(row)
    return rows


def markdown(results: dict[str, Any]) -> str:
    verdict = "no 5xx" if results["ok"] else "FAIL: 5xx or failed connections"
    options = results["options"]
    if results["scenario"] == "noisy-neighbour":
        phases = {"alone": results["alone"], "with noisy": results["with_noisy"]}
        head = (
            f"# Noisy neighbour: {options['quiet']} tenants at {options['rate']}/s, one at "
            f"{options['rate'] * NOISY_FACTOR}/s ({verdict})"
        )
        note = (
            f"Quiet tenants' p95 (all their answered requests) {results['quiet_p95_ms']['alone']} ms alone, "
            f"{results['quiet_p95_ms']['with_noisy']} ms with the noisy one: {results['quiet_p95_ratio']}x "
            f"(target ≤ {P95_TARGET_RATIO}x: {'met' if results['target_met'] else 'MISSED'})."
        )
    else:
        phases = {"alone": results["alone"], "during batch": results["during_batch"]}
        batch, rss = results["batch"], results["rss_mib"]
        size = f"{batch['items']} items, {batch['bytes'] / 1e6:.1f} MB"
        head = f"# Big batch: {size}, beside quiet retrievals ({verdict})"
        note = (
            f"The batch: {batch['status']} in {batch['seconds']} s. Quiet p95 during it / before: "
            f"{results['quiet_p95_ratio']}x. Server RSS {rss['before']} MiB before, {rss['peak']} peak, "
            f"{rss['after']} MiB 5 s after."
        )
    header = ["tenant"]
    for name in phases:
        header += [f"{name} p50 ms", f"{name} p95 ms", f"{name} statuses"]
    return markdown_blocks(
        head,
        note,
        table(header, _rows(phases)),
        "Open-loop traffic (retrievals, working appends, one-memory writes) on the real service in a "
        "child process with API keys; latencies of answered (2xx) requests.\n"
        + machine_line_with_final_load(results),
    )


def write_neighbour_outputs(results: dict[str, Any], out: Path) -> None:
    write_outputs(out, results, markdown(results))
