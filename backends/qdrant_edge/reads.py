"""The read side of `EdgeVectorIndex` (backends/qdrant_edge/index.py): get, scroll, count, searches and
neighbour lookups, with payloads read through the index's `PayloadCache`, and validity conditions
sent only where its `ValiditySpans` say they may leave something out.

Edge blocks, and holds the GIL for the whole call: searches, neighbour lookups and small reads
(payloads, the few vectors the newer-first lift compares) run on the caller's thread (a worker
thread would not let anything else run meanwhile), the rest in a worker thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

from qdrant_edge import (
    CountRequest,
    EdgeShard,
    Query,
    QueryBatchRequest,
    QueryRequest,
    ScrollRequest,
    SearchParams,
)

from ...memtypes.errors import MnemoError, TypeUnavailable
from ...memtypes.queries import MemoryFilter, NeighbourRequest, ScoredPoint, SearchRequest, StoredPoint
from ...memtypes.types import MemoryType
from ..qdrant.planner import scored_hits, serial_per_type
from ..qdrant.schema import DENSE, SPARSE, canonical_ids, dense_vector
from .payload_cache import PayloadCache, id_text
from .validity_spans import ValiditySpans
from .vocabulary import EDGE_PLANNER as PLAN

# Reads of up to this many ids (payloads, vectors) run on the caller's thread, like a search's own
# (a search at 100k memories reads a few hundred hits' payloads); a worker thread would run nothing
# else meanwhile (the binding holds the GIL) and only add two hand-offs, and under concurrency let
# the other retrievals' work in ahead of the rest of this one (with concurrent clients, the
# reserve's read in a thread lengthened the search stage's tail). Larger reads (exports, forgets)
# stay in one.
INLINE_GET = 256

K = TypeVar("K")
P = TypeVar("P", ScoredPoint, StoredPoint)
R = TypeVar("R", SearchRequest, NeighbourRequest)
T = TypeVar("T")
_SMAPS = Path("/proc/self/smaps")
_MEMINFO = Path("/proc/meminfo")
_SMAPS_HEADER = re.compile(r"^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$")


def warm_dense_vectors(shard: EdgeShard, dimension: int) -> None:
    """Touch every stored dense vector once (one exact search), so that searches in this process
    find their vectors' pages mapped.

    Edge memory-maps the dense vectors and, where the kernel lets it, maps them all in as it loads
    the shard (then this is not needed: `not_mapped_in`). Otherwise each process maps a
    page on first touch, and an HNSW search visits a few thousand scattered vectors, so until most
    of a large shard had been touched every new query paid for mapping them: a fresh server's
    searches for questions it had not seen took over twice the engine time of the same questions
    asked again, and after this scan (at open) little more (benchmarks/README.md). A shard opened in
    this process later (a rebuild's) is not warmed: the scan would hold the GIL that long mid-serving."""
    probe = [1.0] + [0.0] * (dimension - 1)
    shard.query(
        QueryRequest(
            limit=1,
            query=Query.Nearest(probe, using=DENSE),
            params=SearchParams(exact=True),
            with_payload=False,
            with_vector=False,
        )
    )


# What a retrieval reads from a shard's files at random, page by page: the HNSW graphs and the BM25
# inverted index (vector_index-*), the BM25 vectors, the filters' payload indexes, the payloads and
# the id mappings. Not the dense vectors (mapped in at load: `not_mapped_in`) or the write-ahead log.
READ_PATH_FILES = (
    "vector_index-",
    f"vector_storage-{SPARSE}",
    "payload_index",
    "payload_storage",
    "id_tracker",
)


def read_path_files(shard_dir: Path) -> list[Path]:
    """The files of the shard's segments that retrievals read (`READ_PATH_FILES`)."""
    found = []
    for segment in shard_dir.glob("segments/*"):
        for path in segment.rglob("*"):
            top = path.relative_to(segment).parts[0]
            if top.startswith(READ_PATH_FILES) and path.is_file():
                found.append(path)
    return found


def prefetch_read_path(shard_dirs: Iterable[Path], meminfo: Path = _MEMINFO) -> int:
    """Ask the kernel to read what retrievals read of these shards into the page cache, in the
    background (readahead): the first touch of each page on a request's path is then a minor fault,
    not a disk read. After a start on a cold page cache (a reboot, a restore, a page cache that
    dropped the files) a retrieval's first reads of mapped payloads and graph pages each waited for
    the disk. The page cache, not the process, holds them: they count in no RSS until read, and the
    kernel may drop them again under pressure. Not where they would take more than half of the
    memory available (they would only push each other out). Answers the bytes asked for (0 where
    the platform has no posix_fadvise)."""
    if not hasattr(os, "posix_fadvise"):
        return 0
    files = [(path, path.stat().st_size) for shard_dir in shard_dirs for path in read_path_files(shard_dir)]
    total = sum(size for _, size in files)
    available = _available_bytes(meminfo)
    if available is not None and total > available // 2:
        return 0
    for path, _ in files:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:  # a file a rebuild just replaced: the next open prefetches its successor
            continue
        try:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        except OSError:
            pass
        finally:
            os.close(fd)
    return total


def _available_bytes(meminfo: Path) -> int | None:
    """MemAvailable of /proc/meminfo (None where it cannot be read)."""
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def indexed_vector_files(shard_dir: Path) -> dict[str, int]:
    """The dense vector files of the shard's indexed segments (a rebuild leaves every vector in
    one), by resolved path, with their sizes."""
    found = shard_dir.glob(f"segments/*/vector_storage-{DENSE}/matrix.dat")
    return {str(f.resolve()): f.stat().st_size for f in found}


def resident_bytes(files: Collection[str], smaps: Path = _SMAPS) -> dict[str, int] | None:
    """Bytes of each of these files resident in this process, over all its mappings of it; None
    where this cannot be read (no /proc). Reading smaps walks the process's page tables, slow for a
    large process, so it is read once for all shards."""
    try:
        text = smaps.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    resident: dict[str, int] = {}
    current = ""
    for line in text.splitlines():
        if header := _SMAPS_HEADER.match(line):  # "start-end perms offset dev inode path"
            current = str(header.group(1))
        elif current in files and line.startswith("Rss:"):
            resident[current] = resident.get(current, 0) + int(line.split()[1]) * 1024
    return resident


def not_mapped_in(shard_dirs: Mapping[K, Path], smaps: Path = _SMAPS) -> list[K]:
    """The shards whose indexed dense vectors this process does not hold in memory yet, and so
    must warm (`warm_dense_vectors`).

    Edge 0.9 maps them all in when it loads a shard (measured on Linux 6.18: a 1M store's vectors
    resident right after the load, first-time questions no slower than repeated ones). The exact
    scan of `warm_dense_vectors` maps the same file a second time, so after it the vectors counted
    twice in the service's RSS (benchmarks/README.md, engine notes). Where smaps cannot be
    read, every shard with indexed vectors is warmed, as before."""
    files = {key: indexed_vector_files(path) for key, path in shard_dirs.items()}
    files = {key: found for key, found in files.items() if found}
    if not files:
        return []
    resident = resident_bytes({f for found in files.values() for f in found}, smaps)
    if resident is None:
        return list(files)
    return [
        key
        for key, found in files.items()
        if sum(resident.get(f, 0) for f in found) < 0.9 * sum(found.values())
    ]


def _stored(point_id: str, score: float, payload: dict[str, Any]) -> StoredPoint:
    return StoredPoint(point_id, payload)


class EdgeReads:
    """Mixed into `EdgeVectorIndex`, which owns the shards and the cache."""

    payloads: PayloadCache
    spans: ValiditySpans
    unreadable: dict[MemoryType, frozenset[str]]

    def _shard(self, memory_type: MemoryType) -> EdgeShard:
        raise NotImplementedError

    @contextlib.contextmanager
    def _engine_read(self, memory_type: MemoryType) -> Iterator[None]:
        """An engine error on a read (a payload that does not decode or read: a damaged file, a
        record from before a limit) is a 503 naming the type, not a 500; retrieval then serves the
        other types (retrieval/pipeline.py)."""
        try:
            yield
        except MnemoError:
            raise
        except Exception as exc:
            reason = " ".join(str(exc).split())[:300]
            raise TypeUnavailable(
                detail=f"the {memory_type.value} memory store could not be read: {reason}",
                dependency="qdrant_edge",
                memory_type=memory_type.value,
            ) from exc

    def _guarded(self, read: Callable[[MemoryType, list[R]], T]) -> Callable[[MemoryType, list[R]], T]:
        """`read` of one type's shard, its engine errors as `_engine_read` says."""

        def guarded(memory_type: MemoryType, requests: list[R]) -> T:
            with self._engine_read(memory_type):
                return read(memory_type, requests)

        return guarded

    async def get(
        self, memory_type: MemoryType, ids: Sequence[str], *, with_vector: bool = False
    ) -> list[StoredPoint]:
        with self._engine_read(memory_type):
            return await self._get(memory_type, ids, with_vector=with_vector)

    async def _get(
        self, memory_type: MemoryType, ids: Sequence[str], *, with_vector: bool = False
    ) -> list[StoredPoint]:
        point_ids = canonical_ids(ids)
        if unreadable := self.unreadable.get(memory_type):  # a degraded shard serves what it can read
            point_ids = [i for i in point_ids if i not in unreadable]
        if not point_ids:
            return []
        shard = self._shard(memory_type)
        if self.payloads.enabled:
            read = partial(self._cached_points, shard, memory_type, point_ids, with_vector)
            # As a search reads its hits' payloads, on this thread: the newer-first lift reads a few
            # hits' vectors in every retrieval, and a hand-off to a worker thread runs nothing else.
            return read() if len(point_ids) <= INLINE_GET else await asyncio.to_thread(read)
        # `with_vector` is positional-required in the 0.9 binding, whatever the stubs say.
        records = await asyncio.to_thread(shard.retrieve, list(point_ids), True, with_vector)
        return [
            StoredPoint(str(r.id), r.payload or {}, dense_vector(r.vector) if with_vector else None)
            for r in records
        ]

    def _with_payloads(
        self,
        shard: EdgeShard,
        memory_type: MemoryType,
        results: list[list[Any]],
        generation: int,
        payload_limits: Sequence[int | None] | None = None,
        point: Callable[[str, float, dict[str, Any]], P] = ScoredPoint,  # type: ignore[assignment]
    ) -> list[list[P]]:
        """Each engine hit as `point(id, score, payload)`, the payload read for each result's first
        `payload_limits[k]` hits (None: all) and left empty past them. A point deleted between the
        query and the payload read is left out, as if the query had come after the delete. Each id
        is read from the engine's point once: the binding builds a `uuid.UUID` on every access,
        and a retrieval reads a few hundred hits. Built in one pass, straight into `point`s: this
        runs for every hit of every search."""
        hits = [[(id_text(p.id), p.score) for p in found] for found in results]
        limits = payload_limits or [None] * len(hits)
        heads = [len(found) if limit is None else limit for found, limit in zip(hits, limits, strict=True)]
        wanted = {i for found, head in zip(hits, heads, strict=True) for i, _ in found[:head]}
        payloads = self._cached_payloads(shard, memory_type, wanted, generation)
        out = []
        for found, head in zip(hits, heads, strict=True):
            row = [point(i, score, payloads[i]) for i, score in found[:head] if i in payloads]
            if head < len(found):
                row += [point(i, score, payloads.get(i, {})) for i, score in found[head:]]
            out.append(row)
        return out

    def _cached_points(
        self, shard: EdgeShard, memory_type: MemoryType, point_ids: list[str], with_vector: bool
    ) -> list[StoredPoint]:
        """The points found, payloads from the cache; vectors, where asked, from the engine alone
        (a point deleted between the two reads is left out)."""
        payloads = self._cached_payloads(shard, memory_type, point_ids, self.payloads.generation(memory_type))
        if not with_vector:
            return [StoredPoint(i, payloads[i]) for i in point_ids if i in payloads]
        wanted: list[int | UUID | str] = [i for i in point_ids if i in payloads]
        records = shard.retrieve(wanted, False, True) if wanted else []
        return [
            StoredPoint(i, payloads[i], dense_vector(r.vector))
            for r in records
            if (i := id_text(r.id)) in payloads
        ]

    def _cached_payloads(
        self, shard: EdgeShard, memory_type: MemoryType, ids: Iterable[str], generation: int
    ) -> dict[str, dict[str, Any]]:
        """Payloads by id from the cache, the misses read from the engine (and cached, unless a
        write overlapped: `generation` was noted before the caller's engine reads began)."""
        payloads, missing = self.payloads.lookup(memory_type, ids)
        if missing:
            # `with_vector` is positional-required in the 0.9 binding, whatever the stubs say.
            wanted: list[int | UUID | str] = list(missing)
            read = {id_text(r.id): r.payload or {} for r in shard.retrieve(wanted, True, False)}
            self.payloads.store(memory_type, read, generation)
            payloads.update(read)
        return payloads

    async def scroll(
        self, memory_type: MemoryType, flt: MemoryFilter, limit: int, offset: str | None = None
    ) -> tuple[list[StoredPoint], str | None]:
        with self._engine_read(memory_type):
            return await self._scroll(memory_type, flt, limit, offset)

    async def _scroll(
        self, memory_type: MemoryType, flt: MemoryFilter, limit: int, offset: str | None
    ) -> tuple[list[StoredPoint], str | None]:
        shard = self._shard(memory_type)
        unreadable = self.unreadable.get(memory_type)
        with_payload = not unreadable
        request = ScrollRequest(
            offset=offset, limit=limit, filter=PLAN.filter(flt), with_payload=with_payload, with_vector=False
        )
        records, next_offset = await asyncio.to_thread(shard.scroll, request)
        if unreadable:  # a degraded shard: ids first, then the payloads that can be read
            ids = [str(r.id) for r in records if str(r.id) not in unreadable]
            found = await asyncio.to_thread(shard.retrieve, list[Any](ids), True, False) if ids else []
            payloads = {str(r.id): r.payload or {} for r in found}
            points = [StoredPoint(i, payloads[i]) for i in ids if i in payloads]
        else:
            points = [StoredPoint(str(r.id), r.payload or {}) for r in records]
        return points, None if next_offset is None else str(next_offset)

    async def count(self, memory_type: MemoryType, flt: MemoryFilter, *, exact: bool = True) -> int:
        shard = self._shard(memory_type)
        # In a thread even for an estimate: a write holding the segment's lock would stall the loop.
        with self._engine_read(memory_type):
            return await asyncio.to_thread(shard.count, CountRequest(exact=exact, filter=PLAN.filter(flt)))

    # Searches and neighbour lookups run on the calling (event loop) thread. The binding holds the
    # GIL for the whole call, so in a worker thread nothing else in the process ran meanwhile either;
    # the hop there and back only added two thread wake-ups a call. Every shard's batch in one go:
    # a thread per shard only added hand-offs (benchmarks/README.md, "Tried and left off").
    async def search(self, requests: Sequence[SearchRequest]) -> list[list[ScoredPoint]]:
        return self.search_blocking(requests)

    def search_blocking(self, requests: Sequence[SearchRequest]) -> list[list[ScoredPoint]]:
        """`search` on the calling thread (backends/qdrant_edge/process.py answers reads on its reader)."""
        return serial_per_type(requests, self._guarded(self._search_shard))

    def _with_spans(
        self,
        memory_type: MemoryType,
        requests: list[R],
        read: Callable[[EdgeShard, list[R], Sequence[bool]], list[list[P]]],
    ) -> list[list[P]]:
        """`read` of the requests, each with its validity conditions only where the type's spans
        say they may leave something out (validity_spans.py); asked again with them all if a write
        that may move a span began meanwhile."""
        shard = self._shard(memory_type)
        needed, seen = self.spans.needed(shard, memory_type, requests)
        found = read(shard, requests, needed)
        if seen is not None and not self.spans.still(memory_type, seen):
            found = read(self._shard(memory_type), requests, [True] * len(requests))
        return found

    def _search_shard(
        self, memory_type: MemoryType, requests: list[SearchRequest]
    ) -> list[list[ScoredPoint]]:
        return self._with_spans(memory_type, requests, partial(self._search_in, memory_type))

    def _search_in(
        self,
        memory_type: MemoryType,
        shard: EdgeShard,
        requests: list[SearchRequest],
        validity: Sequence[bool],
    ) -> list[list[ScoredPoint]]:
        if not self.payloads.enabled or any(r.with_vector for r in requests):
            batch = QueryBatchRequest(
                [PLAN.query(r, validity=v) for r, v in zip(requests, validity, strict=True)]
            )
            answers = shard.query_batch(batch)
            return [scored_hits(hits, r.payload_limit) for r, hits in zip(requests, answers, strict=True)]
        # Ids and scores from the engine; payloads from the cache, the misses read in this same hop
        # (past a request's `payload_limit`, not at all).
        generation = self.payloads.generation(memory_type)
        pairs = zip(requests, validity, strict=True)
        asked = [PLAN.query(r, with_payload=False, validity=v) for r, v in pairs]
        results = shard.query_batch(QueryBatchRequest(asked))
        if unreadable := self.unreadable.get(memory_type):  # a degraded shard serves what it can read
            results = [[hit for hit in hits if str(hit.id) not in unreadable] for hits in results]
        limits = [r.payload_limit for r in requests]
        return self._with_payloads(shard, memory_type, results, generation, limits)

    async def neighbours(self, requests: Sequence[NeighbourRequest]) -> list[list[StoredPoint]]:
        return self.neighbours_blocking(requests)

    def neighbours_blocking(self, requests: Sequence[NeighbourRequest]) -> list[list[StoredPoint]]:
        return serial_per_type(requests, self._guarded(self._neighbours_in_shard))

    def _neighbours_in_shard(
        self, memory_type: MemoryType, requests: list[NeighbourRequest]
    ) -> list[list[StoredPoint]]:
        return self._with_spans(memory_type, requests, partial(self._neighbours_in, memory_type))

    def _neighbours_in(
        self,
        memory_type: MemoryType,
        shard: EdgeShard,
        requests: list[NeighbourRequest],
        validity: Sequence[bool],
    ) -> list[list[StoredPoint]]:
        cached = self.payloads.enabled
        generation = self.payloads.generation(memory_type)
        pairs = zip(requests, validity, strict=True)
        asked = [PLAN.neighbours(r, with_payload=not cached, validity=v) for r, v in pairs]
        results = shard.query_batch(QueryBatchRequest(asked))
        if not cached:
            return [[StoredPoint(str(p.id), p.payload or {}) for p in hits] for hits in results]
        return self._with_payloads(shard, memory_type, results, generation, point=_stored)
