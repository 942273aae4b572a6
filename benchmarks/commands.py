"""What each `mnemo bench <kind>` subcommand does with its parsed arguments: the options built, the
benchmark run, its outputs written and a one-line summary printed. The benchmarks are imported inside each
command, so that building the parser (benchmarks/cli.py) stays light."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def report_not_stored(command: str, not_stored: Any) -> None:
    """Each memory of the dataset the service would refuse, and why: left out, the run goes on."""
    for n in not_stored:
        print(f"{command}: memory {n.id} (line {n.line}) not stored: {n.reason}", file=sys.stderr)


def _given(args: argparse.Namespace, *names: str) -> dict[str, Any]:
    """The named arguments as keywords for an options value whose fields have the same names; the
    names are listed rather than matched, so that a flag of one subcommand never reaches another's
    options."""
    return {name: getattr(args, name) for name in names}


def _cache_dir(args: argparse.Namespace) -> Path | None:
    return None if args.no_embedding_cache else args.embedding_cache


def quality_command(args: argparse.Namespace) -> int:
    from .dataset import load_dataset, with_outdated, with_unanswerable
    from .quality.run import QualityOptions, run_quality
    from .quality.run_report import write_quality_outputs
    from .target import open_target

    dataset = load_dataset(args.memories, args.queries, unanswerable=True)
    if args.unanswerable is not None:
        dataset = with_unanswerable(dataset, args.unanswerable)
    if args.outdated is not None:
        dataset = with_outdated(dataset, args.outdated)
    options = QualityOptions(
        ks=args.k, **_given(args, "budgets", "types", "prefilter", "dedup", "min_confidence")
    )

    async def go() -> Any:
        async with open_target(args.url, args.api_key, embedding_cache=_cache_dir(args)) as target:
            return await run_quality(target, dataset, options, _say)

    run = asyncio.run(go())
    run.results["not_stored"] = [n.as_dict() for n in dataset.not_stored]
    source = f"{args.memories} + {args.queries}"
    if args.unanswerable is not None:
        source += f", beside the unanswerable {args.unanswerable}"
    write_quality_outputs(run, args.out, source)
    report_not_stored("quality", dataset.not_stored)
    k = 10 if 10 in args.k else args.k[-1]
    mnemo = run.results["systems"]["mnemo"].get("all")
    recall = f"mnemo recall@{k} {mnemo[f'recall@{k}']:.3f}, " if mnemo else ""
    confidence = run.results["confidence"]
    abstained = confidence["abstention"]["abstained"]
    separation = confidence.get("auroc")
    if order := run.results.get("update_order", {}).get("mnemo"):
        recall += f"update_order {order['newer_above']}/{order['pairs']}, "
    print(
        f"quality: {len(dataset.queries)} queries, {recall}confidence ECE@10 "
        f"{confidence['calibration@10']['ece']:.3f}"
        + (f", AUROC {separation:.3f}" if separation is not None else "")
        + (f", abstained on {abstained:.0%} of the unanswerable" if abstained is not None else "")
        + f"; wrote {args.out}/results.json, summary.md, per_query.jsonl"
    )
    return 0


def calibrate_command(args: argparse.Namespace) -> int:
    from .quality.calibrate import DEFAULT_FEATURES, calibrate, read_source, write_calibration_outputs

    sources = [read_source(spec) for spec in args.rows]
    features = tuple(f for f in args.features.split(",") if f) or DEFAULT_FEATURES
    floor_on = tuple(f for f in args.floor_on.split(",") if f)
    judge_only = tuple(f for f in args.judge_only.split(",") if f)
    result = calibrate(sources, features, args.files_equal, floor_on, judge_only)
    write_calibration_outputs(result, args.out, args.model_out)
    loo = result["leave_one_out"]
    print(
        "calibrate: leave-one-out ECE@10 "
        + ", ".join(f"{name} {v['calibration']['ece']:.3f}" for name, v in loo.items())
        + (f"; default floor {result['floor']['floor']}" if result["floor"] else "")
        + f"; wrote {args.out}/results.json, summary.md"
        + (f", {args.model_out}" if args.model_out else "")
    )
    return 0


def _variants_file(path: Path) -> dict[str, Any]:
    """A `--variants` file: a JSON object of named variants (a bad file is a message, not a traceback)."""
    import json

    from .target import BenchError

    try:
        variants = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise BenchError(f"--variants {path}: {exc}") from exc
    if not isinstance(variants, dict) or not variants:
        raise BenchError(f"--variants {path}: expected a JSON object of named variants")
    return variants


def ablation_command(args: argparse.Namespace) -> int:
    from .dataset import load_dataset
    from .quality.ablation import VARIANTS, AblationOptions, run_ablation, write_ablation_outputs
    from .target import open_target

    dataset = load_dataset(args.memories, args.queries)
    report_not_stored(args.bench_command, dataset.not_stored)
    variants = _variants_file(args.variants) if args.variants else dict(VARIANTS)
    options = AblationOptions(ks=args.k, budgets=args.budgets, variants=variants)

    async def go() -> Any:
        async with open_target(args.url, args.api_key, embedding_cache=_cache_dir(args)) as target:
            return await run_ablation(target, dataset, options, _say)

    results = asyncio.run(go())
    write_ablation_outputs(results, args.out, f"{args.memories} + {args.queries}")
    print(f"ablation: {len(variants)} variants; wrote {args.out}/results.json, summary.md")
    return 0


def folds_command(args: argparse.Namespace) -> int:
    from .dataset import load_dataset, with_outdated
    from .quality.fold_runner import DEFAULT_VARIANTS, FoldOptions, run_folds, write_folds_outputs
    from .target import open_target

    dataset = load_dataset(args.memories, args.queries)
    if args.outdated is not None:
        dataset = with_outdated(dataset, args.outdated)
    report_not_stored(args.bench_command, dataset.not_stored)
    variants = _variants_file(args.variants) if args.variants else dict(DEFAULT_VARIANTS)
    options = FoldOptions(
        ks=args.k,
        budgets=args.budgets,
        fold_by=args.fold_by,
        metrics=tuple(args.metrics.split(",")),
        reference=args.reference,
        variants=variants,
        baselines=not args.no_baselines,
    )

    async def go() -> Any:
        async with open_target(embedding_cache=_cache_dir(args)) as target:
            return await run_folds(target, dataset, options, _say)

    results = asyncio.run(go())
    write_folds_outputs(results, args.out, f"{args.memories} + {args.queries}")
    print(f"folds: {len(variants)} variants; wrote {args.out}/results.json, summary.md")
    return 0


def latency_command(args: argparse.Namespace) -> int:
    from .latency.built_data import LatencyOptions
    from .latency.retrieval import run_latency, write_latency_outputs

    options = LatencyOptions(
        **_given(args, "sizes", "concurrency", "requests", "max_seconds", "budget", "pool"),
        **_given(args, "ann_queries", "backend_queries", "client_max_size", "seed"),
        **_given(args, "work_dir", "data_cache"),
    )
    peers = None
    if args.peers:
        from .peers.compare import PeerBounds, PeerRunner, write_peer_outputs

        bounds = PeerBounds(options.requests, options.max_seconds, options.warmup)
        peers = PeerRunner(args.peers, options.pool, options.seed, bounds, options.work_dir)
        asyncio.run(peers.prepare())

    def after_size(partial: dict[str, Any]) -> None:
        # Outputs are rewritten after every size, so a long run keeps what it measured if stopped
        # (mnemo's numbers too when a peer fails).
        try:
            if peers is not None:
                peers.compare(partial, _say)
        finally:
            write_latency_outputs(partial, args.out)
            if peers is not None:
                write_peer_outputs(partial, args.out)

    asyncio.run(run_latency(options, _say, after_size))
    print(f"latency: {len(args.sizes)} size(s); wrote {args.out}/results.json, summary.md")
    return 0


def build_command(args: argparse.Namespace) -> int:
    from .latency.build import BuildOptions, run_build
    from .latency.build_report import write_build_outputs

    options = BuildOptions(
        **_given(args, "source", "size", "types", "idle_requests", "rate", "idle_max_seconds"),
        **_given(args, "during_max_seconds", "pool", "work_dir"),
    )
    results = asyncio.run(run_build(options, _say))
    write_build_outputs(results, args.out)
    print(f"build: wrote {args.out}/results.json, summary.md")
    return 0


def ingest_command(args: argparse.Namespace) -> int:
    from mnemo_client.models import MemoryIn

    from .dataset import NotStored, load_memories
    from .synthetic import generate
    from .write.ingest_throughput import IngestOptions, run_ingest, write_ingest_outputs

    if args.memories:
        not_stored: list[NotStored] = []
        memories, source = load_memories(args.memories, not_stored), str(args.memories)
        report_not_stored("ingest", not_stored)
    else:
        memories = [MemoryIn.model_validate(m) for m in generate(args.size, args.seed)[0]]
        source = f"the synthetic generator (size {args.size}, seed {args.seed})"
    results = asyncio.run(run_ingest(memories, IngestOptions(batch=args.batch, repeats=args.repeats)))
    write_ingest_outputs(results, args.out, source)
    print(
        f"ingest: {results['ingest']['per_s']:.0f} memories/s, raw embedding "
        f"{results['raw_embedding']['per_s']:.0f}/s; wrote {args.out}/results.json, summary.md"
    )
    return 0


def generate_command(args: argparse.Namespace) -> int:
    from .dataset import write_jsonl
    from .synthetic import generate

    memories, queries = generate(args.size, args.seed)
    write_jsonl(args.out / "memories.jsonl", memories)
    write_jsonl(args.out / "queries.jsonl", queries)
    print(f"generate: {len(memories)} memories, {len(queries)} queries (seed {args.seed}) in {args.out}")
    return 0


def convert_command(args: argparse.Namespace) -> int:
    from .convert import convert, read_split

    split = None if args.split is None else read_split(args.split)
    done = convert(args.benchmark, args.file, args.out, abstention=not args.no_abstention, split=split)
    left_out = ", ".join(f"{reason} {n}" for reason, n in sorted(done.left_out.items()))
    print(
        f"convert {args.benchmark}: {len(done.memories)} memories, {len(done.queries)} queries in {args.out}"
        + (f" (left out: {left_out})" if left_out else "")
    )
    return 0


def scopes_command(args: argparse.Namespace) -> int:
    from .quality.scopes import write_scoped

    memories, queries = write_scoped(
        args.dataset, args.out, args.per_category, args.seed, args.sizes, args.without_sizes
    )
    print(f"scopes: {memories} memories, {queries} queries (seed {args.seed}) in {args.out}")
    return 0


def _finish_load_run(
    results: dict[str, Any], write_outputs: Callable[[dict[str, Any], Path], None], out: Path, line: str
) -> int:
    """A load run's ending: its outputs written under `out`, its summary `line` printed, and its exit
    status (1 where the run found what it checks for broken)."""
    write_outputs(results, out)
    print(line)
    return 0 if results["ok"] else 1


def _neighbours(args: argparse.Namespace) -> int:
    from .load.neighbours import NeighbourOptions, run_neighbours, write_neighbour_outputs

    options = NeighbourOptions(
        duration_s=args.duration,
        **_given(args, "scenario", "quiet", "rate", "batch_items", "item_chars", "seed", "work_dir"),
    )
    results = asyncio.run(run_neighbours(options, _say))
    line = f"load {args.scenario}: quiet p95 ratio {results['quiet_p95_ratio']}; wrote {args.out}/summary.md"
    return _finish_load_run(results, write_neighbour_outputs, args.out, line)


def _flood(args: argparse.Namespace) -> int:
    from .load.flood import FloodOptions, run_flood, write_flood_outputs

    options = FloodOptions(
        duration_s=args.duration,
        **_given(args, "rounds", "writers", "retrievers", "cpu_slots", "seed", "work_dir"),
    )
    results = asyncio.run(run_flood(options, _say))
    line = f"load flood: quiet tenant p50 {results['ratios']['p50']}x, p95 {results['ratios']['p95']}x"
    return _finish_load_run(results, write_flood_outputs, args.out, line)


def load_command(args: argparse.Namespace) -> int:
    from .load.mixed import LoadOptions, run_load, write_load_outputs

    if args.scenario == "flood":
        return _flood(args)
    if args.scenario != "mixed":
        return _neighbours(args)
    options = LoadOptions(
        duration_s=args.duration, clients=args.clients, seed=args.seed, work_dir=args.work_dir
    )
    results = asyncio.run(run_load(options, _say))
    lost = results["read_back"]["lost_memory_count"] + results["read_back"]["lost_working_item_count"]
    line = (
        f"load: {results['requests']} requests, {results['throughput_per_s']} req/s, "
        f"5xx {results['server_errors']}, connection errors {results['transport_errors']}, lost {lost}; "
        f"wrote {args.out}/results.json, summary.md"
    )
    return _finish_load_run(results, write_load_outputs, args.out, line)


def faults_command(args: argparse.Namespace) -> int:
    from .load.crash_loop import CrashLoopOptions, run_crash_loop, write_crash_loop_outputs

    options = CrashLoopOptions(**_given(args, "cycles", "memories", "writers", "seed", "work_dir"))
    results = asyncio.run(run_crash_loop(options, _say))
    line = (
        f"faults: {args.cycles} SIGKILL cycles, lost {results['lost']}, orphans {results['orphans']}, "
        f"slowest restart {results['max_restart_ready_s']} s; wrote {args.out}/results.json, summary.md"
    )
    return _finish_load_run(results, write_crash_loop_outputs, args.out, line)


def write_command(args: argparse.Namespace) -> int:
    from .target import open_target
    from .write.judgement import run_write_bench, write_write_outputs
    from .write.templates import build_cases

    cases = build_cases(args.seed)
    if args.sample:  # a spread of every type and kind, for the smoke run
        cases = cases[:: max(1, len(cases) // args.sample)]

    async def go() -> Any:
        async with open_target(args.url, args.api_key) as target:
            return await run_write_bench(target, cases, _say)

    results = asyncio.run(go())
    write_write_outputs(results, args.out)
    overall = results["overall"]
    print(
        f"write: {results['cases']} cases, facts lost {overall['facts_lost']}, noise dropped "
        f"{overall['noise_dropped']}, duplicates absorbed {overall['duplicates_absorbed']}, updates "
        f"resolved {overall['updates_resolved']}; wrote {args.out}/results.json, summary.md"
    )
    return 0


def explorer_command(args: argparse.Namespace) -> int:
    from .latency.explorer import run_explorer, write_explorer_outputs

    results = asyncio.run(run_explorer(args.sizes, args.runs, args.pool, args.seed, _say))
    write_explorer_outputs(results, args.out)
    print((args.out / "summary.md").read_text(), end="")
    return 0
