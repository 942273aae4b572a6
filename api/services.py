"""The engines and pipelines one app instance runs on, opened in the lifespan, closed on shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from api.auth import KeyRing
from api.settings import Settings
from backends.embedder import open_embedder
from backends.llm_reviewer import OpenAICompatibleReviewer
from backends.tokenizer import TokenizerRegistry
from ingest.dedup import DEFAULT_MERGE_THRESHOLDS, DedupConfig
from ingest.lifecycle import AccessLog, Lifecycle
from ingest.pipeline import MemoryWriter, WriteConfig
from ingest.prefilter import DEFAULT_FILLERS, DEFAULT_MIN_CHARS, PrefilterConfig, filler_form
from memtypes.ports import Embedder, VectorIndex
from retrieval.catalog import Catalog
from retrieval.pipeline import RetrievalConfig, Retriever

log = logging.getLogger("mnemo.services")


@dataclass
class Services:
    settings: Settings
    keys: KeyRing
    index: VectorIndex
    embedder: Embedder
    tokenizers: TokenizerRegistry
    writer: MemoryWriter
    retriever: Retriever
    catalog: Catalog
    lifecycle: Lifecycle
    access_log: AccessLog
    reviewers: list[OpenAICompatibleReviewer]
    _flusher: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Background work that lives as long as the app: flushing access bookkeeping."""
        self._flusher = asyncio.create_task(self._flush_access_periodically())

    async def _flush_access_periodically(self) -> None:
        while True:
            await asyncio.sleep(self.settings.access_flush_interval_s)
            try:
                await self.access_log.flush()
            except Exception:  # bookkeeping must never take the service down; try again next round
                log.exception("flushing access bookkeeping failed")

    async def close(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        await self.access_log.flush()
        for reviewer in self.reviewers:
            await reviewer.close()
        await self.index.close()
        self.embedder.close()


def _vector_index(settings: Settings, dimension: int) -> VectorIndex:
    if settings.qdrant_url:
        from qdrant_client import AsyncQdrantClient

        from backends.qdrant_client import QdrantClientVectorIndex

        api_key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
        client = AsyncQdrantClient(url=settings.qdrant_url, api_key=api_key)
        return QdrantClientVectorIndex(client, settings.collection_prefix, dimension)
    from backends.qdrant_edge import EdgeVectorIndex

    return EdgeVectorIndex(
        settings.data_dir / "qdrant",
        settings.collection_prefix,
        dimension,
        optimize_threshold=settings.optimize_threshold,
    )


async def build_pending_indexes(index: VectorIndex, min_backlog: int = 5_000) -> None:
    """Build pending HNSW indexes now: before serving, or after a bulk load.

    qdrant-edge-py holds the GIL for a whole `optimize()`, so an optimization while serving stalls
    every request; at start-up nobody is waiting yet.
    """
    from backends.qdrant_edge import EdgeVectorIndex

    if not isinstance(index, EdgeVectorIndex):
        return
    backlog = sum(s.points - s.indexed_vectors for s in (await index.indexing_status()).values())
    if backlog >= min_backlog:
        log.info("building HNSW indexes for %d unindexed vectors before serving", backlog)
        await index.optimize()


async def open_services(settings: Settings) -> Services:
    keys = KeyRing(settings.api_keys.get_secret_value() if settings.api_keys else None)
    tokenizers = TokenizerRegistry(default=settings.default_encoding)
    embedder = open_embedder(settings.embedding_backend, settings.embedding_model)
    index = _vector_index(settings, embedder.dimension)
    await index.open()
    await build_pending_indexes(index)
    config = RetrievalConfig(
        default_budget_tokens=settings.default_budget_tokens, model_budget_share=settings.model_budget_share
    )
    log.info(
        "mnemo ready: vectors=%s, embedding=%s (%d dims), tenancy=%s",
        (settings.qdrant_url and "qdrant server") or f"qdrant edge at {settings.data_dir / 'qdrant'}",
        settings.embedding_model,
        embedder.dimension,
        "single-tenant (no API keys)" if keys.single_tenant else "API keys",
    )
    reviewers = []
    if settings.llm_reviewer_url:
        api_key = settings.llm_reviewer_api_key.get_secret_value() if settings.llm_reviewer_api_key else None
        reviewers.append(
            OpenAICompatibleReviewer(
                settings.llm_reviewer_url, settings.llm_reviewer_model, api_key, settings.review_timeout_s
            )
        )
    writer = MemoryWriter(index, embedder, tokenizers, write_config(settings), reviewers)
    return Services(
        settings=settings,
        keys=keys,
        index=index,
        embedder=embedder,
        tokenizers=tokenizers,
        writer=writer,
        retriever=Retriever(index, embedder, tokenizers, config),
        catalog=Catalog(index),
        lifecycle=Lifecycle(index, writer),
        access_log=AccessLog(index, writer),
        reviewers=reviewers,
    )


def write_config(settings: Settings) -> WriteConfig:
    fillers = (
        DEFAULT_FILLERS
        if settings.filler_phrases is None
        else frozenset(filler_form(p) for p in settings.filler_phrases)
    )
    return WriteConfig(
        prefilter=PrefilterConfig({**DEFAULT_MIN_CHARS, **settings.prefilter_min_chars}, fillers),
        dedup=DedupConfig({**DEFAULT_MERGE_THRESHOLDS, **settings.merge_thresholds}),
        review_timeout_s=settings.review_timeout_s,
    )
