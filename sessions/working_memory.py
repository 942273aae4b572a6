"""Working memory of a task: appended under a lock, kept under a token limit, never silently lost.

Over the limit, the lowest-priority then oldest items are evicted: a rule-based summary of them is
written to episodic memory and the items themselves are archived (the `working` collection, with
`cleared_at`). Clearing a task and its TTL running out archive its items the same way. The archive
is written *before* Redis changes, under the task's lock: if the write fails, nothing has moved.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pydantic import Field, ValidationError

from ..memtypes.errors import FieldProblem, InvalidInput, LockTimeout, MnemoError, UnreadableTask
from ..memtypes.jsontypes import SettingsGroup
from ..memtypes.ports import Locks, Tokenizers, counts_by_encoding
from ..memtypes.records import MemoryIn, Scope, normalize_content, utcnow
from ..memtypes.rendering import memory_line
from ..memtypes.requests import WriteOptions
from ..memtypes.types import EVENT_TYPE, SCRATCHPAD_TYPE
from .ports import WorkingStore, WritePipeline
from .working import (
    MAX_PRIORITY,
    AppendResult,
    ClearResult,
    WorkingItem,
    WorkingItemIn,
    WorkingState,
    WorkingView,
    archived_metadata,
    check_task_id,
)

log = logging.getLogger("mnemo.working")
LOCK_RESOURCE = SCRATCHPAD_TYPE.value  # a task's lock guards its live working memory
GIST_CHARS = 160
RAW_PART_CHARS = 30_000  # an unreadable task's text is archived in parts that fit a record's content
MAX_SUMMARY_ITEMS = 50
SWEEP_BATCH = 100  # expired tasks archived per pass; the next pass, sweep_interval_s later, takes more
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


class WorkingConfig(SettingsGroup):
    """A task's working memory: the `working` group of the settings (MNEMO_WORKING__*)."""

    max_tokens: int = Field(
        default=4_000,
        ge=1,
        le=1_000_000,
        description="tokens a task holds (default encoding); past it the lowest-priority, then oldest, "
        "items move out",
    )
    # As long as a thread lives: a coding session's todo list outlasts a meeting or a lunch break.
    ttl_s: float = Field(default=3 * 3600.0, gt=0.0, description="idle time after which a task is archived")
    sweep_interval_s: float = Field(
        default=5.0,
        gt=0.0,
        le=3600.0,
        description="how often idle tasks are looked for and archived; a task outlives its TTL by up to this",
    )
    sweep_retry_max_s: float = Field(
        default=3600.0,
        gt=0.0,
        description="a task the sweeper fails to archive is set aside and retried after the sweep "
        "interval, doubling per failure up to this, while the others are swept",
    )
    # Replication to Redis replicas is asynchronous; these make a write wait for it (README: "What a
    # failover can lose"). Not the service's own guarantee: Redis's `WAIT`, on the write's connection.
    ack_replicas: int = Field(
        default=0,
        ge=0,
        le=16,
        description="replicas that must acknowledge a working-memory write (Redis WAIT) before it is "
        "answered; 0 = do not wait. Fewer in time: the write stays and its answer says how many did",
    )
    ack_timeout_ms: int = Field(
        default=100,
        ge=1,
        le=10_000,
        description="how long a write waits for those acknowledgements (WAIT's timeout; 0 would be forever)",
    )


@dataclass
class SweepReport:
    """One pass of the sweeper: tasks archived, tasks that failed (quarantined, retried later), and
    every task in quarantine after the pass (any tenant's)."""

    archived: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    quarantined: int = 0


def retry_delay_s(failures: int, interval_s: float, max_s: float) -> float:
    """Backoff of a quarantined task: the sweep interval, doubled per failure, capped."""
    return min(interval_s * float(2 ** min(failures, 32)), max_s)


def archive_record(task_id: str, item: WorkingItem, reason: str, scope: Scope) -> MemoryIn:
    """An item's archive record. An item stored before the door checked its metadata in the archive's
    shape may not fit it: its metadata is then kept as JSON text, never dropped."""
    fields = {
        "type": SCRATCHPAD_TYPE,
        "content": item.content,
        "id": f"wm:{task_id}:{item.id}",
        "occurred_at": item.created_at.isoformat(),
        "importance": item.priority / MAX_PRIORITY,
        "task_id": task_id,
        "scope": scope.model_dump(exclude_none=True),
    }
    metadata = archived_metadata(reason, item.priority, item.seq, item.metadata)
    try:
        return MemoryIn.model_validate({**fields, "metadata": metadata})
    except ValidationError:
        as_text = {**metadata, "item": None, "item_json": json.dumps(item.metadata, default=str)}
        return MemoryIn.model_validate({**fields, "metadata": as_text})


def raw_archive_records(task_id: str, raw: str, cleared_at: datetime, scope: Scope) -> list[MemoryIn]:
    """An unreadable task's stored text, archived as it is (in parts that fit a record), with the
    scope the task was recorded under (so a forget of that subject finds the archive): a forced clear
    drops a task from Redis only once all of it is in the archive."""
    parts = [raw[i : i + RAW_PART_CHARS] for i in range(0, len(raw), RAW_PART_CHARS)] or [""]
    return [
        MemoryIn.model_validate(
            {
                "type": SCRATCHPAD_TYPE,
                "content": part if part.strip() else "(empty)",
                "id": f"wm-raw:{task_id}:{n}",
                "occurred_at": cleared_at.isoformat(),
                "task_id": task_id,
                "scope": scope.model_dump(exclude_none=True),
                "metadata": {"reason": "unreadable", "part": n, "parts": len(parts)},
            }
        )
        for n, part in enumerate(parts, start=1)
    ]


def choose_evictions(items: Sequence[WorkingItem], max_tokens: int) -> list[WorkingItem]:
    """The items to move out so the rest fit `max_tokens`: lowest priority first, then oldest."""
    total = sum(i.tokens for i in items)
    evicted: list[WorkingItem] = []
    for item in sorted(items, key=lambda i: (i.priority, i.seq)):
        if total <= max_tokens:
            break
        evicted.append(item)
        total -= item.tokens
    return sorted(evicted, key=lambda i: i.seq)


def gist(text: str, max_chars: int = GIST_CHARS) -> str:
    """The first sentence of `text` on one line, cut at a word boundary to `max_chars`."""
    flat = normalize_content(text)
    first = _SENTENCE_END.split(flat, maxsplit=1)[0]
    if len(first) <= max_chars:
        return first if first == flat else f"{first} …"
    cut = first[:max_chars].rsplit(" ", 1)[0] or first[:max_chars]
    return f"{cut} …"


def summarize_evicted(task_id: str, items: Sequence[WorkingItem], max_tokens: int) -> str:
    """A rule-based summary: what left the task's working memory, one gist per item, oldest first."""
    lines = [
        f"Working memory of task {task_id} went over its {max_tokens}-token limit; "
        f"{len(items)} item(s) moved to the archive:"
    ]
    lines += [f"- (priority {i.priority}) {gist(i.content)}" for i in items[:MAX_SUMMARY_ITEMS]]
    if len(items) > MAX_SUMMARY_ITEMS:
        lines.append(f"- … and {len(items) - MAX_SUMMARY_ITEMS} more")
    return "\n".join(lines)


def task_scope(recorded: Scope, given: Scope | None) -> Scope:
    """A task's scope is set by the first append that names one; a different one later is refused
    (a task belongs to one subject, so that forgetting that subject removes all of it)."""
    if given is None or given == recorded:
        return recorded
    if recorded.items():
        raise InvalidInput(
            "this task already belongs to another scope",
            problems=[FieldProblem("scope", "differs from the scope the task was started with")],
        )
    return given


@dataclass
class WorkingMemory:
    store: WorkingStore
    locks: Locks
    writer: WritePipeline
    tokenizers: Tokenizers
    config: WorkingConfig

    def _measure(self, content: str) -> tuple[int, dict[str, int]]:
        line = memory_line(SCRATCHPAD_TYPE, content)
        tokens = self.tokenizers.get(self.tokenizers.default).count(content)
        return tokens, counts_by_encoding(self.tokenizers, line)

    async def append(
        self, tenant: str, task_id: str, data: WorkingItemIn, limits: WorkingConfig | None = None
    ) -> AppendResult:
        """`limits` replace the service's (an agent's memory resource sets its own)."""
        check_task_id(task_id)
        config = limits or self.config
        tokens, line_tokens = self._measure(data.content)
        if tokens > config.max_tokens:
            raise InvalidInput(
                f"the item has {tokens} tokens; a task holds at most {config.max_tokens}",
                problems=[FieldProblem("content", "longer than the task's token limit")],
            )
        async with self.locks.hold(tenant, LOCK_RESOURCE, task_id):
            now = utcnow()
            state = await self._current(tenant, task_id, now)
            scope = task_scope(state.scope, data.scope)
            item = WorkingItem(
                id=uuid.uuid4().hex,
                seq=state.next_seq,
                content=data.content,
                priority=data.priority,
                tokens=tokens,
                line_tokens=line_tokens,
                created_at=now,
                metadata=data.metadata,
            )
            items = [*state.items, item]
            evicted = choose_evictions(items, config.max_tokens)
            if evicted:
                summary = self._eviction_summary(task_id, evicted, now, config.max_tokens, scope)
                await self._archive(tenant, task_id, evicted, "evicted", now, scope, also=[summary])
            gone = {i.id for i in evicted}
            new_state = WorkingState(
                items=[i for i in items if i.id not in gone],
                next_seq=state.next_seq + 1,
                # From the end of the write: an eviction's archive write may have taken a while.
                expires_at=utcnow() + timedelta(seconds=config.ttl_s),
                scope=scope,
            )
            replication = await self.store.save(tenant, task_id, new_state)
        return AppendResult(
            item=item,
            evicted=evicted,
            total_tokens=new_state.total_tokens,
            max_tokens=config.max_tokens,
            expires_at=new_state.expires_at,
            replication=replication,
        )

    async def read(self, tenant: str, task_id: str) -> WorkingView:
        check_task_id(task_id)
        state = await self.store.load(tenant, task_id)
        items = state.live(utcnow()) if state else []
        return WorkingView(
            task_id=task_id,
            items=items,
            total_tokens=sum(i.tokens for i in items),
            max_tokens=self.config.max_tokens,
            expires_at=state.expires_at if state and items else None,
        )

    async def clear(self, tenant: str, task_id: str, force: bool = False) -> ClearResult:
        """Archive every item with `cleared_at`, then delete the task from Redis. `force`: a task
        whose stored state cannot be read is archived as raw text (never dropped unarchived)."""
        check_task_id(task_id)
        async with self.locks.hold(tenant, LOCK_RESOURCE, task_id):
            now = utcnow()
            archived = 0
            try:
                state = await self.store.load(tenant, task_id)
            except UnreadableTask:
                raw = await self.store.raw(tenant, task_id) if force else None
                if raw is None:
                    raise
                scope = await self.store.recorded_scope(tenant, task_id)
                records = raw_archive_records(task_id, raw, now, scope)
                options = WriteOptions(prefilter=False, dedup=False, cleared_at=now)
                await self.writer.write(tenant, records, options)
                log.warning(
                    "forced clear: unreadable task %r of tenant %r archived as raw text", task_id, tenant
                )
                state, archived = None, len(records)
            if state is not None and state.items:
                expired = state.expired(now)
                when = state.expires_at if expired else now
                reason = "expired" if expired else "cleared"
                await self._archive(tenant, task_id, state.items, reason, when, state.scope)
                archived = len(state.items)
            replication = await self.store.delete(tenant, task_id)
            await self.store.release(tenant, task_id)  # if the sweeper had quarantined it
        return ClearResult(task_id=task_id, archived=archived, replication=replication)

    async def sweep(self, now: datetime | None = None) -> SweepReport:
        """Archive and delete tasks whose TTL ran out. Each task on its own: one that fails is
        logged by id and quarantined (due again after a backoff, kept alive meanwhile) and the pass
        goes on with the others, whoever's they are."""
        now = now or utcnow()
        report = SweepReport()
        quarantined = await self.store.quarantined()
        for tenant, task_id in await self.store.due(now, SWEEP_BATCH):
            try:
                if await self._sweep_task(tenant, task_id, now):
                    report.archived += 1
            except LockTimeout:
                continue  # busy: someone is writing to it, so it is not idle; the next pass sees
            except Exception as exc:
                failures = quarantined.get((tenant, task_id), 0) + 1
                delay = retry_delay_s(failures, self.config.sweep_interval_s, self.config.sweep_retry_max_s)
                # Redis itself failing: the task stays due, the next pass retries it.
                with contextlib.suppress(MnemoError):
                    await self.store.defer(tenant, task_id, now + timedelta(seconds=delay))
                level = logging.WARNING if isinstance(exc, MnemoError) else logging.ERROR
                log.log(
                    level,
                    "working-memory task %r of tenant %r could not be archived (failure %d: %s: %s); "
                    "quarantined, retried in %.0f s",
                    task_id,
                    tenant,
                    failures,
                    type(exc).__name__,
                    getattr(exc, "detail", None) or exc,
                    delay,
                    exc_info=level == logging.ERROR,
                )
                report.failed.append((tenant, task_id))
            else:
                if (tenant, task_id) in quarantined:
                    await self.store.release(tenant, task_id)
                    log.info("working-memory task %r of tenant %r left quarantine", task_id, tenant)
        report.quarantined = len(await self.store.quarantined())
        return report

    async def _sweep_task(self, tenant: str, task_id: str, now: datetime) -> bool:
        """Archive one due task (under its lock) and drop it; whether it held items to archive."""
        async with self.locks.hold(tenant, LOCK_RESOURCE, task_id):
            state = await self.store.load(tenant, task_id)
            if state is not None and not state.expired(now):
                return False  # written to since it was listed; its new expiry is scheduled
            archived = False
            if state is not None and state.items:
                await self._archive(tenant, task_id, state.items, "expired", state.expires_at, state.scope)
                archived = True
            await self.store.delete(tenant, task_id)
            return archived

    async def _current(self, tenant: str, task_id: str, now: datetime) -> WorkingState:
        """The task's live state (under its lock). An expired one not yet swept is archived first."""
        state = await self.store.load(tenant, task_id)
        if state is None:
            return WorkingState(expires_at=now)
        if state.expired(now):
            if state.items:
                await self._archive(tenant, task_id, state.items, "expired", state.expires_at, state.scope)
            return WorkingState(expires_at=now, scope=state.scope)
        return state

    def _eviction_summary(
        self, task_id: str, evicted: Sequence[WorkingItem], now: datetime, max_tokens: int, scope: Scope
    ) -> MemoryIn:
        # MemoryIn takes JSON's types only (date-times as strings), as from any caller.
        return MemoryIn.model_validate(
            {
                "type": EVENT_TYPE,
                "content": summarize_evicted(task_id, evicted, max_tokens),
                # Stable across a retried eviction of the same items, unique across evictions.
                "id": f"wm-evicted:{task_id}:{evicted[0].id}",
                "occurred_at": now.isoformat(),
                "importance": max(i.priority for i in evicted) / MAX_PRIORITY,
                "task_id": task_id,
                "scope": scope.model_dump(exclude_none=True),
                "metadata": {"source": "working_memory_eviction", "evicted": len(evicted)},
            }
        )

    async def _archive(
        self,
        tenant: str,
        task_id: str,
        items: Sequence[WorkingItem],
        reason: str,
        cleared_at: datetime,
        scope: Scope,
        also: Sequence[MemoryIn] = (),
    ) -> None:
        archived = [archive_record(task_id, i, reason, scope) for i in items]
        # An archive keeps everything as it was: no pre-filter dropping short notes, no merging.
        options = WriteOptions(prefilter=False, dedup=False, cleared_at=cleared_at)
        await self.writer.write(tenant, [*archived, *also], options)
        log.debug("archived %d working item(s) of a task (%s)", len(items), reason)
