"""Which stored memories a write supersedes, and how: the write pipeline's dedup decisions.

Each item of a run (mnemo.ingest.dedup.sequential_runs: items that cannot be judged against each
other) is judged against the stored memories of its scope: a near-duplicate that `may_merge` is
merged with, the same fact changed (the same `fact_key`, or only its negation flipped) is replaced,
and so is every current memory the item names in `supersedes`. The newer by `occurred_at` stays
current; what it replaces ends its validity where the newer begins (validity.py).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from ...memtypes.ports import VectorIndex
from ...memtypes.queries import MemoryFilter, ScoredPoint, SearchRequest, StoredPoint
from ...memtypes.records import MemoryIn, MemoryRecord
from ..dedup import DedupConfig, incoming_wins, is_negation_update, may_merge, same_scope
from ..importance import Importance
from .references import Named, replaced
from .validity import superseded_record, superseded_update


class Replaced(NamedTuple):
    """A stored memory a write supersedes: by which memory, and the fields that says so."""

    by: str
    update: dict[str, object]


@dataclass
class Pending:
    """An item on its way to the index."""

    position: int
    item: MemoryIn
    record: MemoryRecord
    updated: bool
    importance: Importance
    vector: list[float] = field(default_factory=list)
    reason: str | None = None
    similarity: float | None = None


class Supersession:
    def __init__(self, index: VectorIndex, config: DedupConfig) -> None:
        self.index = index
        self.config = config

    async def decide(
        self, tenant: str, pending: list[Pending], named: Named, now: datetime, judge: bool = True
    ) -> dict[str, Replaced]:
        """Decide which stored memories the run supersedes (stored id → by what, and how); without
        `judge` (a write with dedup off), only those the items name.

        A stored neighbour is merged with only when it is really the same memory (`may_merge`), or
        replaced when it is the same fact changed (the same `fact_key`, or only its negation flipped),
        or when the item names it in `supersedes`.
        """
        superseded: dict[str, Replaced] = {}
        if judge:
            await self._judge(tenant, pending, superseded, now)
        await self._replace_named(tenant, pending, named, superseded, now)
        return superseded

    async def _judge(
        self, tenant: str, pending: list[Pending], superseded: dict[str, Replaced], now: datetime
    ) -> None:
        """Near-duplicates, negation updates and the same `fact_key`, against the stored memories."""
        searches = [
            SearchRequest(p.record.type, p.vector, MemoryFilter(tenant=tenant, scope=p.record.scope), 5, 5)
            for p in pending
        ]
        keyed = [p for p in pending if p.record.fact_key is not None]
        # The current fact of each subject, read for every keyed item at once (a pure read: the
        # loop below takes it where neither a near-duplicate nor a negation decided already).
        neighbours, facts = await asyncio.gather(
            self.index.search(searches),
            asyncio.gather(*(self._same_fact(tenant, p.record) for p in keyed)),
        )
        same_fact = {id(p): fact for p, fact in zip(keyed, facts, strict=True)}
        for p, hits in zip(pending, neighbours, strict=True):
            threshold = self.config.thresholds.get(p.record.type, 1.01)
            candidates = [
                (h, MemoryRecord.from_payload(h.id, h.payload))
                for h in hits
                if h.id != p.record.id and same_scope(p.record, h.payload) and h.id not in superseded
            ]
            duplicate = next(
                ((h, r) for h, r in candidates if h.score >= threshold and may_merge(p.record, r)), None
            )
            if duplicate is not None:
                hit = duplicate[0]
                p.similarity = round(float(hit.score), 4)
                self._supersede(p, hit.id, hit.payload, superseded, now, f"near_duplicate_of {hit.id}")
                continue
            update: ScoredPoint | StoredPoint | None = next(
                (h for h, r in candidates if is_negation_update(p.record, r)), None
            )
            if update is None and p.record.fact_key is not None:
                update = same_fact[id(p)]
            if update is not None:
                self._supersede(p, update.id, update.payload, superseded, now)

    async def _replace_named(
        self,
        tenant: str,
        pending: list[Pending],
        named: Named,
        superseded: dict[str, Replaced],
        now: datetime,
    ) -> None:
        """The current memories each item names in `supersedes`: replaced by it, whatever their times."""
        for p in pending:
            targets = [t for t in replaced(p.item, named, p.record.id) if t not in superseded]
            for point in await self.index.get(p.record.type, targets) if targets else []:
                if point.payload.get("tenant") != tenant or point.payload.get("superseded"):
                    continue
                superseded[point.id] = Replaced(p.record.id, superseded_update(point.payload, p.record, now))
                if p.record.supersedes is None:
                    p.record = p.record.model_copy(update={"supersedes": point.id})
                p.reason = p.reason or f"supersedes {point.id}"

    async def _same_fact(self, tenant: str, record: MemoryRecord) -> StoredPoint | None:
        """The current fact with the same subject (`fact_key`), however differently it is worded."""
        flt = MemoryFilter(tenant=tenant, scope=record.scope, fact_key=record.fact_key)
        stored, _ = await self.index.scroll(record.type, flt, limit=8)
        current = [s for s in stored if s.id != record.id and same_scope(record, s.payload)]
        if not current:
            return None
        return max(current, key=lambda s: float(s.payload.get("occurred_ts", 0.0)))

    @staticmethod
    def _supersede(
        p: Pending,
        stored_id: str,
        stored: dict[str, Any],
        superseded: dict[str, Replaced],
        now: datetime,
        reason: str | None = None,
    ) -> None:
        """Merge `p` with a stored memory: the newer one stays current, the older is superseded."""
        if incoming_wins(p.record, float(stored.get("occurred_ts", 0.0))):
            p.record = p.record.model_copy(update={"supersedes": stored_id})
            p.reason = reason or f"supersedes {stored_id}"
            superseded[stored_id] = Replaced(p.record.id, superseded_update(stored, p.record, now))
        else:  # history arriving late: keep it, as the older version
            p.record = superseded_record(
                p.record.model_copy(update={"superseded_by": stored_id}), stored, now
            )
            p.reason = reason or f"superseded by newer {stored_id}"
