"""The mnemo under test, always spoken to over its HTTP API.

In-process (the default): the real app (`mnemo.lab.edge_app`) on a fresh data dir, driven through
litestar's ASGI test client (no sockets, no server to manage). Remote (`--url`): any running mnemo.
Either way the harness speaks through mnemo_client's raw `request()` and sends exactly the requests a
user would.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mnemo.lab import Embedder, configured_embedder
from mnemo_client import AsyncMnemo
from mnemo_client.errors import MnemoError
from mnemo_client.models import MemoryIn

from .progress import bar

if TYPE_CHECKING:
    from litestar import Litestar

WRITE_BATCH = 500  # memories per POST /v1/memories (below the default MNEMO_MAX_ITEMS_PER_REQUEST)


class BenchError(RuntimeError):
    """The service under test answered something the benchmark cannot use."""


def ranking_variant(preset: str | None, changes: Mapping[str, Any]) -> Any:
    """The ranking model a variant ranks by (`mnemo.lab.ranking_variant`: the named preset, else the
    default, with each dotted path changed); a BenchError names a preset, a path or a value the
    model has not."""
    from mnemo.lab import ranking_variant as variant

    try:
        return variant(preset, changes)
    except ValueError as exc:
        raise BenchError(str(exc)) from exc


@dataclass
class Target:
    client: AsyncMnemo
    description: str
    # In-process only: the app run here (`mnemo.lab` asks it what its API does not say), and the
    # embedder it embeds with (the baselines embed with it too).
    app: Litestar | None = None
    embedder: Embedder | None = None

    @contextmanager
    def varied(
        self, config: Mapping[str, Any], preset: str | None, changes: Mapping[str, Any]
    ) -> Iterator[None]:
        """Retrievals inside run with these `RetrievalConfig` fields changed and rank by a copy of the
        app's ranking model: the preset named, else its own, with each dotted path changed (in-process
        only): what a sweep varies that no user sets."""
        if not config and preset is None and not changes:
            yield
            return
        if self.app is None:
            raise BenchError("retrieval config and ranking model variants need the in-process app (no --url)")
        ranking_variant(preset, changes)  # a BenchError before the app is touched
        from mnemo.lab import retrieval_varied

        with ExitStack() as varying:
            try:
                varying.enter_context(retrieval_varied(self.app, config, preset, changes))
            except ValueError as exc:  # a setting the retrieval settings have not
                raise BenchError(f"variant config {dict(config)}: {exc}") from exc
            yield

    async def call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST `body`. A 429 or 503 is waited out as the client's typed methods do (`Retry-After`,
        the client's retry policy): with a warm embedding cache a benchmark writes faster than a
        tenant's embedding allowance, which the service then enforces."""
        attempt = 0
        while True:
            reply = await self.client.request("POST", path, json=body)
            if reply.status < 300:
                answer: dict[str, Any] = reply.body
                return answer
            wait_s = None
            try:
                reply.raise_for_status()
            except MnemoError as error:
                wait_s = self.client.retry.delay(attempt, error)
            if wait_s is None:
                raise BenchError(f"POST {path} answered {reply.status}: {reply.text[:500]}")
            attempt += 1
            await asyncio.sleep(wait_s)

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
        with bar(len(memories), "writing memories", "memories") as written:
            for start in range(0, len(memories), batch):
                rows = [m.model_dump(mode="json", exclude_none=True) for m in memories[start : start + batch]]
                body = {"memories": rows, "prefilter": prefilter, "dedup": dedup}
                answer = await self.call("/v1/memories", body)
                for result in answer["results"]:
                    statuses[result["status"]] = statuses.get(result["status"], 0) + 1
                written.update(len(rows))
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
    (mnemo.benchmarks.embedding_cache); a server at `url` embeds as it is configured to."""
    if url:
        async with AsyncMnemo(url, api_key, timeout=120) as client:
            yield Target(client, f"mnemo at {url}")
        return

    from mnemo.lab import app_embedder, edge_app

    with tempfile.TemporaryDirectory(prefix="mnemo-bench-") as scratch:
        embedder: Embedder | None = None
        if embedding_cache is not None:
            from .embedding_cache import CachedEmbedder

            embedder = CachedEmbedder(configured_embedder(), embedding_cache)
        app = edge_app(data_dir or Path(scratch) / "data", embedder)
        async with in_process_client(app, api_key, timeout_s=120) as client:
            description = "in-process mnemo (Qdrant Edge on a temporary data dir)"
            yield Target(client, description, app, app_embedder(app))


@asynccontextmanager
async def in_process_client(
    app: Litestar, api_key: str | None = None, timeout_s: float | None = None
) -> AsyncIterator[AsyncMnemo]:
    """A client of `app` run in this process, without a socket: Litestar's test client runs the
    app's lifespan and serves the requests on an event loop of its own, in another thread (each
    request holds the caller's loop until it is answered)."""
    from litestar.testing import AsyncTestClient

    from mnemo.lab import LOOPBACK_BASE_URL

    async with (
        AsyncTestClient(app=app, timeout=timeout_s, base_url=LOOPBACK_BASE_URL) as test_client,
        AsyncMnemo(api_key=api_key, http_client=test_client) as client,
    ):
        yield client
