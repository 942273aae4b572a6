"""The ports of the session state: what threads and working memory need from the engines behind them
(their Redis stores, implemented in backends/redis/) and from the write pipeline (ingest's
`MemoryWriter`, handed in by the composition root), which keeps each turn and each archived item as a
memory. Declared here, below the pipelines, so that the pipelines and the engines may use the session
state without the session state importing either."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from ..memtypes.records import MemoryIn, Scope
from ..memtypes.requests import WriteOptions
from .threads import Thread, Turn
from .working import Replication, WorkingState


class WritePipeline(Protocol):
    """The write pipeline as the session state uses it: what it answers is not read here."""

    async def write(
        self, tenant: str, items: Sequence[MemoryIn], options: WriteOptions | None = None
    ) -> Sequence[object]: ...


class WorkingStore(Protocol):
    """Live working memory, one state per (tenant, task). Callers hold the task's lock to change it."""

    async def load(self, tenant: str, task_id: str) -> WorkingState | None:
        """The task's state; UnreadableTask when what is stored cannot be read back."""
        ...

    async def raw(self, tenant: str, task_id: str) -> str | None:
        """The stored state as text, readable or not (a forced clear archives it as it is)."""
        ...

    async def save(self, tenant: str, task_id: str, state: WorkingState) -> Replication | None:
        """Store the state and schedule its expiry at `state.expires_at`; how many replicas
        acknowledged it, when the store asks them (None: it does not)."""
        ...

    async def delete(self, tenant: str, task_id: str) -> Replication | None: ...

    async def recorded_scope(self, tenant: str, task_id: str) -> Scope:
        """The task's scope, even when its stored state cannot be read (empty: none, or no task)."""
        ...

    async def in_scope(self, tenant: str, scope: Scope) -> list[str]:
        """The tasks whose recorded scope has every field of `scope` (exactly)."""
        ...

    async def due(self, now: datetime, limit: int) -> list[tuple[str, str]]:
        """(tenant, task_id) pairs whose expiry time has passed, oldest first."""
        ...

    async def defer(self, tenant: str, task_id: str, until: datetime) -> int:
        """Quarantine a task the sweeper failed to archive: due again at `until`, kept until then;
        its failures so far."""
        ...

    async def release(self, tenant: str, task_id: str) -> None:
        """Take a task out of quarantine."""
        ...

    async def quarantined(self) -> dict[tuple[str, str], int]:
        """Every quarantined (tenant, task_id) and its failures so far."""
        ...


class ThreadStore(Protocol):
    async def create(self, tenant: str, thread: Thread) -> None: ...

    async def load(self, tenant: str, thread_id: str) -> tuple[Thread, list[Turn]] | None:
        """The thread and its turns (oldest first), or None when it does not exist (or expired)."""
        ...

    async def thread(self, tenant: str, thread_id: str) -> Thread | None:
        """The thread without its turns, or None when it does not exist (or expired)."""
        ...

    async def in_scope(self, tenant: str, scope: Scope) -> list[str]:
        """The threads whose scope (with their own id as `thread_id`) has every field of `scope`."""
        ...

    async def delete(self, tenant: str, thread_id: str) -> None: ...

    async def turn_count(self, tenant: str, thread_id: str) -> int | None:
        """How many turns the thread has; None when it does not exist."""
        ...

    async def append(self, tenant: str, turn: Turn, ttl_s: float) -> None:
        """Add a turn at the end and refresh the thread's TTL. Callers hold the thread's lock."""
        ...
