"""A small constructed store on the real engine (Qdrant Edge), MiniLM and BM25, ranked through the
`Retriever`: what the tests of single ranking terms (when-questions, speakers) share."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from mnemo.backends.embedding.embedder import SentenceTransformerEmbedder
from mnemo.backends.embedding.sparse import Bm25Encoder
from mnemo.backends.qdrant_edge.index import EdgeVectorIndex
from mnemo.backends.tokenizer import TokenizerRegistry
from mnemo.ingest.pipeline import MemoryWriter, WriteOptions
from mnemo.memtypes.records import MemoryIn, Scope
from mnemo.memtypes.requests import RetrieveRequest, RetrieveResponse
from mnemo.memtypes.types import MemoryType
from mnemo.retrieval.pipeline import RetrievalConfig, Retriever

TENANT = "acme"


@dataclass(frozen=True)
class Store:
    index: EdgeVectorIndex
    embedder: SentenceTransformerEmbedder
    tokenizers: TokenizerRegistry
    sparse: Bm25Encoder

    async def ranked(
        self, config: RetrievalConfig, query: str, scope: Scope, now: datetime, budget: int = 2_000
    ) -> tuple[list[dict[str, Any]], RetrieveResponse]:
        """The episodic memories retrieved, best first (with explanations), and the response."""
        retriever = Retriever(self.index, self.embedder, self.tokenizers, config, sparse=self.sparse)
        request = RetrieveRequest(  # the ranking, every candidate: no confidence floor
            query=query,
            scope=scope,
            types=[MemoryType.EPISODIC],
            budget_tokens=budget,
            now=now,
            explain=True,
            min_confidence=0,
        )
        response = await retriever.retrieve(TENANT, request)
        return [m.model_dump() for m in response.memories], response

    def tokens(self, response: RetrieveResponse) -> int:
        """The exact token count of the context, as the budget contract counts it."""
        return self.tokenizers.get(response.metadata.encoding).count(response.context)


@asynccontextmanager
async def constructed_store(
    path: Path, embedder: SentenceTransformerEmbedder, memories: Sequence[MemoryIn]
) -> AsyncIterator[Store]:
    """`memories` written as given (no pre-filter, no merging) into a fresh Edge store at `path`."""
    index = EdgeVectorIndex(path, "case", embedder.dimension)
    await index.open()
    try:
        tokenizers, sparse = TokenizerRegistry(), Bm25Encoder()
        writer = MemoryWriter(index, embedder, tokenizers, sparse=sparse)
        await writer.write(TENANT, list(memories), WriteOptions(prefilter=False, dedup=False))
        yield Store(index, embedder, tokenizers, sparse)
    finally:
        await index.close()


def turn(text: str, scope: Scope, occurred_at: datetime) -> MemoryIn:
    """An episodic memory: one conversation turn."""
    return MemoryIn(type=MemoryType.EPISODIC, content=text, scope=scope, occurred_at=occurred_at)


def contents(memories: list[dict[str, Any]]) -> list[str]:
    return [m["content"] for m in memories]
