"""How a type's Edge shard is laid out: the config new shards are created with, the config an
existing shard is loaded with, and whether an existing shard's layout is the current one.

Dense vectors are stored as float16, half the memory of float32: at 1M memories the vectors were
the largest part of the service's RSS (1.5 GB, and Edge maps the file twice, so RSS counted it
twice). Measured on the benchmark's 55,000 episodic vectors: recall@10 of the HNSW search against
exact float32 search 0.999, search time unchanged (benchmarks/README.md, "Issue 37: float16 vectors").

A shard written before float16 keeps its float32 vectors: Edge refuses to load a shard with another
datatype than it was written with, so it is loaded as it is and marked outdated; the index rebuilds
it in the background (builder.py), which writes the new shard with the current layout.
"""

from __future__ import annotations

import json
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

from ..qdrant.schema import DENSE, SPARSE

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
    fields of every candidate (a retrieval's engine CPU at 100k: -25 %, measured), and payload
    reads of cache misses cost half. ~0.7 KB a memory. The deprecated flag is the only way to say
    it: `payload_memory` has no in-RAM placement (Pinned is taken as Cached).

    `with_sparse=False` loads a dir written before hybrid search, which has no sparse vector (the
    stored segments would not match a config declaring one); the index then adds it."""
    return EdgeConfig(
        vectors={DENSE: EdgeVectorParams(size=dimension, distance=Distance.Cosine, datatype=datatype)},
        sparse_vectors={SPARSE: EdgeSparseVectorParams(modifier=Modifier.Idf)} if with_sparse else None,
        optimizers=EdgeOptimizersConfig(indexing_threshold=indexing_threshold_kb),
        on_disk_payload=False,
    )
