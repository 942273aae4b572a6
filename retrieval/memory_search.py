"""The explorer's search box: a tenant's memories that match a query, best first. The retrieval's own
search (hybrid, every type), ranked by relevance alone, no copies dropped and no neighbours offered;
nothing is packed for a model and nothing is counted as an access (a person looking is not a use)."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from pydantic import ValidationError

from ..memtypes.errors import FieldProblem, InvalidInput
from ..memtypes.records import MemoryRecord, Scope
from ..memtypes.requests import MAX_BUDGET_TOKENS, AsOfRequest, RankingOptions, RetrieveRequest
from ..memtypes.types import MemoryType
from .pipeline import Retriever

MAX_SEARCH_HITS = 100
# Room per hit asked for: the best `limit` hits are never trimmed for their size (a longer memory's
# line is still found, unless the whole page of them is this long on average).
_TOKENS_PER_HIT = 200
_RELEVANCE_ONLY = RankingOptions(formula=False, diversity=0.0, neighbours=0, temporal=False)


async def search_memories(
    retriever: Retriever,
    tenant: str,
    query: str,
    scope: Scope,
    memory_type: MemoryType | None,
    include_superseded: bool,
    limit: int,
    as_of: AsOfRequest | None = None,
) -> list[tuple[MemoryRecord, float]]:
    """The best `limit` records for `query` within the tenant and scope, with their relevance."""
    try:
        request = RetrieveRequest(
            query=query,
            scope=scope,
            types=[memory_type] if memory_type else list(MemoryType),
            budget_tokens=min(MAX_BUDGET_TOKENS, limit * _TOKENS_PER_HIT),
            include_superseded=include_superseded,
            as_of=as_of,
            ranking=_RELEVANCE_ONLY,
        )
    except ValidationError as exc:  # what a query parameter's own checks let through
        problems = [FieldProblem("q", str(e["msg"])) for e in exc.errors()]
        raise InvalidInput("not a query to search with", problems=problems) from None
    found = await retriever.retrieve(tenant, request)
    best = sorted(found.memories, key=lambda m: -m.score)[:limit]
    ids: dict[MemoryType, list[str]] = defaultdict(list)
    for memory in best:
        ids[memory.type].append(memory.id)
    read = await asyncio.gather(*(retriever.index.get(t, wanted) for t, wanted in ids.items()))
    records = {
        p.id: MemoryRecord.from_payload(p.id, p.payload)
        for points in read
        for p in points
        if p.payload.get("tenant") == tenant  # the search was the tenant's; a record read is checked again
    }
    return [(records[m.id], m.score) for m in best if m.id in records]
