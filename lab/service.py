"""The service's parts, run by the benchmark harness (through `mnemo.lab`) as the service runs them:
the embedder and tokenizers this environment configures, a record checked as the API takes it, a
context's lines as rendered, the privacy screen as the write path calls it, `mnemo ingest` in
embedded mode, and Redis clients as the working store makes them."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..memtypes.ports import Embedder


def configured_embedder() -> Embedder:
    """The embedder the MNEMO_EMBEDDING_* settings of this environment name (what a server here runs)."""
    from ..api.config.settings import Settings
    from ..backends.embedding.embedder import open_embedder

    settings = Settings()
    return open_embedder(
        settings.embedding.backend,
        settings.embedding.model,
        settings.embedding.runtime,
        settings.embedding.onnx_cache,
        settings.embedding.bulk_niceness,
    )


def configured_embedding_model() -> str:
    """The name of the embedding model this environment's settings name (MNEMO_EMBEDDING__MODEL)."""
    from ..api.config.settings import Settings

    return Settings().embedding.model


def accepted_memory(row: Mapping[str, Any]) -> dict[str, Any]:
    """The memory `row` (what `POST /v1/memories` takes) as the API would store it, as JSON values;
    a pydantic ValidationError says why the API would refuse it."""
    from ..memtypes.records import MemoryIn

    return MemoryIn.model_validate(row).model_dump(mode="json", exclude_none=True)


def searched_by_default() -> tuple[str, ...]:
    """The memory types a retrieval searches when it names none."""
    from ..memtypes.types import DEFAULT_RETRIEVAL_TYPES

    return tuple(t.value for t in DEFAULT_RETRIEVAL_TYPES)


def memory_line(memory_type: str, content: str, due_at: datetime | None = None) -> str:
    """One memory as the service renders it on a context line."""
    from ..memtypes import rendering
    from ..memtypes.types import MemoryType

    return rendering.memory_line(MemoryType(memory_type), content, due_at)


def section_header(memory_type: str) -> str:
    """The header of a context's section of one memory type."""
    from ..memtypes import rendering
    from ..memtypes.types import MemoryType

    return rendering.section_header(MemoryType(memory_type))


def fact_screens(contents: Sequence[str]) -> list[Callable[[], object]]:
    """For each of `contents`, a fact memory ready to be screened, and the call that screens it as
    the write path does (the default policy, refusing what it refuses): what is timed is the call."""
    from ..ingest.prefilter import default_policy, screen
    from ..memtypes.records import MemoryIn
    from ..memtypes.types import FACT_TYPE

    items = [MemoryIn(type=FACT_TYPE, content=content) for content in contents]
    return [partial(screen, default_policy, "bench", [item], refuse=True) for item in items]


async def embedded_ingest(
    source: Path, scratch: Path, batch: int, warm_texts: list[str]
) -> tuple[float, float, dict[str, Any]]:
    """`mnemo ingest source` in embedded mode into a fresh data dir under `scratch`, with the write
    path's defaults: its seconds, the seconds of the HNSW build after it, and its summary.
    `warm_texts` are embedded first, not stored (the model's first calls are slow)."""
    from ..api.config.settings import Settings
    from ..api.http.maintenance import build_pending_indexes
    from ..api.http.services import open_services
    from ..ingest.batch import Checkpoint, ingest_file

    services = await open_services(Settings(data_dir=scratch / "data"))
    try:
        await services.embedder.embed(warm_texts)
        summary = await ingest_file(
            source,
            services.writer,
            default_tenant="default",
            batch_size=batch,
            checkpoint=Checkpoint(scratch / "state", source),
        )
        started = time.perf_counter()
        await build_pending_indexes(services.index, min_backlog=1)
        index_s = time.perf_counter() - started
    finally:
        await services.close()
    return summary.seconds, index_s, summary.as_dict()


def redis_client(url: str, cluster: bool, timeout_s: float = 5.0) -> Any:
    """A client of the Redis (or Redis Cluster, reached by any one node's URL) at `url`, as the
    working store makes it."""
    from ..backends.redis.client import make_client
    from ..backends.redis.cluster import make_cluster_client

    return (make_cluster_client if cluster else make_client)(url, timeout_s)
