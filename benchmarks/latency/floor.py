"""The floor of a retrieval, measured in the same run as the retrievals.

What any retrieval must pay: embedding the query, then one plain top-10 HNSW search per searched
type (no formula, no payloads). Measured in-process on the very index and embedder the size's run
uses, one question at a time, before the server starts. `floor_ms` is its p50; the HTTP latencies
and each stage are reported against it (`ratios`), beside the machine's load.

Beside it, what this design pays at least: the query's embedding plus the engine answering the
retrieval's own first-round searches (dense and BM25 lists, the formula over them: `engine_query`,
replayed through the same index without the pipeline around them). Its ratio to the floor
(`engine_bound_over_floor`) is the least a retrieval of this design could show before HTTP and any
Python of its own: how much of the gap is the engine's, how much the service's. One client's HTTP
p50 and p95, each stage and the server's CPU per retrieval are reported against it too
(`ENGINE_BOUND_TARGETS`): what the service adds of its own.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from mnemo.lab import VectorIndex, top_k_search
from mnemo_client.models import MemoryType

from ..metrics import percentiles
from .scale_data import SCALE_USER, TENANT

FLOOR_K = 10
# The targets: one client's HTTP p50 and p95 over the floor, 4 clients' throughput over one's.
TARGETS = {"http_p50_over_floor": 1.4, "http_p95_over_floor": 2.0, "throughput_4_over_1": 1.7}
# And against what this design cannot avoid (the embedding plus its own engine query): what the
# service adds of its own, and the CPU one client's retrieval costs the server (ms).
ENGINE_BOUND_TARGETS = {
    "http_p50_over_engine_bound": 1.25,
    "http_p95_over_engine_bound": 1.6,
    "cpu_ms_per_retrieval": 15.0,
    "throughput_4_over_1": 1.5,
}
STAGES = ("embed_ms", "search_ms", "pack_ms", "http_ms")


async def measure_floor(
    index: VectorIndex, embedder: Any, questions: list[str], types: list[MemoryType]
) -> dict[str, Any]:
    """Per question: its embedding, then a top-10 search of each type, sequentially (ms), in the
    scope every memory of the run is in (as the retrievals ask)."""
    scope = {"user_id": SCALE_USER}
    embed_ms: list[float] = []
    embed_cpu_ms: list[float] = []  # this process's CPU, the embedding's own threads included
    search_ms: list[float] = []
    total_ms: list[float] = []
    for i, question in enumerate(questions):
        started, cpu_started = time.perf_counter(), time.process_time()
        [vector] = await embedder.embed([question], alone=True)
        embedded, cpu_embedded = time.perf_counter(), time.process_time()
        for memory_type in types:
            await index.search([top_k_search(memory_type, vector, TENANT, scope, FLOOR_K)])
        done = time.perf_counter()
        if i < 3:  # the first few warm caches up
            continue
        embed_ms.append((embedded - started) * 1000)
        embed_cpu_ms.append((cpu_embedded - cpu_started) * 1000)
        search_ms.append((done - embedded) * 1000)
        total_ms.append((done - started) * 1000)
    return {
        "load_avg_1m": round(os.getloadavg()[0], 2),  # a shared machine's other work shows up here
        "types": len(types),
        "questions": len(total_ms),
        "embed_ms": percentiles(embed_ms),
        "embed_cpu_ms": percentiles(embed_cpu_ms),
        "searches_ms": percentiles(search_ms),
        "total_ms": percentiles(total_ms),
    }


# How far the floor measured after the clients may lie from the one measured before them, as a
# ratio, before the ratios are flagged: on a shared VM the floor itself drifts within the hour.
FLOOR_DRIFT = 1.25


def floor_ratios(run: dict[str, Any]) -> dict[str, Any]:
    """`floor_ms` (the floor's p50: the mean of the p50s measured before and after the clients,
    where both were) and every one-client stage and the throughput against it; `floor_drift`, the
    after's p50 over the before's."""
    floor = run["floor"]["total_ms"]["p50"]
    ratios: dict[str, Any] = {}
    if "floor_after" in run:
        after = run["floor_after"]["total_ms"]["p50"]
        ratios["floor_drift"] = round(after / floor, 2)
        floor = (floor + after) / 2
    ratios["floor_ms"] = round(floor, 2)
    least = None
    if "engine_query" in run:
        least = run["floor"]["embed_ms"]["p50"] + run["engine_query"]["search_ms"]["p50"]
        ratios["engine_bound_ms"] = round(least, 2)
        ratios["engine_bound_over_floor"] = round(least / floor, 2)
        if "cpu_ms" in run["engine_query"] and "embed_cpu_ms" in run["floor"]:
            ratios["engine_bound_cpu_ms"] = round(
                run["floor"]["embed_cpu_ms"]["p50"] + run["engine_query"]["cpu_ms"]["p50"], 1
            )
    one = run["http"].get("1")
    if one is None:
        return ratios
    ratios["http_p50_over_floor"] = round(one["http_ms"]["p50"] / floor, 2)
    ratios["http_p95_over_floor"] = round(one["http_ms"]["p95"] / floor, 2)
    ratios["stage_p50_over_floor"] = {stage: round(one[stage]["p50"] / floor, 2) for stage in STAGES}
    if least is not None:
        ratios["http_p50_over_engine_bound"] = round(one["http_ms"]["p50"] / least, 2)
        ratios["http_p95_over_engine_bound"] = round(one["http_ms"]["p95"] / least, 2)
        ratios["stage_p50_over_engine_bound"] = {
            stage: round(one[stage]["p50"] / least, 2) for stage in STAGES
        }
    if "cpu_ms_per_retrieval" in one:
        ratios["cpu_ms_per_retrieval"] = one["cpu_ms_per_retrieval"]
    four = run["http"].get("4")
    if four is not None and one["throughput_rps"]:
        ratios["throughput_4_over_1"] = round(four["throughput_rps"] / one["throughput_rps"], 2)
    return ratios


def floor_lines(sizes: dict[str, Any]) -> list[str]:
    """The targets, per size: measured ratio against its limit."""
    lines = []
    for size, run in sizes.items():
        ratios = run.get("floor_ratios")
        if not ratios:
            continue
        floor = run["floor"]
        parts = [
            f"floor {ratios['floor_ms']:.1f} ms (embed {floor['embed_ms']['p50']:.1f} + "
            f"{floor['types']} top-10 searches {floor['searches_ms']['p50']:.1f})"
        ]
        if "floor_drift" in ratios:
            after = run["floor_after"]["total_ms"]["p50"]
            drift = ratios["floor_drift"]
            moved = not 1 / FLOOR_DRIFT <= drift <= FLOOR_DRIFT
            parts[0] += (
                f", the mean of {floor['total_ms']['p50']:.1f} before the clients and {after:.1f} after"
                + (" (the floor moved: the ratios below are unreliable)" if moved else "")
            )
        if "engine_bound_over_floor" in ratios:
            engine = run["engine_query"]["search_ms"]["p50"]
            parts.append(
                f"the embedding and this design's own engine query ({engine:.1f} ms) alone are "
                f"{ratios['engine_bound_over_floor']:.2f}x the floor"
            )
        parts += _against(TARGETS, ratios)
        lines.append(f"- {int(size):,} memories: " + "; ".join(parts))
        if "stage_p50_over_engine_bound" in ratios:  # an engine query and one client were measured
            stages = ratios["stage_p50_over_engine_bound"]
            each = ", ".join(f"{stage.removesuffix('_ms')} {x:.2f}x" for stage, x in stages.items())
            cpu = []
            if "engine_bound_cpu_ms" in ratios:  # what of the CPU target the service can reach at all
                least_cpu = ratios["engine_bound_cpu_ms"]
                cpu = [f"the embedding and the engine query alone take {least_cpu:.1f} ms of CPU"]
            lines.append(
                f"  - against the engine-bound cost ({ratios['engine_bound_ms']:.1f} ms): "
                + "; ".join([*_against(ENGINE_BOUND_TARGETS, ratios), *cpu, f"p50 by stage {each}"])
            )
    return lines


def _against(targets: dict[str, float], ratios: dict[str, Any]) -> list[str]:
    """Each target measured: its value against its limit, met or MISSED."""
    parts = []
    for name, limit in targets.items():
        if name in ratios:
            cmp = ">=" if name.startswith("throughput") else "<="
            ok = ratios[name] >= limit if cmp == ">=" else ratios[name] <= limit
            parts.append(f"{name} {ratios[name]:.2f} ({cmp} {limit}: {'met' if ok else 'MISSED'})")
    return parts


def plot_stages_against_floor(out: Path, sizes: dict[str, Any]) -> None:
    from ..report import bar_plot

    measured = {s: r for s, r in sizes.items() if r.get("floor_ratios") and "1" in r["http"]}
    if not measured:
        return
    series: dict[str, list[float]] = {"floor": [r["floor_ratios"]["floor_ms"] for r in measured.values()]}
    if all("engine_query" in r for r in measured.values()):
        series["embed+engine"] = [
            r["floor"]["embed_ms"]["p50"] + r["engine_query"]["search_ms"]["p50"] for r in measured.values()
        ]
    for stage in ("embed_ms", "search_ms", "pack_ms", "overhead_ms", "http_ms"):
        series[stage.removesuffix("_ms")] = [r["http"]["1"][stage]["p50"] for r in measured.values()]
    bar_plot(
        out / "stages_vs_floor.png",
        "p50 by stage against the floor and the engine-bound cost (embed+engine), one client (ms)",
        "ms",
        [f"{int(s):,}" for s in measured],
        series,
    )
