"""Each type's shard health on Qdrant Edge, and recovery from an engine error without a restart.

One state per type (`memtypes.ports.Availability`): healthy; degraded (reads serve what can be read,
writes are refused); unavailable (reads and writes refused) — each with a reason. `/ready` (503
naming the type), `/metrics` (`mnemo_memory_type_state`), writes (503 `type_unavailable` problem
details, never a 500 and never an acknowledgement of a write that may not be stored) and retrieval
(the other types are served, `metadata.degraded` names this one) all read it.

An engine error during a write or a flush of one type makes that type unavailable and starts a
recovery: with the type's writes held, the shard is closed and loaded again from its directory
(the write-ahead log replays whatever the failed flush had not persisted), retried with backoff.
Found on qdrant-edge-py 0.9: a flush that fails ("Tracker journal … is shorter than expected")
fails again on every later flush of the same shard object, while a fresh load of the same files
serves and flushes again (tests/backends/test_type_health.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from qdrant_edge import EdgeShard

from ...memtypes.background import cancel_all
from ...memtypes.errors import MnemoError, TypeUnavailable
from ...memtypes.ports import Availability, TypeAvailability
from ...memtypes.types import MemoryType
from .manifest import (
    Finding,
    check_loaded,
    check_missing,
    check_structure,
    measure,
    read_manifest,
    write_manifest,
)
from .manifest import (
    segments_of as measure_segments,
)
from .payload_cache import PayloadCache
from .validity_spans import ValiditySpans
from .writes import WriteGates

log = logging.getLogger("mnemo.edge_health")
_HEALTHY = TypeAvailability()
# Reopen attempts back off up to this (a damaged dir does not heal by itself: doctor or a restore).
_MAX_BACKOFF_S = 30.0
_FIRST_BACKOFF_S = 0.5
_DEPENDENCY = "qdrant_edge"


class TypeStates:
    """The availability of each type's shard (a type never marked is healthy)."""

    def __init__(self) -> None:
        self._states: dict[MemoryType, TypeAvailability] = {}

    def of(self, memory_type: MemoryType) -> TypeAvailability:
        return self._states.get(memory_type, _HEALTHY)

    def mark(self, memory_type: MemoryType, state: Availability, reason: str | None = None) -> None:
        before = self.of(memory_type)
        now = TypeAvailability(state, reason if state is not Availability.HEALTHY else None)
        if now == before:
            return
        if state is Availability.HEALTHY:
            self._states.pop(memory_type, None)
            log.warning(
                "%s store is healthy again (was %s: %s)", memory_type.value, before.state, before.reason
            )
        else:
            self._states[memory_type] = now
            log.error("%s store is %s: %s", memory_type.value, state.value, reason)

    def not_healthy(self) -> dict[str, TypeAvailability]:
        return {mt.value: state for mt, state in self._states.items()}

    def check_read(self, memory_type: MemoryType) -> None:
        state = self.of(memory_type)
        if state.state is Availability.UNAVAILABLE:
            raise _refusal(memory_type, state, "read")

    def check_write(self, memory_type: MemoryType) -> None:
        state = self.of(memory_type)
        if state.state is not Availability.HEALTHY:
            raise _refusal(memory_type, state, "written")


def _refusal(memory_type: MemoryType, state: TypeAvailability, what: str) -> TypeUnavailable:
    return TypeUnavailable(
        detail=f"the {memory_type.value} memory store is {state.state.value} and cannot be {what} "
        f"now: {state.reason}",
        dependency=_DEPENDENCY,
        retry_after_s=5,
        memory_type=memory_type.value,
    )


class ShardRecovery:
    """`EdgeVectorIndex`'s containment of engine errors (a mixin sharing the index's state)."""

    states: TypeStates
    writes: WriteGates
    payloads: PayloadCache
    spans: ValiditySpans
    _closing: bool
    _shards: dict[MemoryType, EdgeShard]
    _optimize_locks: dict[MemoryType, asyncio.Lock]
    _recoveries: dict[MemoryType, asyncio.Task[None]]

    data_dir: Path
    prefix: str
    verify_on_open: bool
    unreadable: dict[MemoryType, frozenset[str]]
    known_types: set[str]  # the types the store had when it was opened (manifest.store_types)

    def shard_path(self, memory_type: MemoryType) -> Path:
        raise NotImplementedError

    def _drop_cached(self, memory_type: MemoryType) -> None:
        """Forget what was read off the type's shard (payloads, validity spans): a shard opened,
        reopened or swapped in may hold other points, and nothing read outlives its shard."""
        self.payloads.invalidate(memory_type)
        self.spans.forget(memory_type)

    def _load_shard(self, path: Path) -> EdgeShard:
        raise NotImplementedError

    def _open_shard(self, path: Path) -> EdgeShard:
        raise NotImplementedError

    # -- at open and close: the manifest (manifest.py) -------------------------------------------

    def _open_checked(self, memory_type: MemoryType) -> EdgeShard | None:
        """Open the type's shard unless the manifest shows it damaged (then None: unavailable, and
        nothing is created in its place); mark the type's state from what the checks found."""
        path = self.shard_path(memory_type)
        manifest = read_manifest(self.data_dir, self.prefix, memory_type)
        finding = check_structure(manifest, path)
        if finding.state is Availability.HEALTHY:
            finding = check_missing(self.known_types, self.prefix, memory_type, manifest, path)
        shard = None
        if finding.state is Availability.HEALTHY:
            shard = self._open_shard(path)
            try:
                if self.verify_on_open:
                    finding = check_loaded(manifest, shard, path, self.prefix)
            except BaseException:
                shard.close()
                raise
        self.states.mark(memory_type, finding.state, finding.reason)
        self.unreadable[memory_type] = frozenset(finding.unreadable)
        if shard is not None and finding.state is Availability.UNAVAILABLE:
            shard.close()
            return None
        if shard is not None:  # from here a crash leaves it unclean: the count may then differ
            self._note_open(memory_type, shard, path, finding)
        return shard

    def _note_open(self, memory_type: MemoryType, shard: EdgeShard, path: Path, finding: Finding) -> None:
        manifest = read_manifest(self.data_dir, self.prefix, memory_type)
        if manifest is None:
            manifest = measure(shard, path, self.prefix, memory_type, clean=False)
        else:
            points = int(shard.info().points_count)
            manifest = dataclasses.replace(manifest, shard_dir=path.name, points=points, clean=False)
            manifest.segments = measure_segments(path)
        write_manifest(self.data_dir, self.prefix, manifest)

    def _note_closed(self, memory_type: MemoryType, shard: EdgeShard, flushed: bool) -> None:
        """After the final flush: what the shard holds, clean if the flush and the type were sound."""
        clean = flushed and self.states.of(memory_type).state is Availability.HEALTHY
        try:
            manifest = measure(shard, self.shard_path(memory_type), self.prefix, memory_type, clean=clean)
            write_manifest(self.data_dir, self.prefix, manifest)
        except Exception:
            log.exception("writing the %s manifest at close failed", memory_type.value)

    @contextlib.asynccontextmanager
    async def _engine_call(self, memory_type: MemoryType, what: str) -> AsyncIterator[None]:
        """Around a write's or a flush's engine calls: an engine error makes the type unavailable,
        starts its recovery and reaches the caller as a 503 (`TypeUnavailable`), never as a 500."""
        self.states.check_write(memory_type)
        try:
            yield
        except (MnemoError, asyncio.CancelledError):
            raise
        except Exception as exc:
            reason = f"engine error during a {what}: {_short(exc)}; reopening the shard"
            self.engine_failed(memory_type, reason)
            raise _refusal(memory_type, self.states.of(memory_type), "written") from exc

    def engine_failed(self, memory_type: MemoryType, reason: str) -> None:
        self.states.mark(memory_type, Availability.UNAVAILABLE, reason)
        if self._closing or memory_type in self._recoveries:
            return
        task = asyncio.create_task(self._recover(memory_type))
        self._recoveries[memory_type] = task
        task.add_done_callback(lambda _: self._recoveries.pop(memory_type, None))

    async def _recover(self, memory_type: MemoryType) -> None:
        backoff = _FIRST_BACKOFF_S
        while not self._closing:
            try:
                await self._reopen(memory_type)
            except Exception as exc:  # the reason stays visible in /ready; try again later
                reason = f"reopening the shard failed: {_short(exc)}; retrying in {backoff:.1f} s"
                self.states.mark(memory_type, Availability.UNAVAILABLE, reason)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, _MAX_BACKOFF_S)
                continue
            self.states.mark(memory_type, Availability.HEALTHY)
            return

    async def _reopen(self, memory_type: MemoryType) -> None:
        """Close the type's shard and load it again, with no write of the type running (a rebuild,
        holding the optimize lock, finishes or fails first)."""
        async with self._optimize_locks[memory_type], self.writes.shut(memory_type):
            if self._closing:
                return
            # Out of the map first: a closed shard must never be used again, even if loading fails.
            old = self._shards.pop(memory_type, None)
            if old is not None:
                with contextlib.suppress(Exception):  # its flush failing is why we are here
                    await asyncio.to_thread(old.close)
            path = self.shard_path(memory_type)
            fresh = await asyncio.to_thread(self._load_shard, path)
            try:
                await asyncio.to_thread(fresh.flush)  # proves the store writable again
            except BaseException:
                await asyncio.to_thread(fresh.close)
                raise
            self._shards[memory_type] = fresh
            self._drop_cached(memory_type)
            log.warning("%s: shard reopened from %s", memory_type.value, path)

    async def wait_for_recoveries(self) -> None:
        """Until every recovery running now is done (tests)."""
        await asyncio.gather(*self._recoveries.values(), return_exceptions=True)

    async def stop_recoveries(self) -> None:
        await cancel_all(list(self._recoveries.values()))


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300] or type(exc).__name__
