"""`mnemo doctor`: find, and with `fix` remove, what a Qdrant Edge store cannot read back.

A record the engine cannot decode (metadata nested 127 levels deep, once accepted at the door:
Edge's serde_json stops at 128) makes every read of its shard fail, and even deleting it fails (the
delete reads the old payload to update the payload indexes). The way out, found on the engine:

1. A shard whose write-ahead log holds such an entry does not load at all ("Can't deserialize
   entry"). With durable writes (the default) every acknowledged write was flushed into the
   segments before it was acknowledged, so the WAL holds nothing the segments lack: it is moved
   aside (`wal.doctor-<time>`, kept, never deleted) and the shard loads from its segments.
2. Point ids are listed without payloads (that read never decodes one); payloads are read in
   batches, and a failing batch one point at a time, to name the unreadable points.
3. The shard is rebuilt: every readable record (payload and vectors) is copied into a fresh shard,
   which takes the old one's place; the old shard is kept beside it (`<shard>.doctor-<time>`), so
   nothing is destroyed, the unreadable records included.

Damage to the store itself is found against each type's manifest (manifest.py): a missing shard
or segment dir, records missing since the last clean shutdown. `fix` accepts the loss (the manifest
is rewritten to what is there, or removed when the whole dir is gone) so the type serves again;
restoring a backup (`mnemo restore`) is the way to get the records back.

It works on a stopped store: a running mnemo holds each shard's lock (layout.py), and doctor takes it.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qdrant_edge import EdgeShard, Point, UpdateOperation

from ...memtypes.ports import Availability
from ...memtypes.types import MemoryType
from ..qdrant.schema import DENSE
from ..storage_reserve import StorageReserve
from .index import EdgeVectorIndex
from .layout import CONFIG_FILE, base_name, live_shard_dir, lock_shard, unlock_shard
from .manifest import (
    all_ids,
    check_loaded,
    check_missing,
    check_structure,
    manifest_path,
    measure,
    read_manifest,
    store_types,
    write_known_types,
    write_manifest,
)

log = logging.getLogger("mnemo.doctor")
_BATCH = 256  # records copied per engine call when rebuilding


@dataclass
class ShardReport:
    memory_type: MemoryType
    points: int = 0
    unreadable: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    wal_set_aside: Path | None = None
    backup: Path | None = None  # the shard as it was, when it was rebuilt without unreadable records
    error: str | None = None  # damage found (the manifest's records or segments missing, …)
    fixed: str | None = None  # what `--fix` did about `error`


def stored_dimension(shard_dir: Path) -> int:
    config = json.loads((shard_dir / CONFIG_FILE).read_text(encoding="utf-8"))
    return int(config["vectors"][DENSE]["size"])


def _load(index: EdgeVectorIndex, path: Path, report: ShardReport, fix: bool) -> EdgeShard | None:
    try:
        return index._load_shard(path)
    except Exception as exc:
        if "wal" not in str(exc).lower():
            report.error = str(exc)
            return None
        if not fix:
            report.error = f"the write-ahead log cannot be read ({exc}); `--fix` sets it aside"
            return None
    aside = path / f"wal.doctor-{time.strftime('%Y%m%dT%H%M%S')}"
    shutil.move(str(path / "wal"), str(aside))
    report.wal_set_aside = aside
    log.warning("%s: unreadable write-ahead log moved to %s", path.name, aside)
    return index._load_shard(path)


def _rebuild(index: EdgeVectorIndex, shard: EdgeShard, path: Path, ids: list[str], bad: set[str]) -> Path:
    """Copy every readable record into a fresh shard that takes `path`'s place; the old shard is
    kept beside it (returned). Deleting in place is not enough: a delete reads the old payload, and
    after the WAL was set aside the engine skips operations numbered below a point's version."""
    fresh = path.with_name(f"{path.name}.doctor-new")
    if fresh.exists():
        shutil.rmtree(fresh)  # left by an interrupted run: only ever a partial copy
    target = index._open_shard(fresh)
    try:
        keep = [i for i in ids if i not in bad]
        for start in range(0, len(keep), _BATCH):
            records = shard.retrieve(list[Any](keep[start : start + _BATCH]), True, True)
            points = [Point(str(r.id), r.vector or {}, r.payload or {}) for r in records]
            target.update(UpdateOperation.upsert_points(points))
        target.flush()
    finally:
        target.close()
    shard.close()
    backup = path.with_name(f"{path.name}.doctor-{time.strftime('%Y%m%dT%H%M%S')}")
    path.rename(backup)
    fresh.rename(path)
    return backup


def examine(data_dir: Path, prefix: str, fix: bool = False) -> list[ShardReport]:
    """Examine every shard of the Edge store under `data_dir` (its `qdrant` dir); `fix` repairs.
    On tmpfs, without room for its files, InsufficientStorage before anything is opened."""
    StorageReserve(data_dir, 0, "store").back_mapped_files(data_dir)  # a read there takes space
    reports: list[ShardReport] = []
    for memory_type in MemoryType:
        report = ShardReport(memory_type)
        reports.append(report)
        # A running mnemo holds the lock: loading its shard here would break its next flush.
        descriptor = lock_shard(data_dir, base_name(prefix, memory_type))
        try:
            _examine_type(data_dir, prefix, memory_type, report, fix)
        finally:
            unlock_shard(descriptor)
    return reports


def _examine_type(
    data_dir: Path, prefix: str, memory_type: MemoryType, report: ShardReport, fix: bool
) -> None:
    path = live_shard_dir(data_dir, prefix, memory_type)
    manifest = read_manifest(data_dir, prefix, memory_type)
    structure = check_structure(manifest, path)
    if structure.state is Availability.UNAVAILABLE:
        report.error = structure.reason
        if fix and not path.exists():  # accept the loss: the type starts empty next time
            known = store_types(data_dir, prefix)
            manifest_path(data_dir, prefix, memory_type).unlink()
            write_known_types(data_dir, prefix, known - {memory_type.value})
            report.fixed = "manifest removed: the type starts empty"
            return
        if fix:
            report.fixed = "what the remaining segments hold is accepted"
    known = store_types(data_dir, prefix)
    missing = check_missing(known, prefix, memory_type, manifest, path)
    if missing.state is Availability.UNAVAILABLE:
        report.error = missing.reason
        if fix:  # accept the loss: no longer one of the store's types, it starts empty next time
            write_known_types(data_dir, prefix, known - {memory_type.value})
            report.fixed = "the loss is accepted: the type starts empty"
        return
    if not path.exists():
        return
    index = EdgeVectorIndex(data_dir, prefix, stored_dimension(path))
    shard = _load(index, path, report, fix)
    if shard is None:
        return
    finding = check_loaded(manifest, shard, path, prefix)
    ids = all_ids(shard)
    report.points = len(ids)
    report.unreadable = list(finding.unreadable)
    if finding.state is Availability.UNAVAILABLE:
        report.error = finding.reason
        if fix:
            report.fixed = "what the shard holds is accepted"
    if not (fix and report.unreadable):
        if fix:  # the manifest says what is there now, clean: the next start compares with it
            write_manifest(data_dir, prefix, measure(shard, path, prefix, memory_type, clean=True))
        shard.close()
        return
    report.backup = _rebuild(index, shard, path, ids, set(report.unreadable))
    report.removed = list(report.unreadable)
    if report.wal_set_aside is not None:  # it moved with the old shard
        report.wal_set_aside = report.backup / report.wal_set_aside.name
    rebuilt = index._load_shard(path)
    try:
        write_manifest(data_dir, prefix, measure(rebuilt, path, prefix, memory_type, clean=True))
    finally:
        rebuilt.close()
    log.warning(
        "%s: left out %d unreadable record(s); the old shard is kept in %s",
        path.name,
        len(report.removed),
        report.backup,
    )
