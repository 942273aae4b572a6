"""A plain ranking of given memories by a query: what a key-value store's search promises.

A framework's store (LangGraph's `BaseStore.search`) selects its items itself (namespace prefix,
value filters) and asks for them ranked by similarity to a query, `limit` of them after `offset`.
The retrieval cannot answer that: it packs a budget, drops near-copies and what falls under the
confidence floor, and looks at the whole scope. Here every given memory of the tenant is scored by
the cosine of its stored dense vector and the query's (both unit length: a dot product), nothing
dropped, ties broken by id so that pages never overlap or skip.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..memtypes.types import MemoryType
from .pipeline import Retriever

MAX_RANKED_IDS = 10_000


async def rank_by_similarity(
    retriever: Retriever,
    tenant: str,
    query: str,
    memory_type: MemoryType,
    ids: Sequence[str],
    limit: int,
    offset: int = 0,
) -> list[tuple[str, float]]:
    """(id, similarity) of the tenant's memories among `ids`, best first, `limit` after `offset`.
    Ids that name no memory of the tenant and type are left out."""
    [query_vector] = await retriever.embedder.embed([query])
    points = await retriever.index.get(memory_type, list(dict.fromkeys(ids)), with_vector=True)
    scored = [
        (point.id, sum(q * v for q, v in zip(query_vector, point.vector, strict=True)))
        for point in points
        if point.vector is not None and point.payload.get("tenant") == tenant
    ]
    scored.sort(key=lambda hit: (-hit[1], hit[0]))
    return scored[offset : offset + limit]
