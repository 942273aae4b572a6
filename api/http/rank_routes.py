"""`POST /v1/memories/rank`: given memories ranked by a query, for a framework's key-value store
(retrieval/store_rank.py says why the retrieval is not that)."""

from __future__ import annotations

from uuid import UUID

from litestar import post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from pydantic import BaseModel, ConfigDict, Field

from ...memtypes.records import NonBlankStr
from ...memtypes.requests import MAX_QUERY_CHARS
from ...memtypes.types import MemoryType
from ...retrieval.pipeline import Retriever
from ...retrieval.store_rank import MAX_RANKED_IDS, rank_by_similarity
from .problems import COMMON_PROBLEMS


class RankRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: NonBlankStr = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    type: MemoryType = Field(description="the type of the memories named")
    ids: list[UUID] = Field(min_length=1, max_length=MAX_RANKED_IDS, description="the memories to rank")
    limit: int = Field(default=10, ge=1, le=MAX_RANKED_IDS)
    offset: int = Field(default=0, ge=0, le=MAX_RANKED_IDS)


class RankedMemory(BaseModel):
    id: str
    score: float = Field(description="cosine similarity of the memory's text and the query, -1..1")


class RankResults(BaseModel):
    hits: list[RankedMemory] = Field(description="best first; ids of no memory of the tenant left out")


@post(
    "/v1/memories/rank",
    status_code=200,
    summary="Given memories ranked by similarity to a query, `limit` after `offset`",
    description="Every named memory of the tenant is scored and none dropped: no budget, no confidence "
    "floor, no near-copies removed, no recency or importance, nothing counted as an access. For "
    "stores that choose their items themselves (a LangGraph store's search).",
    responses=COMMON_PROBLEMS,
)
async def rank_memories(
    data: JSONBody[RankRequest], retriever: NamedDependency[Retriever], tenant: NamedDependency[str]
) -> RankResults:
    ids = [str(i) for i in data.ids]
    ranked = await rank_by_similarity(retriever, tenant, data.query, data.type, ids, data.limit, data.offset)
    return RankResults(hits=[RankedMemory(id=i, score=s) for i, s in ranked])
