"""A manifest per memory type, so damage to a Qdrant Edge store is found instead of served as empty.

`<prefix>_<type>.manifest.json` beside the shards records what the engine layer last had: the live
shard dir, its segment dirs, the record count and a SHA-256 of the sorted record ids. It is written
when the index closes (after its final flush: `clean`) and rewritten unclean when it opens, so:

- after a clean close nothing may change until the next open: a missing shard dir, a missing
  segment dir, a different count or checksum is damage;
- after a crash (unclean) the count may legitimately differ (the write-ahead log replays writes
  made since), so only the structure is checked: the shard dir, and the segments of the same dir.

A type whose shard dir and manifest are both gone would look like a type never written: so the
store also lists the types it has (`<prefix>.types.json`, written at each open), and a listed type
found with neither is damage too. (A store from before the list: any other type's manifest says the
store is not new.) The list is kept in the data dir too (`<prefix>.store.json`, backends/qdrant/
store_record.py): a `qdrant/` lost whole leaves every type it had unavailable.

At open a damaged type is `unavailable` (503, `/ready` not ready), never created afresh or served
as empty, until `mnemo doctor --fix` accepts the loss or a restore replaces the dir. Records whose
payload cannot be read (a truncated payload file) make the type `degraded`: it serves what it can
read. `mnemo doctor` runs the same checks (doctor.py).
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from qdrant_edge import EdgeShard, ScrollRequest

from ...memtypes.ports import Availability
from ...memtypes.types import MemoryType
from ..group_flush import replace_whole
from ..qdrant.store_record import note, read_record
from .layout import base_name

MANIFEST_SUFFIX = ".manifest.json"
TYPES_SUFFIX = ".types.json"
_BATCH = 256


@dataclass
class TypeManifest:
    memory_type: str
    collection: str
    shard_dir: str
    segments: list[str]
    points: int
    ids_sha256: str
    clean: bool
    written_at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class Finding:
    """What the checks found of one type: its availability, why, and the unreadable record ids."""

    state: Availability = Availability.HEALTHY
    reason: str | None = None
    unreadable: tuple[str, ...] = ()


def manifest_path(qdrant_dir: Path, prefix: str, memory_type: MemoryType) -> Path:
    return qdrant_dir / (base_name(prefix, memory_type) + MANIFEST_SUFFIX)


def read_manifest(qdrant_dir: Path, prefix: str, memory_type: MemoryType) -> TypeManifest | None:
    try:
        data: dict[str, Any] = json.loads(manifest_path(qdrant_dir, prefix, memory_type).read_text("utf-8"))
        return TypeManifest(**data)
    except FileNotFoundError:
        return None  # a store written before manifests, or a new one: nothing to compare with


def types_path(qdrant_dir: Path, prefix: str) -> Path:
    return qdrant_dir / (prefix + TYPES_SUFFIX)


def read_known_types(qdrant_dir: Path, prefix: str) -> set[str] | None:
    """The types the store has had (None: a store from before the list, or a new one); with its
    list gone (`qdrant/` lost whole), the data dir's record of them (store_record.py)."""
    try:
        return set(json.loads(types_path(qdrant_dir, prefix).read_text("utf-8")))
    except FileNotFoundError:
        recorded = read_record(qdrant_dir, prefix).get("types")
        return set(recorded) if recorded else None


def write_known_types(qdrant_dir: Path, prefix: str, types: set[str]) -> None:
    replace_whole(types_path(qdrant_dir, prefix), json.dumps(sorted(types)), sync_dir=True)
    note(qdrant_dir, prefix, types=sorted(types))


def store_types(qdrant_dir: Path, prefix: str) -> set[str]:
    """The types the store has had, read before any is opened: its list, or for a store from before
    the list, every type when any has a manifest (each type's was written at each open), none when
    the store is new."""
    known = read_known_types(qdrant_dir, prefix)
    if known is not None:
        return known
    if any(manifest_path(qdrant_dir, prefix, t).exists() for t in MemoryType):
        return {t.value for t in MemoryType}
    return set()


def check_missing(
    known: set[str], prefix: str, memory_type: MemoryType, manifest: TypeManifest | None, shard_dir: Path
) -> Finding:
    """Before loading: a type the store had (`known`, from `store_types`) whose shard dir and
    manifest are both gone (it would be created empty, its records silently lost)."""
    if manifest is not None or shard_dir.exists() or memory_type.value not in known:
        return Finding()
    return Finding(
        Availability.UNAVAILABLE,
        f"the shard dir and the manifest of {base_name(prefix, memory_type)} are both missing, though "
        "the store had this type; restore a backup, or `mnemo doctor --fix` to accept the loss",
    )


def write_manifest(qdrant_dir: Path, prefix: str, manifest: TypeManifest) -> None:
    """Written aside, fsynced, renamed over the old one, the dir fsynced: never half a manifest."""
    path = manifest_path(qdrant_dir, prefix, MemoryType(manifest.memory_type))
    replace_whole(path, json.dumps(asdict(manifest), indent=1), sync_dir=True)


def all_ids(shard: EdgeShard) -> list[str]:
    """Every record id, without payloads (that read never decodes one)."""
    ids: list[str] = []
    offset = None
    while True:
        request = ScrollRequest(offset=offset, limit=_BATCH * 4, with_payload=False, with_vector=False)
        records, offset = shard.scroll(request)
        ids.extend(str(r.id) for r in records)
        if offset is None:
            return ids


def unreadable_ids(shard: EdgeShard, ids: list[str]) -> list[str]:
    """The ids whose payload cannot be read: batches first, a failing batch one id at a time."""
    bad: list[str] = []
    for start in range(0, len(ids), _BATCH):
        batch = ids[start : start + _BATCH]
        if _readable(shard, batch):
            continue
        bad.extend(point_id for point_id in batch if not _readable(shard, [point_id]))
    return bad


def _readable(shard: EdgeShard, ids: list[str]) -> bool:
    try:
        shard.retrieve(list[Any](ids), True, False)
    except Exception:  # the engine's one exception type: a payload that does not decode or read
        return False
    return True


def segments_of(shard_dir: Path) -> list[str]:
    segments = shard_dir / "segments"
    return sorted(p.name for p in segments.iterdir() if p.is_dir()) if segments.is_dir() else []


def measure(
    shard: EdgeShard, shard_dir: Path, prefix: str, memory_type: MemoryType, *, clean: bool
) -> TypeManifest:
    ids = all_ids(shard)
    digest = hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()
    return TypeManifest(
        memory_type.value,
        base_name(prefix, memory_type),
        shard_dir.name,
        segments_of(shard_dir),
        len(ids),
        digest,
        clean,
    )


def check_structure(manifest: TypeManifest | None, shard_dir: Path) -> Finding:
    """Before loading: is what the manifest names on disk? (A missing dir would load as empty.)"""
    if manifest is None or manifest.points == 0:
        return Finding()
    if not shard_dir.exists():
        return Finding(
            Availability.UNAVAILABLE,
            f"the shard dir {shard_dir.name} is missing (the manifest lists {manifest.points} records); "
            "restore a backup, or `mnemo doctor --fix` to accept the loss",
        )
    if manifest.shard_dir == shard_dir.name:  # a rebuild since the manifest makes new segments
        missing = sorted(set(manifest.segments) - set(segments_of(shard_dir)))
        if missing:
            return Finding(
                Availability.UNAVAILABLE,
                f"{len(missing)} segment dir(s) of {shard_dir.name} missing ({', '.join(missing)}); "
                "restore a backup, or `mnemo doctor --fix` to accept the loss",
            )
    return Finding()


def check_loaded(manifest: TypeManifest | None, shard: EdgeShard, shard_dir: Path, prefix: str) -> Finding:
    """After loading: the records against a clean manifest, and whether every payload reads."""
    ids = all_ids(shard)
    if manifest is not None and manifest.clean and manifest.shard_dir == shard_dir.name:
        digest = hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()
        if len(ids) < manifest.points or digest != manifest.ids_sha256:
            return Finding(
                Availability.UNAVAILABLE,
                f"{shard_dir.name} holds {len(ids)} records where the manifest written at the last "
                f"clean shutdown lists {manifest.points}; restore a backup, or `mnemo doctor --fix` "
                "to accept what is there",
            )
    bad = unreadable_ids(shard, ids)
    if bad:
        return Finding(
            Availability.DEGRADED,
            f"{len(bad)} of {len(ids)} records of {shard_dir.name} cannot be read (a damaged payload "
            "file?); the rest are served; `mnemo doctor --fix` removes them",
            tuple(bad),
        )
    return Finding()
