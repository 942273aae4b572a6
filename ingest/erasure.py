"""Erasing what a forget removed from the stores' files: in the background, coalesced, bounded in
time, and durable across a crash.

A deletion only marks points deleted: the engines' logs and pages still hold the text until the
stores' files are rewritten without it (`Eraser`s: each affected type's Qdrant Edge shard rebuilt, the
embedded Redis's append-only file and snapshot rewritten). That takes as long as rebuilding a type, so
a forget does not wait for it: it records the erasure as pending (a small JSON file in the data dir,
fsynced before the forget answers) and the receipt promises it by `erase_by`. This eraser then runs
the erasers once for everything pending after a short batching window (`batch_s`), so fifty forgets
in a row cost one rebuild per affected type, not fifty. A failure is logged by store (never content)
and retried with a growing pause; a clean shutdown erases what is pending before the stores close;
after a crash, the next start finds the record and erases first.

The record is written before the forget removes anything, so a forget whose erasure cannot be
recorded (a full disk) removes nothing; a crash between the two erases for nothing, harmlessly.

A caller who needs the bytes gone before the answer asks to wait (`wait_for_erasure`): its erasure
runs at once (after one already running), and the receipt says how it went.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import Field, model_validator

from ..memtypes.background import cancel_all
from ..memtypes.errors import InsufficientStorage
from ..memtypes.governance.history import receipt_time
from ..memtypes.jsontypes import SettingsGroup
from ..memtypes.records import utcnow
from ..memtypes.types import MemoryType

log = logging.getLogger("mnemo.erasure")

# A store's erasure of what was deleted from it, given the types whose memories were removed:
# "erased", "not_ours" (its files are not in the data dir) or "failed".
Eraser = Callable[[Sequence[MemoryType]], Awaitable[str]]

STATE_FILE = "erasure.json"
KEPT_DONE = 2_000  # finished erasures remembered for `status` (oldest forgotten first)


class ErasureConfig(SettingsGroup):
    """When a forget's removed text leaves the files: the `forget` group (MNEMO_FORGET__*)."""

    erase_within_s: float = Field(
        default=300.0,
        ge=1.0,
        le=86_400.0,
        description="a forget's receipt promises its erasure by now + this (`erase_by`); room for the "
        "batching window and two rebuilds of a type (one running, then this one's; ~100 s each at "
        "100k memories)",
    )
    batch_s: float = Field(
        default=5.0,
        ge=0.0,
        le=3_600.0,
        description="how long the eraser waits after a forget for more to join its run (one rebuild "
        "per affected type for all of them)",
    )
    retry_max_s: float = Field(
        default=60.0, gt=0.0, le=3_600.0, description="the longest pause between retries of a failed erasure"
    )
    ledger_copy: Path | None = Field(
        default=None,
        description="a second erasure ledger, on a volume other than the data dir's: each forget is "
        "appended there too before anything is removed, so that losing the data dir does not lose "
        "what was forgotten (`mnemo restore` replays it)",
    )

    @model_validator(mode="after")
    def _batch_within_bound(self) -> ErasureConfig:
        if self.batch_s >= self.erase_within_s:
            raise ValueError("batch_s must be shorter than erase_within_s")
        return self


@dataclass(frozen=True)
class Scheduled:
    """What a forget's receipt says of its erasure."""

    erase_by: datetime | None
    erasure: dict[str, str]  # per store: "scheduled", "erased", "failed", "not_ours", "unsupported"
    erased: bool | None


class BackgroundEraser:
    """Pending erasures, their record in the data dir, and the task that carries them out."""

    def __init__(
        self,
        erasers: dict[str, Eraser],
        state_dir: Path,
        config: ErasureConfig | None = None,
        outside: dict[str, str] | None = None,
        on_outcome: Callable[[str, str], None] | None = None,
    ) -> None:
        """`on_outcome`: told of each store's outcome of a run (the app's metrics): store, outcome."""
        self.erasers = erasers
        self.outside = dict(outside or {})  # stores with nothing to erase here, and why ("not_ours")
        self.config = config or ErasureConfig()
        self.path = state_dir / STATE_FILE
        self._types: set[str] = set()
        self._receipts: dict[str, dict[str, Any]] = {}  # digest -> tenant, erase_by, failures
        self._done: dict[str, dict[str, Any]] = {}  # digest -> tenant, erased_at, erasure
        self._running: dict[str, dict[str, Any]] = {}  # the receipts the run under way covers
        self._recording: dict[str, dict[str, Any]] = {}  # on disk, their forget still removing
        self._waiters: dict[str, list[asyncio.Future[dict[str, str]]]] = {}
        self._wake, self._now = asyncio.Event(), asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()  # one run at a time: each rewrites whole stores
        self._writing = asyncio.Lock()  # one writer of the record at a time
        self.runs = 0  # runs carried out (each: every eraser once, over every pending type)
        self.on_outcome = on_outcome

    # -- the record ------------------------------------------------------------------------------

    def load(self) -> None:
        """Read the record a previous run left (a crash: its pending erasures come first)."""
        try:
            state = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError):
            # Unreadable: every type is erased to be safe (a rebuild of a clean type changes nothing).
            log.warning("the erasure record %s is unreadable: erasing every type", self.path)
            self._types = {t.value for t in MemoryType}
            return
        self._types = set(state.get("types", [])) & {t.value for t in MemoryType}
        self._receipts = dict(state.get("receipts", {}))
        self._done = dict(state.get("done", {}))
        if self._types or self._receipts:
            log.warning(
                "erasure pending from the last run (%s): erasing it first", ", ".join(sorted(self._types))
            )

    async def _write(self) -> None:
        """The record, replaced atomically and fsynced (file and dir) before the caller answers; its
        text is made here, on the loop, so no thread reads the dicts while they change."""
        pending = {**self._recording, **self._running, **self._receipts}
        types = sorted(
            self._types.union(*(r["types"] for r in [*self._running.values(), *self._recording.values()]))
        )
        text = json.dumps({"types": types, "receipts": pending, "done": self._done})
        async with self._writing:
            await asyncio.to_thread(self._replace, text)

    def _replace(self, text: str) -> None:
        """`text` as the record, never half of it: written aside, fsynced, renamed over the old one,
        the directory fsynced. The engines' files are replaced so by `backends/group_flush.py`'s
        `replace_whole`, which the write side cannot import (ingest, retrieval and backends stand
        side by side: the layers contract), and the rooms below them do no file I/O."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.path)
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    # -- what a forget calls ---------------------------------------------------------------------

    async def record(self, tenant: str, digest: str, memory_types: Sequence[MemoryType]) -> None:
        """Before a forget removes anything: its erasure is on disk (a full disk refuses the forget
        with 507, nothing removed). Not run before `release`: a run now would precede the removal."""
        if not self.erasers:
            return
        erase_by = receipt_time(utcnow() + timedelta(seconds=self.config.erase_within_s))
        types = sorted({t.value for t in memory_types})
        self._recording[digest] = {"tenant": tenant, "erase_by": erase_by, "types": types, "failures": 0}
        try:
            await self._write()
        except OSError as exc:
            self._recording.pop(digest, None)
            log.error(
                "erasure: recording a forget's erasure in %s failed (%s)", self.path, type(exc).__name__
            )
            raise InsufficientStorage(
                "a forget's erasure cannot be recorded in the data dir: nothing was removed"
            ) from exc

    def release(self, digest: str) -> None:
        """The forget's removal is done (or gave up half-way): its erasure may run now."""
        record = self._recording.pop(digest, None)
        if record is not None:
            self._receipts[digest] = record
            self._types.update(record["types"])
            self._wake.set()

    async def outcome(self, digest: str, *, wait: bool = False) -> Scheduled:
        """What the receipt says: the erasure scheduled by `erase_by`, or, with `wait`, how its run
        went (the run starts at once, after one already under way)."""
        record = self._pending(digest)
        if record is None:
            return Scheduled(None, dict(self.outside), False if self.outside else None)
        at = datetime.fromisoformat(record["erase_by"])
        if not wait:
            return Scheduled(at, {s: "scheduled" for s in self.erasers} | self.outside, False)
        waiter: asyncio.Future[dict[str, str]] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(digest, []).append(waiter)
        self._now.set()
        erasure = await waiter | self.outside
        return Scheduled(at, erasure, all(v == "erased" for v in erasure.values()))

    def status(self, tenant: str, digest: str) -> dict[str, Any] | None:
        """A receipt's erasure: `scheduled` (with `erase_by`, failures so far) or `erased` (when,
        and per store); None when unknown, or another tenant's."""
        for state, record in (("erased", self._done.get(digest)), ("scheduled", self._pending(digest))):
            if record is not None and record["tenant"] == tenant:
                return {
                    "digest": digest,
                    "state": state,
                    **{k: v for k, v in record.items() if k != "tenant"},
                }
        return None

    @property
    def pending(self) -> int:
        """Forgets whose erasure has not run yet (or failed, to be retried)."""
        return len(self._recording) + len(self._running) + len(self._receipts)

    def _pending(self, digest: str) -> dict[str, Any] | None:
        return self._receipts.get(digest) or self._running.get(digest) or self._recording.get(digest)

    # -- the background task ---------------------------------------------------------------------

    def start(self) -> None:
        if self._types or self._receipts:
            self._wake.set()
            self._now.set()  # left by a crash: no batching window
        self._task = asyncio.create_task(self._erase_in_background())

    async def _erase_in_background(self) -> None:
        pause = 1.0
        while True:
            await self._wake.wait()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._now.wait(), self.config.batch_s)
            self._wake.clear()
            self._now.clear()
            if await self.run_once():
                pause = 1.0
                continue
            log.warning("erasure failed; retrying in %.0f s", pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, self.config.retry_max_s)
            self._wake.set()
            self._now.set()

    async def run_once(self) -> bool:
        """Every eraser once over every pending type; True when none failed (or nothing pended)."""
        async with self._lock:
            if not self._types and not self._receipts:
                return True
            memory_types = [MemoryType(t) for t in sorted(self._types)]
            self._running, self._receipts, self._types = self._receipts, {}, set()
            outcome: dict[str, str] = {}
            for store, erase in self.erasers.items():
                try:
                    outcome[store] = await erase(memory_types)
                except Exception as exc:  # the type of error only: a message could quote content
                    log.error("erasure: %s failed (%s)", store, type(exc).__name__)
                    outcome[store] = "failed"
                if outcome[store] == "failed":
                    log.warning("erasure: %s failed to rewrite its files", store)
                if self.on_outcome is not None:
                    self.on_outcome(store, outcome[store])
            self.runs += 1
            failed = any(v == "failed" for v in outcome.values())
            covered, self._running = self._running, {}
            if failed:  # pending again, as it was, with one failure more each
                for digest, record in covered.items():
                    self._receipts.setdefault(digest, {**record, "failures": record["failures"] + 1})
                self._types.update(t.value for t in memory_types)
            else:
                erased_at = receipt_time(utcnow())
                for digest, record in covered.items():
                    self._done[digest] = {
                        "tenant": record["tenant"],
                        "erased_at": erased_at,
                        "erasure": outcome,
                    }
                while len(self._done) > KEPT_DONE:
                    self._done.pop(next(iter(self._done)))
            try:
                await self._write()
            except OSError as exc:  # the record on disk still lists them: erased again next start
                log.error("erasure: updating %s failed (%s)", self.path, type(exc).__name__)
            for digest in covered:
                for waiter in self._waiters.pop(digest, []):
                    if not waiter.done():
                        waiter.set_result(outcome)
            log.info(
                "erasure run %d: %s over %s", self.runs, outcome, ", ".join(t.value for t in memory_types)
            )
            return not failed

    async def close(self) -> None:
        """Stop the task, then erase what is pending once more (a clean stop leaves no text behind;
        a failure stays in the record for the next start)."""
        if self._task is not None:
            async with self._lock:  # a run under way finishes (a rebuild is not cut short)
                [ended] = await cancel_all([self._task])
            self._task = None
            if ended is not None and not isinstance(ended, asyncio.CancelledError):
                log.error("the background eraser had stopped (%s)", type(ended).__name__)
        if self.erasers and not await self.run_once():
            log.error("erasure still pending at shutdown: it runs at the next start")
