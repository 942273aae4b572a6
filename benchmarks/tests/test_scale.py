"""Scale data and the latency report's arithmetic, without engines or a server."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mnemo.benchmarks.cli import _sizes
from mnemo.benchmarks.latency.floor import floor_lines, floor_ratios, plot_stages_against_floor
from mnemo.benchmarks.latency.retrieval import _stage_samples, target_lines, write_latency_outputs
from mnemo.benchmarks.latency.scale_data import TextPool, mixed_vectors, scale_points, type_counts
from mnemo.benchmarks.server import Sample
from mnemo_client.models import MemoryType


def test_sizes_parse_suffixes_and_reject_nonsense() -> None:
    assert _sizes("10k,100k,1M") == (10_000, 100_000, 1_000_000)
    assert _sizes("2500") == (2_500,)
    with pytest.raises(argparse.ArgumentTypeError):
        _sizes("lots")


def test_type_counts_add_up_to_n() -> None:
    for n in (1, 7, 10_000, 999_999):
        assert sum(type_counts(n).values()) == n


def test_mixed_vectors_are_unit_length_and_near_their_own_pool_vector() -> None:
    rng = np.random.default_rng(0)
    pool = rng.normal(size=(50, 384)).astype(np.float32)
    pool /= np.linalg.norm(pool, axis=1, keepdims=True)
    own = rng.integers(0, 50, size=200)
    mixed = mixed_vectors(pool, own, rng)
    assert np.allclose(np.linalg.norm(mixed, axis=1), 1.0, atol=1e-5)
    similarity_to_own = np.einsum("ij,ij->i", mixed, pool[own])
    assert float(np.median(similarity_to_own)) > 0.7


async def test_scale_points_are_deterministic_real_records(five_texts: tuple[TextPool, Any]) -> None:
    pool, writer = five_texts

    async def collect() -> list[tuple[MemoryType, str, dict[str, object]]]:
        return [
            (t, p.id, p.payload)
            for t, points, _ in [x async for x in scale_points(40, pool, writer, 3)]
            for p in points
        ]

    first, second = await collect(), await collect()
    assert len(first) == 40
    assert [(t, i) for t, i, _ in first] == [(t, i) for t, i, _ in second]
    assert {t for t, _, _ in first} == set(type_counts(40))
    for memory_type, _, payload in first:
        # That the service reads such a payload back is the server's test (tests/unit/test_lab.py).
        assert payload["type"] == memory_type.value and payload["tenant"] == "default"
        assert payload["line_tokens"]["cl100k_base"] > 0
        assert (memory_type is MemoryType.PROSPECTIVE) == ("due_ts" in payload)


def test_overhead_is_http_minus_embedding_and_targets_say_met_or_missed() -> None:
    samples = [Sample(30.0, {"embed_ms": 10.0, "search_ms": 15.0, "pack_ms": 2.0})] * 3
    stages = _stage_samples(samples)
    assert stages["overhead_ms"]["p50"] == 20.0
    assert stages["search_ms"]["p95"] == 15.0
    four = {**stages, "throughput_rps": 52.0}
    results = {"sizes": {"100000": {"http": {"1": stages, "4": four}, "ann_recall@10": {"all": 0.995}}}}
    lines = "\n".join(target_lines(results))
    assert "http_ms p50 ≤ 20 ms: 30.0 ms, MISSED" in lines
    assert "http_ms p95 ≤ 30 ms: 30.0 ms, met" in lines
    assert "100,000 memories, 4 clients, ≥ 50 retrievals/s: 52.0, met" in lines
    assert "1,000,000 memories, one client, http_ms p95 ≤ 50 ms: not measured" in lines
    assert "ANN recall@10 ≥ 0.99: 0.9950, met" in lines


def test_the_latency_summary_says_how_full_the_contexts_were(tmp_path: Path) -> None:
    stages = _stage_samples([Sample(30.0, {"embed_ms": 10.0, "search_ms": 15.0, "pack_ms": 2.0}, 1497)])
    level = {"clients": 1, "requests": 1, "throughput_rps": 33.3, "load_avg_1m": 0.5, "mean_tokens": 1497.0}
    level |= {"cpu_ms_per_retrieval": 28.4, "major_faults_per_retrieval": 0.5}
    run = {
        "load_s": 1.0,
        "optimize_s": 1.0,
        "ann_recall@10": {"all": 1.0},
        "service_memory": {"rss_mib": 100.0, "peak_rss_mib": 120.0},
        "disk_mib": 10.0,
        "search_ms_in_process": {"qdrant_edge": {"p50": 12.0, "p95": 20.0}},
        "top10_search_ms_per_type": {"p50": 1.0, "p95": 2.0},
        "http": {"1": {**level, **stages}},
    }
    machine = {"cpu_model": "cpu", "cores": 2, "ram_gib": 1, "python": "3.11", "measured_at": "now"}
    results = {"machine": machine, "options": {"budget": 2000}, "pool": {"texts": 10}, "sizes": {"2000": run}}
    write_latency_outputs(results, tmp_path)
    summary = (tmp_path / "summary.md").read_text()
    assert "| http p99 | tokens | cpu ms | disk waits |" in summary
    [row] = [line for line in summary.splitlines() if line.startswith("| 2,000 | 1 | 1 |")]
    # http p99, the mean tokens of the contexts, the server's CPU and disk waits per retrieval
    assert row.endswith("| 30.0 | 1497 | 28.4 | 0.50 |")


def test_the_server_s_cpu_and_disk_waits_are_counted_per_retrieval() -> None:
    import os

    from mnemo.benchmarks.latency.retrieval import _work_per_retrieval
    from mnemo.benchmarks.server import work_of

    before = work_of(os.getpid())
    assert before is not None
    sum(i * i for i in range(2_000_000))  # CPU this process spends
    after = work_of(os.getpid())
    assert after is not None and after["cpu_s"] > before["cpu_s"]
    assert after["major_faults"] >= before["major_faults"]
    work = _work_per_retrieval(before, after, 4)
    assert work["cpu_ms_per_retrieval"] == round((after["cpu_s"] - before["cpu_s"]) * 1000 / 4, 1)
    assert _work_per_retrieval(None, after, 4) == {}  # no /proc: not reported


def test_stages_and_throughput_are_reported_against_the_floor(tmp_path: Path) -> None:
    timings = {"embed_ms": 10.0, "search_ms": 15.0, "pack_ms": 2.0}
    one = {**_stage_samples([Sample(30.0, timings)]), "throughput_rps": 30.0}
    four = {**one, "throughput_rps": 54.0}
    floor = {"types": 4, "embed_ms": {"p50": 8.0}, "searches_ms": {"p50": 4.0}, "total_ms": {"p50": 12.0}}
    run: dict[str, Any] = {"floor": floor, "http": {"1": one, "4": four}}
    run["floor_ratios"] = ratios = floor_ratios(run)
    assert ratios["floor_ms"] == 12.0
    assert ratios["http_p50_over_floor"] == 2.5 and ratios["stage_p50_over_floor"]["search_ms"] == 1.25
    assert ratios["throughput_4_over_1"] == 1.8
    [line] = floor_lines({"100000": run})
    assert "floor 12.0 ms (embed 8.0 + 4 top-10 searches 4.0)" in line
    assert "http_p50_over_floor 2.50 (<= 1.4: MISSED)" in line
    assert "throughput_4_over_1 1.80 (>= 1.7: met)" in line
    plot_stages_against_floor(tmp_path, {"100000": run})
    assert (tmp_path / "stages_vs_floor.png").stat().st_size > 0


def test_the_engine_bound_cost_is_set_against_the_floor_and_the_service_against_it(tmp_path: Path) -> None:
    one = {
        **_stage_samples([Sample(30.0, {"embed_ms": 10.0, "search_ms": 15.0})]),
        "throughput_rps": 30.0,
        "cpu_ms_per_retrieval": 12.0,
    }
    floor = {
        "types": 4,
        "embed_ms": {"p50": 8.0},
        "embed_cpu_ms": {"p50": 9.5},
        "searches_ms": {"p50": 4.0},
        "total_ms": {"p50": 12.0},
    }
    run: dict[str, Any] = {
        "floor": floor,
        "engine_query": {"rounds": 50, "search_ms": {"p50": 7.0}, "cpu_ms": {"p50": 8.0}},
        "http": {"1": one},
    }
    run["floor_ratios"] = ratios = floor_ratios(run)
    assert ratios["engine_bound_over_floor"] == 1.25  # (8 + 7) / 12
    line, against = floor_lines({"100000": run})
    assert "this design's own engine query (7.0 ms) alone are 1.25x the floor" in line
    # What the service adds of its own: one client's HTTP and each stage over the 15 ms it cannot avoid.
    assert ratios["http_p50_over_engine_bound"] == 2.0
    assert ratios["stage_p50_over_engine_bound"]["search_ms"] == 1.0
    assert against.startswith("  - against the engine-bound cost (15.0 ms): ")
    assert "http_p50_over_engine_bound 2.00 (<= 1.25: MISSED)" in against
    assert "cpu_ms_per_retrieval 12.00 (<= 15.0: met)" in against
    # The CPU the service cannot avoid, beside the CPU target: the embedding's and the engine's own.
    assert ratios["engine_bound_cpu_ms"] == 17.5
    assert "the embedding and the engine query alone take 17.5 ms of CPU" in against
    assert "p50 by stage embed 0.67x, search 1.00x" in against
    plot_stages_against_floor(tmp_path, {"100000": run})
    assert (tmp_path / "stages_vs_floor.png").stat().st_size > 0


@pytest.mark.parametrize(("after_ms", "moved"), [(13.0, False), (18.0, True)])
def test_the_floor_after_the_clients_is_averaged_in_and_its_drift_said(after_ms: float, moved: bool) -> None:
    one = {**_stage_samples([Sample(30.0, {"embed_ms": 10.0})]), "throughput_rps": 30.0}
    floor = {"types": 4, "embed_ms": {"p50": 8.0}, "searches_ms": {"p50": 4.0}, "total_ms": {"p50": 12.0}}
    run: dict[str, Any] = {"floor": floor, "floor_after": {"total_ms": {"p50": after_ms}}, "http": {"1": one}}
    run["floor_ratios"] = ratios = floor_ratios(run)
    assert ratios["floor_ms"] == (12.0 + after_ms) / 2
    assert ratios["floor_drift"] == round(after_ms / 12.0, 2)
    assert ratios["http_p50_over_floor"] == round(30.0 / ((12.0 + after_ms) / 2), 2)
    [line] = floor_lines({"100000": run})
    assert f"the mean of 12.0 before the clients and {after_ms:.1f} after" in line
    assert ("the ratios below are unreliable" in line) is moved


def test_memory_of_splits_the_rss_into_own_memory_and_mapped_files() -> None:
    import os

    from mnemo.benchmarks.server import memory_of

    memory = memory_of(os.getpid())
    assert memory["anon_mib"] > 0 and memory["file_mib"] > 0  # a Python process maps its libraries
    # RssShmem is the rest of VmRSS; a plain process has next to none.
    assert abs(memory["anon_mib"] + memory["file_mib"] - memory["rss_mib"]) < 0.05 * memory["rss_mib"] + 1
    assert memory["peak_rss_mib"] >= memory["rss_mib"] - 1
