"""The write pipeline: pre-filter → dedup → importance → embed → upsert, under a lock.

Ids are deterministic per tenant (mnemo.memtypes.ids), so writing the same input twice updates one
record instead of creating two; input identical to what is stored is reported `unchanged` and is
not even re-embedded. Nothing is dropped silently: every item gets a result with a status and, when
it was skipped or merged, the reason.

A batch resolves as its items written one by one: embedded together, then stored in runs of items
that cannot be judged against each other (mnemo.ingest.dedup.sequential_runs), each run judged
against the store as the runs before it left it (mnemo.ingest.versions.supersede). What a run supersedes
marks what depends on it stale (mnemo.ingest.versions.dependents).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from ..memtypes.errors import Unavailable
from ..memtypes.ids import IdKeys
from ..memtypes.ports import (
    Embedder,
    ImportanceReviewer,
    Locks,
    SparseEncoder,
    Tokenizers,
    VectorIndex,
    counts_by_encoding,
)
from ..memtypes.queries import VectorPoint
from ..memtypes.records import MemoryIn, MemoryRecord, same_stored, utcnow
from ..memtypes.rendering import LINE_FORMAT, memory_line
from ..memtypes.requests import WriteOptions
from ..memtypes.types import SPECS, MemoryType
from .dedup import (
    sequential_runs,
)
from .history import ChangeHistory
from .identity import exact_duplicates, point_id_of
from .importance import Importance, Tier, review_importance
from .prefilter import (
    PolicyOf,
    SkipReason,
    default_policy,
    prefilter,
    screen,
)
from .versions.dependents import mark_stale
from .versions.references import Named, depends_on, resolve
from .versions.supersede import Pending, Replaced, Supersession
from .write_options import WriteConfig, WriteResult, WriteStatus

# Fields whose change makes a re-write an update (everything else is bookkeeping).
_IDENTITY_FIELDS = (
    "content_hash", "importance", "occurred_at", "tags", "metadata", "due_at", "trigger", "fact_key",
    "user_id", "agent_id", "thread_id", "namespace", "task_id", "valid_from", "depends_on",
)  # fmt: skip
# What the service, not the caller, set on a stored memory: a re-write keeps it (a superseded
# memory written again is current again, as before: its supersede is not kept; its invalidation is,
# with the end of validity it set, unless the rewrite gives another).
_KEPT_FIELDS = ("invalidated_at", "invalidation_reason", "closed_at", "stale", "stale_cause")
_MAX_CONCURRENT_REVIEWS = 16
log = logging.getLogger("mnemo.write")
__all__ = ["MemoryWriter", "WriteConfig", "WriteOptions", "WriteResult", "WriteStatus"]


class MemoryWriter:
    def __init__(
        self,
        index: VectorIndex,
        embedder: Embedder,
        tokenizers: Tokenizers,
        config: WriteConfig | None = None,
        reviewers: Sequence[ImportanceReviewer] = (),
        sparse: SparseEncoder | None = None,
        locks: Locks | None = None,
        ids: IdKeys | None = None,
        history: ChangeHistory | None = None,
        privacy: PolicyOf = default_policy,
    ) -> None:
        """`history`: where each write's change history goes (none: not recorded); `privacy`: each
        tenant's and memory resource's policy for secrets and personal data."""
        self.index = index
        # The service's id key (a store's ids are stable only under one key); without one, a key
        # of this process alone, for records that are never served from a store again.
        self.ids = ids or IdKeys.ephemeral()
        self.embedder = embedder
        self.tokenizers = tokenizers
        self.config = config or WriteConfig()
        self.reviewers = tuple(reviewers)
        self.sparse = sparse  # None: no BM25 vectors are stored (dense-only search)
        self._last_seq = 0
        self.shared_locks = locks
        # Read-modify-write of one tenant's collection is serialized in this process...
        self._locks: defaultdict[tuple[str, MemoryType], asyncio.Lock] = defaultdict(asyncio.Lock)
        self._review_slots = asyncio.Semaphore(_MAX_CONCURRENT_REVIEWS)
        self.history = history
        self.privacy = privacy
        self.supersession = Supersession(index, self.config.dedup)

    @asynccontextmanager
    async def locked(self, tenant: str, types: Sequence[MemoryType]) -> AsyncIterator[None]:
        """Hold (tenant, type) for a read-modify-write, in this process and across replicas."""
        async with AsyncExitStack() as stack:
            for memory_type in sorted(set(types)):  # one global order: no deadlocks
                await stack.enter_async_context(self._locks[(tenant, memory_type)])
            # ...and across replicas through the shared lock service. If that is down, writes go on
            # under the process lock alone: a single process stays exact; several replicas could at
            # worst miss a near-duplicate merge, which is better than refusing every write.
            if self.shared_locks is not None:
                try:
                    for memory_type in sorted(set(types)):
                        hold = self.shared_locks.hold(tenant, "memories", memory_type.value)
                        await stack.enter_async_context(hold)
                except Unavailable:
                    log.warning("shared locks unavailable: writing under the process lock only")
            yield

    def build_record(
        self,
        tenant: str,
        item: MemoryIn,
        now: datetime,
        existing: dict[str, Any] | None,
        importance: float,
        cleared_at: datetime | None = None,
        depends: Sequence[str] = (),
    ) -> MemoryRecord:
        """`depends`: the ids of the memories the item's `depends_on` names."""
        chash = self.ids.content_hash(tenant, item.content)
        # Without an explicit time, a re-written memory keeps the time it was first written at.
        first_seen = existing.get("occurred_at") if existing and item.occurred_at is None else None
        occurred_at = (
            datetime.fromisoformat(first_seen) if isinstance(first_seen, str) else item.occurred_at or now
        ).astimezone(UTC)
        created = existing.get("created_at") if existing else None
        spec = SPECS[item.type]
        kept = (
            MemoryRecord.from_payload("kept", existing).model_dump(include=set(_KEPT_FIELDS))
            if existing
            else {}
        )
        ended = existing.get("valid_until") if existing and existing.get("invalidated_at") else None
        if item.valid_until is not None or ended is not None:
            kept["valid_until"] = item.valid_until.astimezone(UTC) if item.valid_until else ended
        return MemoryRecord(
            id=point_id_of(self.ids, tenant, item),
            external_id=item.id,
            type=item.type,
            tenant=tenant,
            scope=item.scope,
            content=item.content,
            content_hash=chash,
            token_count=self.tokenizers.get(self.tokenizers.default).count(item.content),
            token_counts=counts_by_encoding(self.tokenizers, item.content),
            importance=importance,
            occurred_at=occurred_at,
            created_at=datetime.fromisoformat(created) if isinstance(created, str) else now,
            last_accessed_at=existing.get("last_accessed_at") if existing else None,
            access_count=int(existing.get("access_count", 0)) if existing else 0,
            use_count=int(existing.get("use_count", 0)) if existing else 0,
            tags=item.tags,
            metadata=item.metadata,
            due_at=item.due_at.astimezone(UTC) if item.due_at else None,
            trigger=item.trigger,
            status=(existing or {}).get("status", spec.statuses[0]) if spec.statuses else None,
            task_id=item.task_id,
            fact_key=item.fact_key,
            sensitive=item.sensitive or [],
            seq=existing.get("seq") if existing else None,
            cleared_at=cleared_at if spec.task_scratchpad else None,
            valid_from=item.valid_from.astimezone(UTC) if item.valid_from else None,
            depends_on=list(depends),
            **kept,
        )

    def line_payload(self, record: MemoryRecord) -> dict[str, Any]:
        """The tokens of the memory's context line in every encoding, counted once, here."""
        line = memory_line(record.type, record.content, record.due_at)
        return {"line_tokens": counts_by_encoding(self.tokenizers, line), "line_format": LINE_FORMAT}

    async def write(
        self, tenant: str, items: Sequence[MemoryIn], options: WriteOptions | None = None
    ) -> list[WriteResult]:
        """Write a batch; one result per item, in order."""
        options = options or WriteOptions()
        # Secrets and personal data: found (and redacted) before anything is embedded or stored.
        items = screen(self.privacy, tenant, items, refuse=False)
        now = utcnow()
        results: list[WriteResult | None] = [None] * len(items)
        ids = [point_id_of(self.ids, tenant, i) for i in items]
        candidates = self._admitted(items, ids, options, results)
        async with self.locked(tenant, [items[i].type for i in candidates]):
            existing = await self._existing(tenant, [(items[i].type, ids[i]) for i in candidates])
            named = await resolve(self.index, tenant, items, ids, candidates)
            depends = {i: depends_on(items[i], named, ids[i]) for i in candidates}
            fresh = []
            for i in candidates:
                old = existing.get(ids[i])
                if old is not None and self._unchanged(tenant, items[i], now, old, depends[i]):
                    results[i] = WriteResult(
                        ids[i], items[i].id, WriteStatus.UNCHANGED, importance=old.get("importance")
                    )
                else:
                    fresh.append(i)
            duplicates = await self._duplicates(tenant, items, fresh, ids, now, options, results)
            pending = await self._prepare(
                tenant,
                items,
                [i for i in fresh if i not in duplicates],
                existing,
                now,
                options.cleared_at,
                depends,
            )
            vectors = await self.embedder.embed([p.record.content for p in pending])
            for p, vector in zip(pending, vectors, strict=True):
                p.vector = vector
            written: list[Pending] = []
            for run in self._runs(pending, named):
                if written:  # an exact copy of an item of an earlier run is in the store now
                    copies = await self._duplicates(
                        tenant, items, [p.position for p in run], ids, now, options, results
                    )
                    run = [p for p in run if p.position not in copies]
                await self._write_run(tenant, run, named, now, options, existing)
                written += run

        for p in written:
            status = (
                WriteStatus.MERGED if p.reason else WriteStatus.UPDATED if p.updated else WriteStatus.CREATED
            )
            results[p.position] = WriteResult(
                p.record.id, p.item.id, status, p.reason, p.importance.score, p.importance.tier, p.similarity
            )
        return [r for r in results if r is not None]

    def _admitted(
        self,
        items: Sequence[MemoryIn],
        ids: list[str],
        options: WriteOptions,
        results: list[WriteResult | None],
    ) -> list[int]:
        """The positions of the items to write; the others' results (skipped, and why) set."""
        last_index = {point_id: i for i, point_id in enumerate(ids)}
        candidates: list[int] = []
        # The same words in one request are one memory unless a caller id, an event's time or an
        # intention's due time tells them apart, and those are part of the id (`point_id_of`).
        for i, item in enumerate(items):
            reason = prefilter(item, self.config.prefilter) if options.prefilter else None
            if last_index[ids[i]] != i:  # the same memory again later in this request: the later one wins
                reason = SkipReason.REPEATED_IN_REQUEST
            if reason:
                results[i] = WriteResult(ids[i], item.id, WriteStatus.SKIPPED, reason)
            else:
                candidates.append(i)
        return candidates

    async def _write_run(
        self,
        tenant: str,
        run: list[Pending],
        named: Named,
        now: datetime,
        options: WriteOptions,
        existing: dict[str, dict[str, Any]],
    ) -> None:
        """One run: supersede decisions, the upsert, the change history, what depends on it marked."""
        superseded = await self.supersession.decide(tenant, run, named, now, options.dedup)
        await self._store(run, superseded)
        if self.history is not None:  # created / updated / merged (superseded), in write order
            entries = [(p.record, existing.get(p.record.id), p.reason) for p in run]
            merged = {k: r.by for k, r in superseded.items()}
            await self.history.record_write(tenant, entries, merged, options.agent)
        await mark_stale(self.index, tenant, {k: f"superseded by {r.by}" for k, r in superseded.items()})

    async def _duplicates(
        self,
        tenant: str,
        items: Sequence[MemoryIn],
        positions: list[int],
        ids: list[str],
        now: datetime,
        options: WriteOptions,
        results: list[WriteResult | None],
    ) -> dict[int, str]:
        """Items at `positions` that are exact copies of a current memory: reported skipped."""
        if not options.prefilter:
            return {}
        duplicates = await exact_duplicates(
            self.index,
            self.ids,
            tenant,
            items,
            positions,
            ids,
            lambda i: self.build_record(tenant, items[i], now, None, 0.5),
        )
        for i, of in duplicates.items():
            results[i] = WriteResult(
                ids[i], items[i].id, WriteStatus.SKIPPED, f"{SkipReason.DUPLICATE} of {of}"
            )
        return duplicates

    def _runs(self, pending: list[Pending], named: Named) -> list[list[Pending]]:
        """The batch in runs written one after another, so that it resolves as written one by one."""
        records = [p.record for p in pending]
        names = [set(p.item.supersedes) for p in pending]
        runs = sequential_runs(records, [p.vector for p in pending], self.config.dedup, names)
        return [[pending[k] for k in run] for run in runs]

    def _unchanged(
        self, tenant: str, item: MemoryIn, now: datetime, old: dict[str, Any], depends: Sequence[str]
    ) -> bool:
        importance = item.importance if item.importance is not None else old.get("importance", 0.5)
        payload = self.build_record(tenant, item, now, old, importance, depends=depends).to_payload()
        # The end of validity is the caller's only when it gives one: a supersede may have set it.
        fields = _IDENTITY_FIELDS if item.valid_until is None else (*_IDENTITY_FIELDS, "valid_until")
        return all(same_stored(payload.get(f), old.get(f)) for f in fields)

    async def _importance(self, item: MemoryIn) -> Importance:
        if item.importance is not None:
            return Importance(item.importance, Tier.CALLER)
        async with self._review_slots:
            return await review_importance(
                item.type, item.content, self.reviewers, self.config.review_timeout_s
            )

    async def _prepare(
        self,
        tenant: str,
        items: Sequence[MemoryIn],
        positions: list[int],
        existing: dict[str, dict[str, Any]],
        now: datetime,
        cleared_at: datetime | None,
        depends: dict[int, list[str]],
    ) -> list[Pending]:
        scores = await asyncio.gather(*(self._importance(items[i]) for i in positions))
        pending = []
        for i, importance in zip(positions, scores, strict=True):
            old = existing.get(point_id_of(self.ids, tenant, items[i]))
            record = self.build_record(tenant, items[i], now, old, importance.score, cleared_at, depends[i])
            pending.append(Pending(i, items[i], record, old is not None, importance))
        return pending

    async def _existing(
        self, tenant: str, wanted: Sequence[tuple[MemoryType, str]]
    ) -> dict[str, dict[str, Any]]:
        by_type: dict[MemoryType, list[str]] = defaultdict(list)
        for memory_type, point_id in wanted:
            by_type[memory_type].append(point_id)
        # One read per type, all at once.
        per_type = await asyncio.gather(*(self.index.get(t, ids) for t, ids in by_type.items()))
        return {p.id: p.payload for points in per_type for p in points if p.payload.get("tenant") == tenant}

    def next_seq(self) -> int:
        """A fresh write-order number (whole microseconds, strictly increasing in this writer)."""
        self._last_seq = max(self._last_seq + 1, time.time_ns() // 1_000)
        return self._last_seq

    async def _store(self, pending: list[Pending], superseded_stored: dict[str, Replaced]) -> None:
        by_type: dict[MemoryType, list[VectorPoint]] = defaultdict(list)
        sparse = self.sparse.documents([p.record.content for p in pending]) if self.sparse else None
        for n, p in enumerate(pending):
            if p.record.seq is None:  # a rewrite keeps its place in the conversation
                p.record = p.record.model_copy(update={"seq": self.next_seq()})
            payload = p.record.to_payload()
            payload.update(self.line_payload(p.record))
            payload["importance_tier"] = str(p.importance.tier)  # shown by the explorer
            point = VectorPoint(p.record.id, p.vector, payload, sparse[n] if sparse else None)
            by_type[p.record.type].append(point)
        for memory_type, points in by_type.items():
            await self.index.upsert(memory_type, points)
        types = {p.record.id: p.record.type for p in pending}
        superseded: dict[MemoryType, dict[str, dict[str, object]]] = defaultdict(dict)
        for stored_id, (winner, update) in superseded_stored.items():
            superseded[types[winner]][stored_id] = update
        for memory_type, updates in superseded.items():  # one engine call per type
            await self.index.set_payloads(memory_type, updates)
