"""The lab's door: the one module of the server the benchmark harness may import.

The harness (`benchmarks/`, installed as `mnemo.benchmarks` from its own distribution, mnemo-bench)
is a guest of the server. It speaks to mnemo through `mnemo_client`, to a running service or to the
app run in its own process, and takes records, scopes, memory types and privacy kinds from there as
any caller does; of the server package it imports nothing but this module, and its tests nothing
else either (an import-linter contract in pyproject.toml). This module is a declaration: the names
the harness may use, each group for the reason it must run in-process. The work is done beside it,
in `app.py`, `engine.py` and `service.py`, or in the server's own modules, which it re-exports.

- The app in this process (`edge_app`, `configured_app`, `LOOPBACK_BASE_URL`; app.py): the
  in-process target is the real app, spoken to through mnemo_client over Litestar's test transport.
  What a benchmark asks of it below its API goes through functions, never the app's attributes: its
  embedder (`app_embedder`: the baselines embed with it), its index's own neighbours and searches
  (`nearest_similarities`, `searches_recorded`, `searched_by_part`: the ANN check, the repeatability
  benchmark), and variants of its retrieval settings and ranking model that no user sets
  (`retrieval_varied`, `ranking_variant`).
- The embedder this environment configures (`configured_embedder`, `configured_embedding_model`,
  `resolve_model_path`, `Embedder`) and the tokenizers (`TokenizerRegistry`): the harness embeds its
  datasets, keys its embedding cache by the model's files, and counts tokens as the service does.
- Records as the API takes them (`accepted_memory`, `searched_by_default`; service.py): a dataset
  line is checked before a load of minutes (the API has no dry run); the baselines search the types
  a retrieval that names none searches (the server's registry decides, and no response says which).
- The engine's searches and stores (`VectorIndex`, `SearchRequest`, `ScoredPoint`, `VectorPoint`,
  `top_k_search`, `bulk_index`, `point_maker`, `bulk_upsert`, `memory_index`, `pipeline_retrieval`,
  `DENSE_DATATYPE_NAME`; engine.py): searches are timed and recorded below the API, a million
  memories load with synthesized vectors straight into the engine (hours through the API), the
  pipeline runs without HTTP.
- The context's lines (`memory_line`, `section_header`, `time_header`): the baselines pack their hits
  into lines the way the service renders them, counted in the same tokens.
- `embedded_ingest` (what `mnemo ingest FILE` runs in embedded mode) and the Redis transactions of the
  working store (`redis_client`, `run_transaction`, `transaction_acknowledged`): timed as they run.
- The privacy screen (`detect`, `fact_screens`): detectors scored span by span, the screen timed.
- The confidence model (`Calibration`, `shipped_calibration`, `with_small_store`,
  `DEFAULT_MIN_CONFIDENCE`): `mnemo bench calibrate` fits the model the service ships.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..api.guards.request_gate import LOOPBACK_BASE_URL
    from ..backends.embedding.embedder import resolve_model_path
    from ..backends.qdrant_edge.layout import DENSE_DATATYPE_NAME
    from ..backends.redis.replica_ack import run_transaction, transaction_acknowledged
    from ..backends.tokenizer import TokenizerRegistry
    from ..memtypes.ports import Embedder, VectorIndex
    from ..memtypes.privacy.detectors import detect
    from ..memtypes.queries import ScoredPoint, SearchRequest, VectorPoint
    from ..memtypes.rendering import time_header
    from ..retrieval.options import DEFAULT_MIN_CONFIDENCE
    from ..retrieval.pipeline import ranking_variant
    from ..retrieval.ranking.confidence import Calibration, shipped_calibration, with_small_store
    from .app import (
        app_embedder,
        configured_app,
        edge_app,
        nearest_similarities,
        retrieval_varied,
        searched_by_part,
        searches_recorded,
    )
    from .engine import bulk_index, bulk_upsert, memory_index, pipeline_retrieval, point_maker, top_k_search
    from .service import (
        accepted_memory,
        configured_embedder,
        configured_embedding_model,
        embedded_ingest,
        fact_screens,
        memory_line,
        redis_client,
        searched_by_default,
        section_header,
    )

# Each name is imported when first used, not with this module: `mnemo bench … --help` imports the
# harness's parser, which names some of them, and must not load the service to answer
# (tests/unit/test_cli_light_start.py).
_NAMES_BY_MODULE = {
    "..api.guards.request_gate": ("LOOPBACK_BASE_URL",),
    "..backends.embedding.embedder": ("resolve_model_path",),
    "..backends.qdrant_edge.layout": ("DENSE_DATATYPE_NAME",),
    "..backends.redis.replica_ack": ("run_transaction", "transaction_acknowledged"),
    "..backends.tokenizer": ("TokenizerRegistry",),
    "..memtypes.ports": ("Embedder", "VectorIndex"),
    "..memtypes.privacy.detectors": ("detect",),
    "..memtypes.queries": ("ScoredPoint", "SearchRequest", "VectorPoint"),
    "..memtypes.rendering": ("time_header",),
    "..retrieval.options": ("DEFAULT_MIN_CONFIDENCE",),
    "..retrieval.pipeline": ("ranking_variant",),
    "..retrieval.ranking.confidence": ("Calibration", "shipped_calibration", "with_small_store"),
    ".app": (
        "app_embedder",
        "configured_app",
        "edge_app",
        "nearest_similarities",
        "retrieval_varied",
        "searched_by_part",
        "searches_recorded",
    ),
    ".engine": (
        "bulk_index",
        "bulk_upsert",
        "memory_index",
        "pipeline_retrieval",
        "point_maker",
        "top_k_search",
    ),
    ".service": (
        "accepted_memory",
        "configured_embedder",
        "configured_embedding_model",
        "embedded_ingest",
        "fact_screens",
        "memory_line",
        "redis_client",
        "searched_by_default",
        "section_header",
    ),
}
_MODULE_OF = {name: module for module, names in _NAMES_BY_MODULE.items() for name in names}

__all__ = [
    "DEFAULT_MIN_CONFIDENCE",
    "DENSE_DATATYPE_NAME",
    "LOOPBACK_BASE_URL",
    "Calibration",
    "Embedder",
    "ScoredPoint",
    "SearchRequest",
    "TokenizerRegistry",
    "VectorIndex",
    "VectorPoint",
    "accepted_memory",
    "app_embedder",
    "bulk_index",
    "bulk_upsert",
    "configured_app",
    "configured_embedder",
    "configured_embedding_model",
    "detect",
    "edge_app",
    "embedded_ingest",
    "fact_screens",
    "memory_index",
    "memory_line",
    "nearest_similarities",
    "pipeline_retrieval",
    "point_maker",
    "ranking_variant",
    "redis_client",
    "resolve_model_path",
    "retrieval_varied",
    "run_transaction",
    "searched_by_default",
    "searched_by_part",
    "searches_recorded",
    "section_header",
    "shipped_calibration",
    "time_header",
    "top_k_search",
    "transaction_acknowledged",
    "with_small_store",
]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value  # the next use finds it without this hook
    return value
