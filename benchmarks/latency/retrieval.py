"""`mnemo bench latency`: retrieval latency by stage at each size, over real HTTP on loopback.

For each size N: N memories across the four searched types are loaded straight into a Qdrant Edge
data dir (vectors synthesized from a pool of real embeddings, see `scale_data`), the HNSW indexes
are built, the ANN is checked against exact search, the same retrievals are timed in-process on
Qdrant Edge and on qdrant-client's local mode, and then a real server is started on that data dir
and driven by 1..C concurrent clients. Each stage is bounded in requests and in seconds.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from mnemo.lab import SearchRequest, VectorIndex, configured_embedder, top_k_search
from mnemo_client.models import MemoryType

from ..metrics import ann_recall, percentiles
from ..report import machine
from ..server import Sample, drive, memory_of, serve, work_of
from .built_data import LatencyOptions, SizeLoader, floor_again
from .floor import floor_lines, floor_ratios, measure_floor, plot_stages_against_floor
from .in_process import measure_engine_queries, pipeline_search_ms
from .scale_data import SCALE_USER, TENANT, TextPool, pool_texts, retrieve_bodies
from .tail import cpu_times, steal_share, tail_lines, tail_split, warm_up

STAGES = ("http_ms", "embed_ms", "search_ms", "pack_ms", "overhead_ms")
# The summary's table of each size and number of clients.
LEVEL_COLUMNS = [
    *("memories", "clients", "requests", "req/s", "load"),
    *STAGES,
    *("http p99", "tokens", "cpu ms", "disk waits"),
]
ANN_K = 10


def _stage_samples(samples: list[Sample]) -> dict[str, dict[str, float]]:
    columns: dict[str, list[float]] = {stage: [] for stage in STAGES}
    for s in samples:
        columns["http_ms"].append(s.http_ms)
        for stage in ("embed_ms", "search_ms", "pack_ms"):
            columns[stage].append(s.timings_ms.get(stage, float("nan")))
        # mnemo's own overhead: everything the caller waits for except embedding the query.
        columns["overhead_ms"].append(s.http_ms - s.timings_ms.get("embed_ms", 0.0))
    return {stage: percentiles(values) for stage, values in columns.items()}


def _work_per_retrieval(
    before: dict[str, float] | None, after: dict[str, float] | None, retrievals: int
) -> dict[str, float]:
    if before is None or after is None or not retrievals:
        return {}
    return {
        "cpu_ms_per_retrieval": round((after["cpu_s"] - before["cpu_s"]) * 1000 / retrievals, 1),
        "major_faults_per_retrieval": round((after["major_faults"] - before["major_faults"]) / retrievals, 2),
    }


async def _ann_check(
    index: VectorIndex, vectors: dict[MemoryType, list[np.ndarray]], queries: np.ndarray
) -> tuple[dict[str, float], dict[str, float]]:
    """Per type: the index's top-10 (no formula) against exact cosine over the same vectors.

    Also answers how long those plain top-10 searches took: the engine's own cost, to set against
    the search stage of a retrieval (hundreds of formula-ranked candidates with payloads per type).
    """
    scope = {"user_id": SCALE_USER}
    recall: dict[str, float] = {}
    took: list[float] = []
    for memory_type, chunks in vectors.items():
        matrix = np.concatenate(chunks)
        recalls = []
        for query in queries:
            sims = matrix @ query
            exact = (
                np.sort(sims)[::-1][:ANN_K]
                if len(sims) <= ANN_K
                else np.sort(sims[np.argpartition(-sims, ANN_K)[:ANN_K]])[::-1]
            )
            search = top_k_search(memory_type, query.tolist(), TENANT, scope, ANN_K)
            started = time.perf_counter()
            [found] = await index.search([search])
            took.append((time.perf_counter() - started) * 1000)
            recalls.append(ann_recall([h.score for h in found], [float(s) for s in exact], ANN_K))
        recall[memory_type.value] = float(np.mean(recalls))
    recall["all"] = float(np.mean(list(recall.values())))
    return recall, percentiles(took)


async def _size_run(
    n: int, pool: TextPool, options: LatencyOptions, work: Path, say: Callable[[str], None]
) -> dict[str, Any]:
    from mnemo.lab import TokenizerRegistry

    data_dir = work / f"n{n}"
    embedder = configured_embedder()
    tokenizers = TokenizerRegistry()
    loader = SizeLoader(pool, options, embedder, tokenizers, say)
    edge, local, result, vectors = await loader.open(data_dir, n)

    questions = pool.questions
    query_vectors = np.asarray(await embedder.embed(questions[: options.ann_queries]), dtype=np.float32)
    result["ann_recall@10"], result["top10_search_ms_per_type"] = await _ann_check(
        edge, vectors, query_vectors
    )
    floor_questions, types = questions[: options.ann_queries + 3], [*vectors]
    result["floor"] = await measure_floor(edge, embedder, floor_questions, types)
    del vectors
    backends: dict[str, VectorIndex] = {"qdrant_edge": edge}
    if local is not None:
        backends["qdrant_client_local"] = local
    asked = [questions[i % len(questions)] for i in range(options.backend_queries + 3)]
    first_rounds: list[list[SearchRequest]] = []
    result["search_ms_in_process"] = {
        name: await pipeline_search_ms(
            index, embedder, tokenizers, asked, options.budget, first_rounds if index is edge else None
        )
        for name, index in backends.items()
    }
    if first_rounds:  # none where --backend-queries is 0
        result["engine_query"] = await measure_engine_queries(edge, first_rounds)
    await edge.close()
    if local is not None:
        await local.close()
    embedder.close()

    result["disk_mib"] = round(sum(f.stat().st_size for f in data_dir.rglob("*") if f.is_file()) / 2**20, 1)
    say(f"  {n}: starting the server")
    result.update(
        await _over_http(
            data_dir, work / f"server-{n}.log", retrieve_bodies(questions, options.budget), options
        )
    )
    # The floor again, after the clients: the machine's speed drifts, and the ratios are only as
    # good as the floor they divide by (floor_drift in results.json says how far it moved).
    result["floor_after"] = await floor_again(data_dir, floor_questions, types)
    result["floor_ratios"] = floor_ratios(result)
    for clients, level in result["http"].items():
        p50 = level["http_ms"]["p50"]
        say(f"  {n}: {clients} client(s): {level['requests']} requests, http p50 {p50:.1f} ms")
    return result


async def _over_http(
    data_dir: Path, log: Path, bodies: list[dict[str, Any]], options: LatencyOptions
) -> dict[str, Any]:
    """A server on `data_dir`, warmed up, then driven by each number of clients in turn."""
    levels: dict[str, Any] = {}
    async with serve(data_dir, log) as server:
        warmup = await warm_up(server.url, server.pid, bodies, options.warmup, options.max_seconds)
        for clients in options.concurrency:
            before, machine_before = work_of(server.pid), cpu_times()
            samples, wall, errors = await drive(
                server.url, bodies, clients, options.requests, options.max_seconds
            )
            after = work_of(server.pid)
            levels[str(clients)] = {
                "clients": clients,
                "requests": len(samples),
                "errors": errors,
                "wall_s": round(wall, 2),
                "throughput_rps": round(len(samples) / wall, 1) if wall else 0.0,
                # How busy the machine was meanwhile (a shared machine's other work shows up here).
                "load_avg_1m": round(os.getloadavg()[0], 2),
                # Speed is only half the story: how full the contexts were that came back that fast.
                "mean_tokens": round(sum(s.tokens for s in samples) / len(samples), 1) if samples else 0.0,
                # The service's own work per retrieval, all its threads: the CPU it costs, and how
                # often it waited for the disk (a mapped page not in the page cache).
                **_work_per_retrieval(before, after, len(samples)),
                **_stage_samples(samples),
                "steal_share": steal_share(machine_before, cpu_times()),
                "tail": tail_split(samples),
            }
        return {"warmup": warmup, "http": levels, "service_memory": memory_of(server.pid)}


async def run_latency(
    options: LatencyOptions,
    say: Callable[[str], None],
    after_size: Callable[[dict[str, Any]], None] = lambda results: None,
) -> dict[str, Any]:
    """Every size in turn; `after_size` gets the results so far (a long run keeps what it measured)."""
    texts, questions = pool_texts(options.pool, options.seed)
    embedder = configured_embedder()
    started = time.perf_counter()
    pool_vectors = np.asarray(await embedder.embed(texts), dtype=np.float32)
    embed_s = time.perf_counter() - started
    embedder.close()
    say(f"embedded a pool of {len(texts)} real texts in {embed_s:.1f} s ({len(texts) / embed_s:.0f} texts/s)")
    pool = TextPool(texts, pool_vectors, questions)
    results: dict[str, Any] = {
        "machine": machine(),
        "options": {
            k: (str(v) if isinstance(v, Path) else v) for k, v in options.__dict__.items() if k != "work_dir"
        },
        "pool": {
            "texts": len(texts),
            "questions": len(questions),
            "embed_texts_per_s": round(len(texts) / embed_s, 1),
        },
        "sizes": {},
    }
    scratch = Path(tempfile.mkdtemp(prefix="mnemo-latency-", dir=options.work_dir))
    try:
        for n in options.sizes:
            say(f"size {n}:")
            results["sizes"][str(n)] = await _size_run(n, pool, options, scratch, say)
            after_size(results)
            shutil.rmtree(scratch / f"n{n}", ignore_errors=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return results


TARGETS = (  # (size, metric, percentile, limit in ms); measured and reported, not asserted
    (100_000, "http_ms", "p50", 20.0),
    (100_000, "http_ms", "p95", 30.0),
    (1_000_000, "http_ms", "p95", 50.0),
)
THROUGHPUT_TARGET = (100_000, "4", 50.0)  # size, clients, retrievals per second at least


def target_lines(results: dict[str, Any]) -> list[str]:
    lines = []
    for size, metric, point, limit in TARGETS:
        run = results["sizes"].get(str(size), {}).get("http", {}).get("1")
        if run is None:
            lines.append(f"- {size:,} memories, one client, {metric} {point} ≤ {limit:g} ms: not measured")
            continue
        value = run[metric][point]
        verdict = "met" if value <= limit else "MISSED"
        lines.append(
            f"- {size:,} memories, one client, {metric} {point} ≤ {limit:g} ms: {value:.1f} ms, {verdict}"
        )
    size, clients, rate = THROUGHPUT_TARGET
    level = results["sizes"].get(str(size), {}).get("http", {}).get(clients)
    if level is None:
        lines.append(f"- {size:,} memories, {clients} clients, ≥ {rate:g} retrievals/s: not measured")
    else:
        verdict = "met" if level["throughput_rps"] >= rate else "MISSED"
        lines.append(
            f"- {size:,} memories, {clients} clients, ≥ {rate:g} retrievals/s: "
            f"{level['throughput_rps']:.1f}, {verdict}"
        )
    for size, run in results["sizes"].items():
        ann = run["ann_recall@10"]["all"]
        verdict = "met" if ann >= 0.99 else "MISSED"
        lines.append(f"- {int(size):,} memories, ANN recall@10 ≥ 0.99: {ann:.4f}, {verdict}")
    return lines


def _per_retrieval(level: dict[str, Any], key: str, digits: int) -> str:
    """A per-retrieval figure of the server's ("—" in results from before it was recorded)."""
    return f"{level[key]:.{digits}f}" if key in level else "—"


def _files_share(memory: dict[str, float]) -> str:
    """The mapped files' part of the RSS ("—" in results from before it was recorded)."""
    return f"{memory['file_mib']:.0f}" if "file_mib" in memory else "—"


def write_latency_outputs(results: dict[str, Any], out: Path) -> None:
    from ..report import write_outputs

    write_outputs(out, results, _summary(results))
    _plot(out, results["sizes"])


def _summary(results: dict[str, Any]) -> str:
    from ..report import machine_line, table

    sizes = results["sizes"]
    text = [
        "# mnemo bench latency",
        "",
        machine_line(results["machine"]),
        "",
        f"Retrievals of {results['options']['budget']} tokens over the four searched types, one user scope "
        "holding every memory (the worst case for the filter), over HTTP on 127.0.0.1 to a `mnemo serve` "
        f"child process. Vectors: a pool of {results['pool']['texts']} real texts embedded once, every "
        "memory a normalized noisy mixture of two pool vectors; payloads built by the write pipeline itself.",
        "",
        "## Targets",
        "",
        *target_lines(results),
        *floor_lines(sizes),
        "",
        "## Latency by stage (ms, p50 / p95)",
        "",
        "`overhead` is everything the caller waits for except embedding the query; `tokens` is the mean "
        f"`total_tokens` of the contexts returned (of {results['options']['budget']}); `cpu ms` is the "
        "server's CPU time per retrieval (all its threads), `disk waits` its major page faults per "
        "retrieval (mapped pages read from the disk).",
        "",
        table(LEVEL_COLUMNS, _level_rows(sizes)),
        *tail_lines(sizes),
        "",
        "## Build, ANN recall and memory",
        "",
        _build_table(sizes),
        "",
        "## Search stage in-process by vector backend (ms)",
        "",
        "A retrieval's searches: one formula-ranked search per type (prefetch and limit as the retrieval "
        "pipeline sets them for the budget), with payloads, timed as `search_ms` by the pipeline itself. "
        "One plain top-10 search: nearest neighbours of one type, no formula (the ANN check's queries).",
        "",
        _backends_table(sizes),
        "",
        "![latency by size](latency_by_size.png) ![stages](stages.png) ![floor](stages_vs_floor.png)",
        "",
    ]
    return "\n".join(text)


def _level_rows(sizes: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for size, run in sizes.items():
        for clients, level in run["http"].items():
            rows.append(
                [f"{int(size):,}", clients, level["requests"], f"{level['throughput_rps']:.1f}"]
                + [level.get("load_avg_1m", "")]
                + [f"{level[s]['p50']:.1f} / {level[s]['p95']:.1f}" for s in STAGES]
                + [f"{level['http_ms']['p99']:.1f}"]
                + [f"{level['mean_tokens']:.0f}" if "mean_tokens" in level else "—"]
                + [_per_retrieval(level, "cpu_ms_per_retrieval", 1)]
                + [_per_retrieval(level, "major_faults_per_retrieval", 2)]
            )
    return rows


def _build_table(sizes: dict[str, Any]) -> str:
    from ..report import table

    build = [
        [
            f"{int(size):,}",
            f"{run['load_s']:.1f}",
            f"{run['optimize_s']:.1f}",
            f"{run['ann_recall@10']['all']:.4f}",
            f"{run['service_memory']['rss_mib']:.0f} ({run['service_memory']['peak_rss_mib']:.0f})",
            _files_share(run["service_memory"]),
            f"{run['disk_mib']:.0f}",
        ]
        for size, run in sizes.items()
    ]
    return table(
        [
            "memories",
            "load s",
            "HNSW build s",
            "ANN recall@10",
            "service RSS MiB (peak)",
            "of which mapped files MiB",
            "disk MiB",
        ],
        build,
    )


def _backends_table(sizes: dict[str, Any]) -> str:
    from ..report import table

    backends = [
        [f"{int(size):,}", f"{name}: a retrieval's searches", f"{p['p50']:.1f}", f"{p['p95']:.1f}"]
        for size, run in sizes.items()
        for name, p in run["search_ms_in_process"].items()
    ]
    backends += [
        [f"{int(size):,}", "qdrant_edge: one plain top-10 search", f"{p['p50']:.2f}", f"{p['p95']:.2f}"]
        for size, run in sizes.items()
        for p in [run["top10_search_ms_per_type"]]
    ]
    return table(["memories", "backend", "search p50", "search p95"], backends)


def _plot(out: Path, sizes: dict[str, Any]) -> None:
    from ..report import bar_plot, line_plot

    xs = [int(s) for s in sizes]
    one = [run["http"].get("1") or next(iter(run["http"].values())) for run in sizes.values()]
    line_plot(
        out / "latency_by_size.png",
        "retrieval latency, one client",
        "memories",
        "ms",
        xs,
        {
            "http p50": [r["http_ms"]["p50"] for r in one],
            "http p95": [r["http_ms"]["p95"] for r in one],
            "overhead p95": [r["overhead_ms"]["p95"] for r in one],
        },
        logx=True,
    )
    plot_stages_against_floor(out, sizes)
    bar_plot(
        out / "stages.png",
        "p50 by stage, one client (ms)",
        "ms",
        [f"{x:,}" for x in xs],
        {stage: [r[stage]["p50"] for r in one] for stage in ("embed_ms", "search_ms", "pack_ms", "http_ms")},
    )
