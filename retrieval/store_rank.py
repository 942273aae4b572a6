"""A plain ranking of given memories by a query: what a key-value store's search promises.

A framework's store (LangGraph's `BaseStore.search`) selects its items itself (namespace prefix,
value filters) and asks for them ranked by similarity to a query, `limit` of them after `offset`.
The retrieval cannot answer that: it packs a budget, drops near-copies and what falls under the
confidence floor, and looks at the whole scope. Here every given memory of the tenant is scored by
the cosine of its stored dense vector and the query's (both unit length: a dot product), nothing
dropped, ties broken by id so that pages never overlap or skip.
"""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from ..memtypes.jsontypes import JsonInt
from ..memtypes.records import NonBlankStr
from ..memtypes.requests import MAX_QUERY_CHARS
from ..memtypes.types import MemoryType
from .pipeline import Retriever

MAX_RANKED_IDS = 10_000


class RankRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: NonBlankStr = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    type: MemoryType  # the type of the memories named (no description: the schema keeps a plain reference)
    ids: list[UUID] = Field(min_length=1, max_length=MAX_RANKED_IDS, description="the memories to rank")
    limit: JsonInt = Field(default=10, ge=1, le=MAX_RANKED_IDS)
    offset: JsonInt = Field(default=0, ge=0, le=MAX_RANKED_IDS)


class RankedMemory(BaseModel):
    id: str
    score: float = Field(description="cosine similarity of the memory's text and the query, -1..1")


class RankResults(BaseModel):
    hits: list[RankedMemory] = Field(description="best first; ids of no memory of the tenant left out")


async def rank_by_similarity(retriever: Retriever, tenant: str, request: RankRequest) -> RankResults:
    """The tenant's memories among the request's ids, best first, `limit` after `offset`. Ids that
    name no memory of the tenant and type are left out."""
    [query_vector] = await retriever.embedder.embed([request.query])
    ids = list(dict.fromkeys(str(i) for i in request.ids))
    points = await retriever.index.get(request.type, ids, with_vector=True)
    scored = [
        (point.id, sum(q * v for q, v in zip(query_vector, point.vector, strict=True)))
        for point in points
        if point.vector is not None and point.payload.get("tenant") == tenant
    ]
    scored.sort(key=lambda hit: (-hit[1], hit[0]))
    page = scored[request.offset : request.offset + request.limit]
    # Unit vectors in float32: a text's dot product with itself can come out a hair over 1.
    return RankResults(hits=[RankedMemory(id=i, score=min(1.0, max(-1.0, s))) for i, s in page])
