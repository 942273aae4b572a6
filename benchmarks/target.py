"""The mnemo under test, always spoken to over its HTTP API.

In-process (the default): the real app from `create_app` on a fresh data dir, driven through
litestar's ASGI test client (no sockets, no server to manage). Remote (`--url`): any running mnemo,
through httpx. Either way the harness sends exactly the requests a user would.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from ..memtypes.ports import Embedder, VectorIndex
from ..memtypes.records import MemoryIn

WRITE_BATCH = 500  # memories per POST /v1/memories (below the default MNEMO_MAX_ITEMS_PER_REQUEST)


class BenchError(RuntimeError):
    """The service under test answered something the benchmark cannot use."""


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


@dataclass
class Target:
    client: httpx.AsyncClient
    description: str
    # In-process only: the app's own vector index (for the ANN-vs-exact check) and embedder.
    index: VectorIndex | None = None
    embedder: Embedder | None = None
    services: Any = None  # in-process only: the app's services (retrieval config overrides)

    @contextmanager
    def retrieval_config(self, overrides: Mapping[str, Any]) -> Iterator[None]:
        """Retrievals inside run with these `RetrievalConfig` fields changed (in-process only)."""
        if not overrides:
            yield
            return
        if self.services is None:
            raise BenchError("retrieval config overrides need the in-process app (no --url)")
        retriever = self.services.retriever
        base = retriever.config
        retriever.config = base.model_copy(update=dict(overrides))
        try:
            yield
        finally:
            retriever.config = base

    async def call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(path, json=body)
        if response.status_code >= 300:
            raise BenchError(f"POST {path} answered {response.status_code}: {response.text[:500]}")
        answer: dict[str, Any] = response.json()
        return answer

    async def write(
        self,
        memories: Sequence[MemoryIn],
        *,
        prefilter: bool = False,
        dedup: bool = False,
        batch: int = WRITE_BATCH,
    ) -> dict[str, int]:
        """Write every memory, in batches; answers how many ended in each status.

        The write path's pre-filter (drops short, filler and duplicate content) and near-duplicate
        merging are off unless asked for: a dataset's memories are what its queries' relevant ids name.
        """
        statuses: dict[str, int] = {}
        for start in range(0, len(memories), batch):
            rows = [m.model_dump(mode="json", exclude_none=True) for m in memories[start : start + batch]]
            body = {"memories": rows, "prefilter": prefilter, "dedup": dedup}
            answer = await self.call("/v1/memories", body)
            for result in answer["results"]:
                statuses[result["status"]] = statuses.get(result["status"], 0) + 1
        return statuses

    async def retrieve(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self.call("/v1/retrieve", body)


def cache_counts(target: Target) -> dict[str, int] | None:
    """Texts the model embedded and texts the on-disk cache served so far (None: no cache)."""
    embedder = target.embedder
    if embedder is None or not hasattr(embedder, "embedded"):
        return None
    return {"embedded": int(embedder.embedded), "served": int(getattr(embedder, "served", 0))}


@asynccontextmanager
async def open_target(
    url: str | None = None,
    api_key: str | None = None,
    data_dir: Path | None = None,
    embedding_cache: Path | None = None,
) -> AsyncIterator[Target]:
    """`embedding_cache`: in-process, the app embeds through an on-disk cache in this directory
    (mnemo.benchmarks.quality.embedding_cache); a server at `url` embeds as it is configured to."""
    headers = {"authorization": f"Bearer {api_key}"} if api_key else {}
    if url:
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120) as client:
            yield Target(client, f"mnemo at {url}")
        return

    from litestar.testing import AsyncTestClient

    from ..api.config.settings import Settings
    from ..api.guards.request_gate import LOOPBACK_BASE_URL
    from ..api.http.app import create_app
    from ..backends.qdrant.config import QdrantConfig

    with tempfile.TemporaryDirectory(prefix="mnemo-bench-") as scratch:
        settings = Settings(data_dir=data_dir or Path(scratch) / "data", api_keys=None, qdrant=QdrantConfig())
        embedder: Embedder | None = None
        if embedding_cache is not None:
            from .quality.embedding_cache import CachedEmbedder

            embedder = CachedEmbedder(configured_embedder(), embedding_cache)
        async with AsyncTestClient(
            app=create_app(settings, embedder), timeout=120, base_url=LOOPBACK_BASE_URL
        ) as test_client:
            test_client.headers.update(headers)
            services = test_client.app.state.services
            description = "in-process mnemo (Qdrant Edge on a temporary data dir)"
            yield Target(test_client, description, services.index, services.embedder, services)
