"""The stores' upkeep outside a request: HNSW builds after a bulk load or at start-up, and how a
forget's erasure reaches each store's files."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from ...backends.redis.client import RedisGateway
from ...backends.redis.persistence import rewrite_files
from ...backends.transfer.server_copies import ServerCopies
from ...ingest.erasure import BackgroundEraser, Eraser
from ...memtypes.ports import VectorIndex
from ...memtypes.types import MemoryType
from ..config.settings import Settings

log = logging.getLogger("mnemo.services")


async def start_pending_builds(index: VectorIndex, min_backlog: int = 5_000) -> None:
    """At start-up: build pending HNSW indexes in the background, off the serving path (Qdrant Edge
    rebuilds a shard in a child process and swaps it in), so the service is ready at once; a shard
    written with an older layout is rewritten the same way (backends/qdrant_edge/layout.py)."""
    maintenance = index.maintenance()
    if maintenance is None:
        return
    started = await maintenance.build_in_background(min_backlog)
    if started:
        log.info("rebuilding the shards of %s in the background", ", ".join(mt.value for mt in started))


async def build_pending_indexes(index: VectorIndex, min_backlog: int = 5_000) -> None:
    """Build pending HNSW indexes now, blocking: after a bulk load (`mnemo ingest`, `mnemo import`).

    In-process: qdrant-edge-py holds the GIL for a whole `optimize()`, so nothing else of this
    process runs meanwhile; a serving process uses `start_pending_builds` instead.
    """
    maintenance = index.maintenance()
    if maintenance is None:
        return
    backlog = await maintenance.index_backlog()
    if backlog >= min_backlog:
        log.info("building HNSW indexes for %d unindexed vectors before serving", backlog)
        await maintenance.optimize()


def eraser_for(
    settings: Settings,
    index: VectorIndex,
    redis: RedisGateway,
    backups: ServerCopies,
    on_outcome: Callable[[str, str], None] | None = None,
) -> BackgroundEraser:
    """How a forget erases the removed text from each store's files (ingest/erasure.py); a store whose
    files are not in the data dir has nothing to erase there, and the receipt says why. `on_outcome`
    is told each store's outcome of each run (store, outcome)."""
    maintenance = index.maintenance()
    erasers: dict[str, Eraser] = {}
    outside: dict[str, str] = {}
    if maintenance is not None:
        erasers["qdrant"] = maintenance.erase_deleted
    else:  # a Qdrant server's files are its own; qdrant-client's local mode has no way
        outside["qdrant"] = "not_ours" if settings.qdrant.url else "unsupported"
    if redis.embedded is not None:

        async def redis_files(_: Sequence[MemoryType]) -> str:
            return await rewrite_files(redis)

        erasers["redis"] = redis_files
    else:
        outside["redis"] = "not_ours"

    async def backup_copies(_: Sequence[MemoryType]) -> str:
        # Taken before the forget, they may hold what it removed; a transfer under way ends first.
        await backups.drop_all_after_transfers()
        return "erased"

    erasers["backups"] = backup_copies
    eraser = BackgroundEraser(erasers, settings.data_dir, settings.forget, outside, on_outcome)
    eraser.load()
    return eraser
