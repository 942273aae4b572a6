"""What a forget by query would remove: the tenant's memories about a query (by the retrieval's
calibrated confidence, superseded ones too) or holding kinds of sensitive data (by the tags the write
path recorded), within a scope, types and a time window; and those just under the cut-off, which
stay. Each with why it matched, in words a person deciding can check."""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from ..memtypes.governance.forget_query import (
    DEFAULT_MIN_CONFIDENCE,
    ForgetPreviewRequest,
    PreviewedMemory,
)
from ..memtypes.privacy.policy import kinds_of
from ..memtypes.queries import MemoryFilter
from ..memtypes.records import MemoryRecord
from ..memtypes.requests import MAX_BUDGET_TOKENS, RankingOptions, RetrieveRequest
from ..memtypes.types import MemoryType
from .pipeline import Retriever
from .ranking.asked.evidence import information, memory_words, stem

_RELEVANCE_ONLY = RankingOptions(formula=False, diversity=0.0, neighbours=0, temporal=False)
_TOKENS_PER_HIT = 200
_PAGE = 512
# A query word that says what a memory is about (not "the", "about", "everything").
_INFORMATIVE = 2.5
_WORD = re.compile(r"[\w'’-]+")


async def find_to_forget(
    retriever: Retriever, tenant: str, request: ForgetPreviewRequest
) -> tuple[list[PreviewedMemory], list[PreviewedMemory], bool]:
    """(matches best first, near misses, whether more matched than `request.limit`)."""
    types = request.types or list(MemoryType)
    if request.query is None:
        records = await _tagged(retriever, tenant, request, types)
        shown = [_previewed(r, None, _kinds_why(r, request)) for r in records]
        return shown[: request.limit], [], len(shown) > request.limit
    wanted = request.limit + request.near_misses + 1
    found = await retriever.retrieve(
        tenant,
        RetrieveRequest(
            query=request.query,
            scope=request.scope,
            types=types,
            budget_tokens=min(MAX_BUDGET_TOKENS, wanted * _TOKENS_PER_HIT),
            include_superseded=True,
            ranking=_RELEVANCE_ONLY,
            min_confidence=0.0,
        ),
    )
    ranked = sorted(found.memories, key=lambda m: -m.confidence)
    by_id = await _records(retriever, tenant, {m.id: m.type for m in ranked})
    cut = DEFAULT_MIN_CONFIDENCE if request.min_confidence is None else request.min_confidence
    matches: list[PreviewedMemory] = []
    near: list[PreviewedMemory] = []
    for memory in ranked:
        record = by_id.get(memory.id)
        if record is None or not _selected(record, request):
            continue
        why = _query_why(request.query, record, memory.confidence, request)
        (matches if memory.confidence >= cut else near).append(_previewed(record, memory.confidence, why))
    return matches[: request.limit], near[: request.near_misses], len(matches) > request.limit


def _selected(record: MemoryRecord, request: ForgetPreviewRequest) -> bool:
    if request.sensitive and not kinds_of(record.sensitive) & {k.value for k in request.sensitive}:
        return False
    if request.occurred_after and record.occurred_at < request.occurred_after:
        return False
    return not (request.occurred_before and record.occurred_at >= request.occurred_before)


async def _tagged(
    retriever: Retriever, tenant: str, request: ForgetPreviewRequest, types: list[MemoryType]
) -> list[MemoryRecord]:
    """Every memory of the scope holding one of the kinds asked for, newest first (a walk of the
    scope: a forget reads no more than it would remove)."""
    flt = MemoryFilter(tenant=tenant, scope=request.scope, include_superseded=True)
    out: list[MemoryRecord] = []
    for memory_type in types:
        offset: str | None = None
        while True:
            page, offset = await retriever.index.scroll(memory_type, flt, _PAGE, offset)
            out += [
                record
                for p in page
                if p.payload.get("sensitive") and _selected(record := _record(p.id, p.payload), request)
            ]
            if offset is None:
                break
    return sorted(out, key=lambda r: r.occurred_at, reverse=True)


async def _records(
    retriever: Retriever, tenant: str, types_of: Mapping[str, MemoryType]
) -> dict[str, MemoryRecord]:
    ids: dict[MemoryType, list[str]] = defaultdict(list)
    for memory_id, memory_type in types_of.items():
        ids[memory_type].append(memory_id)
    read = await asyncio.gather(*(retriever.index.get(t, wanted) for t, wanted in ids.items()))
    return {
        p.id: _record(p.id, p.payload)
        for points in read
        for p in points
        if p.payload.get("tenant") == tenant  # the search was the tenant's; a record read is checked again
    }


def _record(point_id: str, payload: dict[str, Any]) -> MemoryRecord:
    return MemoryRecord.from_payload(point_id, payload)


def _previewed(record: MemoryRecord, confidence: float | None, why: str) -> PreviewedMemory:
    return PreviewedMemory(
        id=record.id,
        type=record.type,
        content=record.content,
        scope=record.scope,
        occurred_at=record.occurred_at,
        confidence=None if confidence is None else round(confidence, 4),
        why=why,
    )


def _query_why(query: str, record: MemoryRecord, confidence: float, request: ForgetPreviewRequest) -> str:
    held = memory_words(record.content)
    shared = sorted(
        {
            w.casefold()
            for w in _WORD.findall(query)
            if information(w.casefold()) >= _INFORMATIVE and stem(w) in held
        }
    )
    words = f"holds {', '.join(repr(w) for w in shared)}" if shared else "close in meaning, no word in common"
    why = f"{confidence:.0%} likely about the query; {words}"
    if request.sensitive:
        why += "; " + _kinds_why(record, request)
    if record.superseded_by is not None:
        why += "; an older version (superseded)"
    return why


def _kinds_why(record: MemoryRecord, request: ForgetPreviewRequest) -> str:
    wanted = {k.value for k in request.sensitive or ()}
    kinds = sorted(kinds_of(record.sensitive) & wanted)
    return "holds " + ", ".join(k.replace("_", " ") for k in kinds)
