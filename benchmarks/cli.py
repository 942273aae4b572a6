"""The `mnemo bench …` subcommands: argument parsing only; each command's work lives in its module,
reached through benchmarks/commands.py.

Size: one parser function per subcommand, fourteen of them, each its command's flags and their help;
a second module would only move half of that list away from the other half."""

from __future__ import annotations

import argparse
import importlib.util
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mnemo_client.models import MemoryType

from .commands import (
    ablation_command,
    build_command,
    calibrate_command,
    convert_command,
    explorer_command,
    faults_command,
    folds_command,
    generate_command,
    ingest_command,
    latency_command,
    load_command,
    quality_command,
    scopes_command,
    write_command,
)
from .quality.scopes import SIZES, WITHOUT_SIZES

log = logging.getLogger("mnemo.bench")


def _ints(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(v) for v in text.split(",") if v.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"expected positive integers, got {text!r}")
    return tuple(sorted(set(values)))


def _types(text: str) -> tuple[MemoryType, ...]:
    from mnemo_client.models import MemoryType  # when a command runs: a help loads no client

    try:
        return tuple(MemoryType(v.strip()) for v in text.split(",") if v.strip())
    except ValueError:
        known = ", ".join(t.value for t in MemoryType)
        raise argparse.ArgumentTypeError(f"unknown memory type in {text!r} (known: {known})") from None


def _sizes(text: str) -> tuple[int, ...]:
    """`10k,100k,1M` or plain integers."""
    scale = {"k": 1_000, "m": 1_000_000}
    out = []
    for raw in text.lower().split(","):
        raw = raw.strip()
        if not raw:
            continue
        factor = scale.get(raw[-1], 1)
        try:
            out.append(int(float(raw[:-1] if factor > 1 else raw) * factor))
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected sizes like 10k,100k,1M; got {text!r}") from None
    if not out or min(out) < 1:
        raise argparse.ArgumentTypeError(f"expected positive sizes, got {text!r}")
    return tuple(out)


def _size(text: str) -> int:
    sizes = _sizes(text)
    if len(sizes) != 1:
        raise argparse.ArgumentTypeError(f"expected one size like 5000 or 100k, got {text!r}")
    return sizes[0]


DEFAULT_CACHE_DIR = Path(".cache/embeddings")


def _peers(text: str) -> tuple[str, ...]:
    from .peers.compare import parse_peers

    return parse_peers(text)


def _add_dataset_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--memories", type=Path, required=True, help="memories.jsonl (dataset format)")
    parser.add_argument("--queries", type=Path, required=True, help="queries.jsonl (dataset format)")


def _add_target_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", help="a running mnemo (default: an in-process app on a temp dir)")
    parser.add_argument("--api-key", help="API key for --url")


def _add_out_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="output directory")


def _add_outdated_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--outdated",
        type=Path,
        metavar="FILE",
        help="JSONL {id, outdated_ids}: the outdated memories of questions whose queries file has none "
        "(update_order)",
    )


def _add_cache_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--embedding-cache",
        type=Path,
        default=DEFAULT_CACHE_DIR,
        help=f"in-process: embed through an on-disk cache here (default {DEFAULT_CACHE_DIR})",
    )
    parser.add_argument("--no-embedding-cache", action="store_true", help="embed everything afresh")


def add_bench_parser(sub: Any) -> None:
    """Register `bench` and its subcommands on the top-level `mnemo` parser's subparsers."""
    bench = sub.add_parser(
        "bench",
        help="benchmarks: quality, ablation, folds, calibrate, latency, build, ingest, load, faults, write, "
        "explorer; datasets: generate, convert, scopes",
    )
    bench.set_defaults(func=run_bench)
    commands = bench.add_subparsers(dest="bench_command", required=True)
    for add_parser in (
        _add_quality_parser,
        _add_ablation_parser,
        _add_folds_parser,
        _add_calibrate_parser,
        _add_latency_parser,
        _add_build_parser,
        _add_ingest_parser,
        _add_load_parser,
        _add_faults_parser,
        _add_write_parser,
        _add_explorer_parser,
        _add_generate_parser,
        _add_convert_parser,
        _add_scopes_parser,
    ):
        add_parser(commands)


def _add_quality_parser(commands: Any) -> None:
    quality = commands.add_parser("quality", help="recall/ndcg/budget recall of mnemo and baselines")
    _add_dataset_flags(quality)
    quality.add_argument("--k", type=_ints, default=(1, 5, 10, 20), help="ranks K (default 1,5,10,20)")
    quality.add_argument(
        "--budgets",
        type=_ints,
        default=(256, 512, 1024, 2048),
        help="token budgets (default 256,512,1024,2048)",
    )
    quality.add_argument("--types", type=_types, help="memory types to retrieve (default: the API's)")
    _add_target_flags(quality)
    quality.add_argument(
        "--prefilter", action="store_true", help="run the write path's pre-filter on the memories"
    )
    quality.add_argument("--dedup", action="store_true", help="merge near-duplicate memories while loading")
    quality.add_argument(
        "--min-confidence",
        type=float,
        help="the budget runs' confidence floor (default: the service's; 0: the budget filled)",
    )
    quality.add_argument(
        "--unanswerable",
        type=Path,
        metavar="DIR",
        help="a dataset folder of questions nothing answers, run beside: AUROC of the top confidence",
    )
    _add_outdated_flag(quality)
    _add_out_flag(quality)
    _add_cache_flags(quality)
    quality.set_defaults(bench_func=quality_command)


def _add_ablation_parser(commands: Any) -> None:
    ablation = commands.add_parser("ablation", help="quality and latency of mnemo with parts switched off")
    _add_dataset_flags(ablation)
    ablation.add_argument("--k", type=_ints, default=(5, 10, 20), help="ranks K (default 5,10,20)")
    ablation.add_argument("--budgets", type=_ints, default=(1024, 2048), help="default 1024,2048")
    ablation.add_argument(
        "--variants",
        type=Path,
        help="JSON variants as `mnemo bench folds` reads them (default: the built-in ladder)",
    )
    _add_target_flags(ablation)
    _add_out_flag(ablation)
    _add_cache_flags(ablation)
    ablation.set_defaults(bench_func=ablation_command)


def _add_folds_parser(commands: Any) -> None:
    folds = commands.add_parser(
        "folds", help="configurations and baselines judged by leave-one-out folds and paired tests"
    )
    _add_dataset_flags(folds)
    folds.add_argument(
        "--variants",
        type=Path,
        help='JSON {"name": {"ranking": {...}, "config": {RetrievalConfig fields}, "preset": '
        '"semantic-only", "model": {"expand.neighbour_decay": value}}} (default: the defaults)',
    )
    folds.add_argument("--reference", default="default", help="the variant the others are compared with")
    folds.add_argument(
        "--fold-by", choices=["scope", "category"], default="scope", help="the unit left out in turn"
    )
    folds.add_argument(
        "--metrics",
        default="recall@10,ndcg@10,budget_recall@2048",
        help="judged metrics: recall@K, hit@K, recall_all@K, ndcg@K (each --k), session_recall_all@5 "
        "or @10, budget_recall@B (each --budgets)",
    )
    folds.add_argument("--k", type=_ints, default=(1, 5, 10, 20), help="ranks K (default 1,5,10,20)")
    folds.add_argument("--budgets", type=_ints, default=(1024, 2048), help="default 1024,2048")
    folds.add_argument("--no-baselines", action="store_true", help="skip BM25, dense and fusion")
    _add_outdated_flag(folds)
    _add_out_flag(folds)
    _add_cache_flags(folds)
    folds.set_defaults(bench_func=folds_command)


def _add_calibrate_parser(commands: Any) -> None:
    calibrate = commands.add_parser(
        "calibrate", help="fit the confidence model on quality runs, judged by leave-one-out folds"
    )
    calibrate.add_argument(
        "--rows",
        action="append",
        required=True,
        help="NAME=PATH[:scope|:category|:query|:question]: a quality run's per_query.jsonl and its "
        "held-out unit "
        "(repeat per dataset)",
    )
    calibrate.add_argument(
        "--features",
        default="",
        help="confidence features (comma-separated; retrieval/ranking/confidence.py FEATURES; "
        "default: benchmarks/quality/calibrate.py DEFAULT_FEATURES)",
    )
    calibrate.add_argument(
        "--model-out",
        type=Path,
        help="write the fitted model here (the shipped one: retrieval/ranking/confidence.json)",
    )
    calibrate.add_argument(
        "--files-equal",
        action="store_true",
        help="every input file weighs the same (default: every question)",
    )
    calibrate.add_argument(
        "--judge-only",
        default="",
        help="NAME,...: sets judged by the model fitted on the others, never fitted on",
    )
    calibrate.add_argument(
        "--floor-on",
        default="",
        help="NAME,...: choose the default confidence floor on these sets (their runs' budgets)",
    )
    _add_out_flag(calibrate)
    calibrate.set_defaults(bench_func=calibrate_command)


def _add_latency_parser(commands: Any) -> None:
    latency = commands.add_parser("latency", help="retrieval latency by stage over HTTP at each size")
    latency.add_argument(
        "--sizes", type=_sizes, default=(10_000, 100_000, 1_000_000), help="default 10k,100k,1M"
    )
    latency.add_argument("--concurrency", type=_ints, default=(1, 4), help="concurrent clients (default 1,4)")
    latency.add_argument(
        "--requests",
        type=int,
        default=300,
        help="requests per concurrency level (each question asked 3+ times, e.g. 2016 for the pool's 126: "
        "the summary splits one client's tail into the questions' costs and their repeats' spread)",
    )
    latency.add_argument("--max-seconds", type=float, default=90.0, help="time cap per concurrency level")
    latency.add_argument("--budget", type=int, default=2_000, help="budget_tokens of each retrieval")
    latency.add_argument("--pool", type=int, default=3_000, help="real texts embedded to seed the vectors")
    latency.add_argument("--ann-queries", type=int, default=100, help="queries of the ANN-vs-exact check")
    latency.add_argument("--backend-queries", type=int, default=50, help="queries of the backend comparison")
    latency.add_argument(
        "--client-max-size",
        type=int,
        default=10_000,
        help="largest size also timed on qdrant-client local mode",
    )
    latency.add_argument("--seed", type=int, default=0)
    latency.add_argument("--work-dir", type=Path, help="where the scratch data dirs go (default: temp)")
    latency.add_argument(
        "--data-cache",
        type=Path,
        help="keep each size's built data here and reuse it (same seed and pool); runs use a copy",
    )
    _add_out_flag(latency)
    latency.add_argument(
        "--peers",
        type=_peers,
        default=(),
        help="also time these systems on the same memories (mem0; see benchmarks/peers/)",
    )
    latency.set_defaults(bench_func=latency_command)


def _add_build_parser(commands: Any) -> None:
    build = commands.add_parser(
        "build", help="retrieval latency over HTTP while the service ingests and rebuilds its HNSW indexes"
    )
    build.add_argument("--source", type=Path, help="an indexed data dir to start from (holds qdrant/)")
    build.add_argument("--size", type=_size, default=3_000, help="without --source: memories to load")
    build.add_argument(
        "--types",
        type=_types,
        default="episodic,semantic",  # parsed by _types when the command runs
        help="types to ingest into",
    )
    build.add_argument("--idle-requests", type=int, default=300, help="retrievals of each idle phase")
    build.add_argument("--rate", type=float, default=4.0, help="retrievals a second (open loop)")
    build.add_argument("--idle-max-seconds", type=float, default=90.0, help="time cap of each idle phase")
    build.add_argument("--during-max-seconds", type=float, default=1_800.0, help="time cap of ingest + build")
    build.add_argument("--pool", type=int, default=3_000, help="pool texts (ingested memories join two)")
    build.add_argument("--work-dir", type=Path, help="where the scratch data dirs go (default: temp)")
    _add_out_flag(build)
    build.set_defaults(bench_func=build_command)


def _add_ingest_parser(commands: Any) -> None:
    ingest = commands.add_parser("ingest", help="bulk ingestion throughput against raw embedding throughput")
    ingest.add_argument("--memories", type=Path, help="memories.jsonl to ingest (default: synthetic)")
    ingest.add_argument("--size", type=_size, default=5_000, help="synthetic memories when no file is given")
    ingest.add_argument("--seed", type=int, default=0)
    ingest.add_argument(
        "--batch", type=int, default=256, help="memories per batch (mnemo ingest --batch-size)"
    )
    ingest.add_argument("--repeats", type=int, default=1, help="runs per phase; the best is reported")
    _add_out_flag(ingest)
    ingest.set_defaults(bench_func=ingest_command)


def _add_load_parser(commands: Any) -> None:
    load = commands.add_parser(
        "load", help="bounded mixed load on a real server; every acknowledged write read back"
    )
    load.add_argument("--duration", type=float, default=60.0, help="seconds of load (default 60)")
    load.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    load.add_argument("--seed", type=int, default=0)
    load.add_argument(
        "--work-dir", type=Path, help="where the server's scratch data dir goes (default: temp)"
    )
    _add_out_flag(load)
    # Fairness between tenants (benchmarks/load/neighbours.py).
    load.add_argument(
        "--scenario", choices=["mixed", "noisy-neighbour", "big-batch", "flood"], default="mixed"
    )
    load.add_argument("--quiet", type=int, default=3, help="quiet tenants (noisy-neighbour, big-batch)")
    load.add_argument("--rate", type=float, default=4.0, help="requests/s of each quiet tenant")
    load.add_argument("--batch-items", type=int, default=1_000, help="big-batch: items in the batch")
    load.add_argument("--item-chars", type=int, default=7_600, help="big-batch: characters per item")
    # Two tenants, one flooding from its own process (benchmarks/load/flood.py).
    load.add_argument("--writers", type=int, default=8, help="flood: the flooding tenant's batch writers")
    load.add_argument("--retrievers", type=int, default=24, help="flood: its 8,000-token retrievers")
    load.add_argument("--rounds", type=int, default=2, help="flood: alone / beside-the-flood rounds")
    load.add_argument("--cpu-slots", type=int, default=0, help="flood: the server's CPU slots (0: the cores)")
    load.set_defaults(bench_func=load_command)


def _add_faults_parser(commands: Any) -> None:
    faults = commands.add_parser(
        "faults", help="crash loop: SIGKILL during mixed writes, restart; lost writes, orphans, restart time"
    )
    faults.add_argument("--cycles", type=int, default=20, help="kill-and-restart cycles (default 20)")
    faults.add_argument("--memories", type=_size, default=10_000, help="preloaded memories (default 10k)")
    faults.add_argument("--writers", type=int, default=6, help="concurrent writers (default 6)")
    faults.add_argument("--seed", type=int, default=0)
    faults.add_argument("--work-dir", type=Path, help="where the server's data dir goes (default: temp)")
    _add_out_flag(faults)
    faults.set_defaults(bench_func=faults_command)


def _add_write_parser(commands: Any) -> None:
    write = commands.add_parser(
        "write", help="write-path judgement: look-alikes kept, duplicates absorbed, updates, noise dropped"
    )
    write.add_argument("--seed", type=int, default=0, help="seed of the labelled set's templates")
    write.add_argument("--sample", type=int, help="run about this many cases, spread over the set (smoke)")
    _add_target_flags(write)
    _add_out_flag(write)
    write.set_defaults(bench_func=write_command)


def _add_explorer_parser(commands: Any) -> None:
    explorer = commands.add_parser("explorer", help="the /ui page in headless Chromium: paint and playground")
    explorer.add_argument("--sizes", type=_sizes, default=(10_000, 100_000), help="default 10k,100k")
    explorer.add_argument("--runs", type=int, default=5, help="page loads per size (default 5)")
    explorer.add_argument("--pool", type=int, default=2_000, help="real texts embedded (default 2000)")
    explorer.add_argument("--seed", type=int, default=0)
    _add_out_flag(explorer)
    explorer.set_defaults(bench_func=explorer_command)


def _add_generate_parser(commands: Any) -> None:
    gen = commands.add_parser("generate", help="write a synthetic dataset of SIZE memories")
    gen.add_argument("--size", type=_size, required=True, help="number of memories (e.g. 5000, 100k)")
    gen.add_argument("--seed", type=int, default=0)
    _add_out_flag(gen)
    gen.set_defaults(bench_func=generate_command)


def _add_convert_parser(commands: Any) -> None:
    convert = commands.add_parser(
        "convert", help="turn LoCoMo's or LongMemEval's public release into the dataset format"
    )
    convert.add_argument("benchmark", choices=("locomo", "longmemeval"), help="whose file it is")
    convert.add_argument(
        "file", type=Path, help="the release's JSON (locomo10.json, longmemeval_s_cleaned.json)"
    )
    convert.add_argument("out", type=Path, help="directory for memories.jsonl and queries.jsonl")
    convert.add_argument(
        "--no-abstention", action="store_true",
        help="leave out LongMemEval's _abs questions (nothing answers them; only `bench quality` takes them)",
    )  # fmt: skip
    convert.add_argument("--split", metavar="NAME|FILE", help="only the conversations or questions a split"
                         " names: a file of ids or one of benchmarks/splits/ (locomo-dev, …)")  # fmt: skip
    convert.set_defaults(bench_func=convert_command)


def _add_scopes_parser(commands: Any) -> None:
    scopes = commands.add_parser(
        "scopes", help="cut stores of 1 to ~500 memories, with and without the evidence, from a dataset"
    )
    scopes.add_argument("--dataset", type=Path, required=True, help="a folder with memories/queries.jsonl")
    scopes.add_argument("--per-category", type=int, default=5, help="questions of each category (default 5)")
    scopes.add_argument("--seed", type=int, default=1)
    scopes.add_argument("--sizes", type=_ints, default=SIZES, help="store sizes with the evidence")
    scopes.add_argument("--without-sizes", type=_ints, default=WITHOUT_SIZES, help="... and without it")
    _add_out_flag(scopes)
    scopes.set_defaults(bench_func=scopes_command)


def run_bench(args: argparse.Namespace) -> int:
    """Run a bench subcommand; dataset and service problems become a message and exit code 2."""
    from .dataset import DatasetError
    from .target import BenchError

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    missing = [
        name for name in ("matplotlib", "rank_bm25", "psutil") if importlib.util.find_spec(name) is None
    ]
    if missing:
        print(f"mnemo bench: needs {', '.join(missing)}: pip install 'mnemo-server[bench]'", file=sys.stderr)
        return 2
    try:
        result: int = args.bench_func(args)
    except (DatasetError, BenchError) as exc:
        print(f"mnemo bench: error: {exc}", file=sys.stderr)
        return 2
    return result


def mnemo_bench(argv: list[str]) -> int:
    """`mnemo bench ARGV` as the `mnemo` command runs it, which mounts this parser as its `bench`:
    the harness's own entry, so that its tests run it without importing the server's command."""
    parser = argparse.ArgumentParser(prog="mnemo")
    add_bench_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["bench", *argv])
    result: int = args.func(args)
    return result
