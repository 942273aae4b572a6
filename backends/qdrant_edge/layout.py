"""Where each type's Edge shard lives on disk, across index rebuilds, and how it is laid out.

A type's shard starts as `<prefix>_<type>` (generation 0, the layout of every earlier release). A
rebuild (`backends/qdrant_edge/builder.py`) writes a whole new shard beside it, `<prefix>_<type>.g<N>`, and
the swap is recorded by one atomic rename of a pointer file, `<prefix>_<type>.live`, that names the
live dir. Until that rename the old shard stays authoritative, so a crash at any step leaves a store
that opens; what a crash leaves behind (a half-built `.g<N>` dir, an export file, the superseded
shard after a swap) is removed by `remove_stale` when the index opens next.

How a shard is laid out (`edge_config`): the config new shards are created with, the config an
existing shard is loaded with, and whether an existing shard's layout is the current one.

Dense vectors are stored as float16, half the memory of float32: at 1M memories the vectors were
the largest part of the service's RSS. With the benchmark's vectors the ANN recall against exact
float32 search, retrieval latency and quality stay as they were, and HNSW builds get faster
(benchmarks/README.md, engine notes).

A shard written before float16 keeps its float32 vectors: Edge refuses to load a shard with another
datatype than it was written with, so it is loaded as it is and marked outdated; the index rebuilds
it in the background (builder.py), which writes the new shard with the current layout.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
from pathlib import Path

from qdrant_edge import (
    Distance,
    EdgeConfig,
    EdgeOptimizersConfig,
    EdgeSparseVectorParams,
    EdgeVectorParams,
    Modifier,
    VectorStorageDatatype,
)

from ...memtypes.types import MemoryType, collection_name
from ..group_flush import replace_whole
from ..qdrant.schema import DENSE, SPARSE

_POINTER_SUFFIX = ".live"
_LOCK_SUFFIX = ".lock"
EXPORT_SUFFIX = ".export"


def base_name(prefix: str, memory_type: MemoryType) -> str:
    return collection_name(prefix, memory_type)


def _pointer(qdrant_dir: Path, prefix: str, memory_type: MemoryType) -> Path:
    return qdrant_dir / (base_name(prefix, memory_type) + _POINTER_SUFFIX)


def live_shard_dir(qdrant_dir: Path, prefix: str, memory_type: MemoryType) -> Path:
    """The dir of the type's authoritative shard (it may not exist yet: a new store)."""
    pointer = _pointer(qdrant_dir, prefix, memory_type)
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return qdrant_dir / base_name(prefix, memory_type)
    if not _is_generation(name, prefix, memory_type):  # never follow a pointer out of our own names
        raise ValueError(f"{pointer} names {name!r}, not a shard dir of {base_name(prefix, memory_type)}")
    return qdrant_dir / name


def _is_generation(name: str, prefix: str, memory_type: MemoryType) -> bool:
    base = re.escape(base_name(prefix, memory_type))
    return re.fullmatch(rf"{base}(\.g\d+)?", name) is not None


def generation(path: Path) -> int:
    suffix = path.suffix  # ".g3", or "" for generation 0 (".live"/".export" never reach here)
    return int(suffix[2:]) if suffix.startswith(".g") else 0


def next_build_dir(qdrant_dir: Path, prefix: str, memory_type: MemoryType) -> Path:
    live = live_shard_dir(qdrant_dir, prefix, memory_type)
    return qdrant_dir / f"{base_name(prefix, memory_type)}.g{generation(live) + 1}"


def record_live(qdrant_dir: Path, prefix: str, memory_type: MemoryType, shard_dir: Path) -> None:
    """Make `shard_dir` the type's live shard: written aside, fsynced, renamed over the pointer
    (atomic), and the dir fsynced so the rename itself survives a power cut."""
    replace_whole(_pointer(qdrant_dir, prefix, memory_type), shard_dir.name, sync_dir=True)


def remove_stale(qdrant_dir: Path, prefix: str, memory_type: MemoryType) -> list[Path]:
    """Remove every shard dir and export file of the type but the live one (only names that
    `next_build_dir` makes, and generation 0 once superseded); answers what was removed."""
    if not qdrant_dir.is_dir():
        return []
    live = live_shard_dir(qdrant_dir, prefix, memory_type)
    removed = []
    for path in qdrant_dir.iterdir():
        name = path.name
        if name.endswith(EXPORT_SUFFIX) and _is_generation(name[: -len(EXPORT_SUFFIX)], prefix, memory_type):
            path.unlink()
        elif path != live and path.is_dir() and _is_generation(name, prefix, memory_type):
            shutil.rmtree(path)
        else:
            continue
        removed.append(path)
    return removed


class ShardInUse(RuntimeError):
    """Another process holds the shard's lock: it is serving (or repairing) this data dir."""


def lock_shard(qdrant_dir: Path, name: str) -> int:
    """Take the lock `<name>.lock` beside a shard (every generation of it) before loading it; answers
    the descriptor that holds it (`unlock_shard`). Why a lock of our own before Edge's: loading a
    shard replays and *removes* its storages' tracker journals before Edge finds its write-ahead log
    locked, so a second process opening a live shard (a second `mnemo serve`, `mnemo doctor`, an
    in-process `mnemo ingest`) broke the running one's next flush for good: "Tracker journal … is
    shorter than expected", a 0-byte `tracker_journal.dat` (tests/backends/test_type_health.py)."""
    qdrant_dir.mkdir(parents=True, exist_ok=True)
    path = qdrant_dir / (name + _LOCK_SUFFIX)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise ShardInUse(f"{path} is held by another process") from None
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor


def unlock_shard(descriptor: int) -> None:
    os.close(descriptor)  # closing the only descriptor of the open file releases its flock


# How edge_config.json names a datatype; a shard written without one holds float32.
_STORED_NAMES = {"float16": VectorStorageDatatype.Float16, "float32": VectorStorageDatatype.Float32}
DENSE_DATATYPE_NAME = "float16"
DENSE_DATATYPE = _STORED_NAMES[DENSE_DATATYPE_NAME]
DENSE_BYTES = 2  # a component's bytes as stored
CONFIG_FILE = "edge_config.json"


def stored_dense_datatype(shard_dir: Path) -> VectorStorageDatatype:
    """The datatype `shard_dir`'s dense vectors were written with (float32 when not recorded)."""
    try:
        config = json.loads((shard_dir / CONFIG_FILE).read_text(encoding="utf-8"))
        name = config["vectors"][DENSE].get("datatype", "float32")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return DENSE_DATATYPE  # unreadable: let the load itself say what is wrong
    return _STORED_NAMES.get(str(name).lower(), DENSE_DATATYPE)


def edge_config(
    dimension: int,
    indexing_threshold_kb: int,
    *,
    datatype: VectorStorageDatatype = DENSE_DATATYPE,
    with_sparse: bool = True,
) -> EdgeConfig:
    """The shard config: payloads in RAM, not memory-mapped from disk: the ranking formula reads
    fields of every candidate (a retrieval's engine CPU falls by a quarter), and payload reads of
    cache misses cost half. Under a kilobyte a memory. The deprecated flag is the only way to say
    it: `payload_memory` has no in-RAM placement (Pinned is taken as Cached).

    `with_sparse=False` loads a dir written before hybrid search, which has no sparse vector (the
    stored segments would not match a config declaring one); the index then adds it."""
    return EdgeConfig(
        vectors={DENSE: EdgeVectorParams(size=dimension, distance=Distance.Cosine, datatype=datatype)},
        sparse_vectors={SPARSE: EdgeSparseVectorParams(modifier=Modifier.Idf)} if with_sparse else None,
        optimizers=EdgeOptimizersConfig(indexing_threshold=indexing_threshold_kb),
        on_disk_payload=False,
    )
