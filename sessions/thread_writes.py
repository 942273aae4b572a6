"""Writing conversation threads: create a thread (optionally continuing another), append turns.

Every turn is also written to episodic memory (scope `thread_id`) so that it stays searchable after
the thread's TTL ends. That write happens first, outside the thread's lock (embedding is the slow
part); the lock then covers only numbering the turn and appending it. A compare-and-append
(`if_last_seq`) holds the lock for all three: its check must still hold when the turn lands.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from pydantic import Field

from ..memtypes.errors import Conflict, NotFound
from ..memtypes.jsontypes import SettingsGroup
from ..memtypes.ports import Locks, Tokenizers, counts_by_encoding
from ..memtypes.records import MemoryIn, Scope, utcnow
from ..memtypes.rendering import turn_line
from ..memtypes.requests import WriteOptions
from ..memtypes.types import EVENT_TYPE
from .ports import ThreadStore, WritePipeline
from .threads import Thread, ThreadIn, Turn, TurnIn, parse_thread_id

LOCK_RESOURCE = "thread"


class ThreadConfig(SettingsGroup):
    """Conversation threads: the `threads` group of the settings (MNEMO_THREADS__*)."""

    ttl_s: float = Field(
        default=3 * 3600.0, gt=0.0, description="a thread expires this long after its last turn"
    )


@dataclass
class Threads:
    store: ThreadStore
    locks: Locks
    writer: WritePipeline
    tokenizers: Tokenizers
    config: ThreadConfig

    async def create(self, tenant: str, data: ThreadIn) -> Thread:
        parent = str(data.parent_thread_id) if data.parent_thread_id else None
        if parent and await self.store.turn_count(tenant, parent) is None:
            raise NotFound(f"no thread {parent} (it may have expired)")
        scope = Scope(**data.scope.model_dump()) if data.scope else Scope()
        if data.id is not None and (existing := await self.store.thread(tenant, str(data.id))):
            # A caller-chosen id is created once and answered as it is after that (SDK sessions
            # name their conversation and expect the same one back), unless the caller says it is
            # someone else's (another scope or parent than the thread has).
            if (data.scope is not None and existing.scope != scope) or (
                parent is not None and existing.parent_thread_id != parent
            ):
                raise Conflict(f"thread {data.id} exists with another scope or parent")
            return existing
        thread = Thread(
            id=str(data.id or uuid.uuid4()),
            parent_thread_id=parent,
            metadata=data.metadata,
            created_at=utcnow(),
            ttl_s=self.config.ttl_s,
            scope=scope,
        )
        await self.store.create(tenant, thread)
        return thread

    async def append(self, tenant: str, raw_thread_id: str, data: TurnIn) -> Turn:
        thread_id = parse_thread_id(raw_thread_id)
        thread = await self.store.thread(tenant, thread_id)
        if thread is None:
            raise NotFound(f"no thread {thread_id} (it may have expired)")
        turn_id = uuid.uuid4().hex
        if data.if_last_seq is None:
            await self._write_episode(tenant, thread, turn_id, data)
            async with self.locks.hold(tenant, LOCK_RESOURCE, thread_id):
                return await self._add_turn(tenant, thread_id, turn_id, data)
        # A compare-and-append: the check, the episode and the turn under one hold of the lock, so
        # that a refused append leaves nothing behind and two appends on one history never both land.
        async with self.locks.hold(tenant, LOCK_RESOURCE, thread_id):
            self._check_last(thread_id, await self.store.turn_count(tenant, thread_id), data.if_last_seq)
            await self._write_episode(tenant, thread, turn_id, data)
            return await self._add_turn(tenant, thread_id, turn_id, data)

    @staticmethod
    def _check_last(thread_id: str, count: int | None, if_last_seq: int | None) -> None:
        if if_last_seq is not None and count is not None and count != if_last_seq:
            raise Conflict(f"thread {thread_id} has {count} turns, not {if_last_seq}: read it again")

    async def _write_episode(self, tenant: str, thread: Thread, turn_id: str, data: TurnIn) -> None:
        episode = MemoryIn.model_validate(  # JSON's types only (date-times as strings), as from any caller
            {
                "type": EVENT_TYPE,
                "content": f"{data.role.value}: {data.content}",
                "scope": thread.scope.model_copy(update={"thread_id": thread.id}),
                "id": f"turn:{thread.id}:{turn_id}",
                "occurred_at": utcnow().isoformat(),
                "metadata": {"source": "thread_turn", "role": data.role.value, "files": data.files},
            }
        )
        # Every turn is kept, short or repeated ("ok", "yes"): a conversation is not a fact store.
        await self.writer.write(tenant, [episode], WriteOptions(prefilter=False, dedup=False))

    async def _add_turn(self, tenant: str, thread_id: str, turn_id: str, data: TurnIn) -> Turn:
        """The turn after the thread's last; the caller holds the thread's lock."""
        line = turn_line(data.role.value, data.content)
        line_tokens = counts_by_encoding(self.tokenizers, line)
        count = await self.store.turn_count(tenant, thread_id)
        if count is None:
            raise NotFound(f"thread {thread_id} expired")
        # Again after the episode's write: should a slow write outlive the lock's TTL, a turn that
        # came meanwhile still refuses this one.
        self._check_last(thread_id, count, data.if_last_seq)
        turn = Turn(
            id=turn_id,
            thread_id=thread_id,
            seq=count + 1,
            role=data.role,
            content=data.content,
            files=data.files,
            created_at=utcnow(),
            line_tokens=line_tokens,
        )
        await self.store.append(tenant, turn, self.config.ttl_s)
        return turn
