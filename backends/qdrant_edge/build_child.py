"""The child process of a shard rebuild: `python -m mnemo.backends.qdrant_edge.build_child`.

It creates the new shard from the server's export with the index's config and payload indexes,
builds its HNSW index, flushes and exits (backends/qdrant_edge/builder.py tells the whole rebuild).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from qdrant_edge import UpdateOperation

from .index import EdgeVectorIndex
from .shard_export import read_export

# The child yields the CPU to the server (build time is not latency; a retrieval's is).
BUILDER_NICENESS = 5


def build_shard(
    export: Path, build_dir: Path, prefix: str, dimension: int, indexing_threshold_kb: int
) -> int:
    """Create `build_dir` from `export` with the index's config and payload indexes, and build its
    HNSW index. Runs in the child process."""
    layout = EdgeVectorIndex(build_dir.parent, prefix, dimension, indexing_threshold_kb=indexing_threshold_kb)
    shard = layout.open_shard_at(build_dir)
    try:
        written = 0
        for points in read_export(export):
            shard.update(UpdateOperation.upsert_points(points))
            written += len(points)
        shard.optimize()
        shard.flush()
    finally:
        shard.close()
    return written


def _die_with_parent() -> None:
    """A builder whose server died must not go on writing a dir the next server will reuse (Linux:
    PR_SET_PDEATHSIG; elsewhere it runs to its end and the next open removes what it wrote)."""
    if sys.platform == "linux":
        import ctypes
        import signal

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG


def _leave_a_core_to_the_server() -> None:
    """Every core but one: HNSW construction sizes its thread pool by the cores it may use, and
    niceness alone still lets a build's threads take every core from the server's retrievals."""
    if hasattr(os, "sched_setaffinity"):
        cores = sorted(os.sched_getaffinity(0))
        if len(cores) > 1:
            os.sched_setaffinity(0, cores[1:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mnemo.backends.qdrant_edge.build_child")
    parser.add_argument("export", type=Path)
    parser.add_argument("build_dir", type=Path)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--dimension", type=int, required=True)
    parser.add_argument("--indexing-threshold-kb", type=int, required=True)
    parser.add_argument("--niceness", type=int, default=BUILDER_NICENESS)
    args = parser.parse_args(argv)
    _die_with_parent()
    os.nice(args.niceness)
    _leave_a_core_to_the_server()
    started = time.perf_counter()
    written = build_shard(
        args.export, args.build_dir, args.prefix, args.dimension, args.indexing_threshold_kb
    )
    print(
        f"built {args.build_dir.name}: {written} points in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
