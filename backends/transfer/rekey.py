"""The start's migration of a store written before ids were keyed (memtypes/ids.py): every point
re-keyed, and every reference to an id with it.

For each tenant (those the change history names, and the configured ones), each memory of the
older scheme (a version-5 id) is written under its keyed id, with its content digest keyed and its
`supersedes`/`superseded_by` links mapped; its access counts move to the new id; then the old point
is deleted. The change-history documents (forgotten memories' too) move to their keyed ids, with
the ids their reasons name mapped, and the erasure ledger's lines are rewritten with keyed ids.

Each step is idempotent and the old point goes last, so a start that stops part-way loses nothing
and the next one finishes: a keyed id is never mapped again (its version says so). A marker file in
the data dir, written once everything is done, spares later starts the walk.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...memtypes.governance.forget import LEDGER_FILE, LEDGER_LOCK, LedgerEntry
from ...memtypes.ids import IdKeys, is_unkeyed
from ...memtypes.ports import DocumentStore, SparseEncoder, VectorIndex
from ...memtypes.queries import MemoryFilter, VectorPoint
from ...memtypes.types import MemoryType
from ..redis.access import RedisAccessCounts

log = logging.getLogger("mnemo.ids")

_PAGE = 256
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
_LINKS = ("supersedes", "superseded_by")


def marker_path(data_dir: Path, prefix: str) -> Path:
    return data_dir / f"ids-keyed.{prefix}"


@dataclass
class RekeyReport:
    memories: int = 0
    histories: int = 0
    ledger_lines: int = 0

    @property
    def total(self) -> int:
        return self.memories + self.histories + self.ledger_lines


async def rekey_store(
    index: VectorIndex,
    documents: DocumentStore,
    access: RedisAccessCounts,
    ids: IdKeys,
    sparse: SparseEncoder | None,
    data_dir: Path,
    prefix: str,
    tenants: Iterable[str] = (),
) -> RekeyReport:
    """Migrate what is left of the older scheme; nothing when the data dir's marker says it is done."""
    report = RekeyReport()
    marker = marker_path(data_dir, prefix)
    if marker.exists():
        return report
    history_tenants = await _rekey_histories(documents, ids, report)
    for tenant in sorted({*tenants, *history_tenants}):
        for memory_type in MemoryType:
            report.memories += await _rekey_points(index, access, ids, sparse, tenant, memory_type)
    report.ledger_lines = _rekey_ledger(data_dir / LEDGER_FILE, ids)
    if report.total:
        log.info(
            "ids: re-keyed %d memories, %d change histories and %d erasure-ledger lines to the keyed scheme",
            report.memories,
            report.histories,
            report.ledger_lines,
        )
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text("memory ids are keyed\n")
    return report


def _mapped(ids: IdKeys, tenant: str, point_id: str) -> str:
    return ids.rekeyed(tenant, point_id) if is_unkeyed(point_id) else point_id


def _map_text(ids: IdKeys, tenant: str, text: str) -> str:
    return _UUID.sub(lambda m: ids.rekeyed(tenant, m.group(0)), text)


async def _rekey_points(
    index: VectorIndex,
    access: RedisAccessCounts,
    ids: IdKeys,
    sparse: SparseEncoder | None,
    tenant: str,
    memory_type: MemoryType,
) -> int:
    moved = 0
    flt = MemoryFilter(tenant=tenant, include_superseded=True)
    offset: str | None = None
    while True:
        page, offset = await index.scroll(memory_type, flt, limit=_PAGE, offset=offset)
        stale = [
            p
            for p in page
            if is_unkeyed(p.id) or any(is_unkeyed(str(p.payload.get(k) or "")) for k in _LINKS)
        ]
        if stale:
            stored = await index.get(memory_type, [p.id for p in stale], with_vector=True)
            points = []
            for point in stored:
                if point.vector is None:  # a point without its vector cannot be rewritten: left as it is
                    log.warning("ids: a %s memory without a vector kept its old id", memory_type.value)
                    continue
                payload = dict(point.payload)
                payload["content_hash"] = ids.content_hash(tenant, str(payload.get("content", "")))
                for link in _LINKS:
                    if payload.get(link):
                        payload[link] = _mapped(ids, tenant, str(payload[link]))
                points.append((point.id, VectorPoint(_mapped(ids, tenant, point.id), point.vector, payload)))
            if sparse is not None and points:
                vectors = sparse.documents([str(p.payload.get("content", "")) for _, p in points])
                points = [
                    (old, VectorPoint(p.id, p.vector, p.payload, vectors[n]))
                    for n, (old, p) in enumerate(points)
                ]
            await index.upsert(memory_type, [p for _, p in points])  # new ids first: nothing lost
            renamed = {old: p.id for old, p in points if old != p.id}
            await access.move(tenant, memory_type, renamed)
            await index.delete(memory_type, list(renamed))
            moved += len(renamed)
        if offset is None:
            return moved


async def _rekey_histories(documents: DocumentStore, ids: IdKeys, report: RekeyReport) -> set[str]:
    """Move the older scheme's history documents; answer every tenant the history names."""
    tenants: set[str] = set()
    offset: str | None = None
    while True:
        page, offset = await documents.scroll(_PAGE, offset)
        moved: dict[str, dict[str, Any]] = {}
        old_ids = []
        for doc_id, document in page:
            tenant = document.get("tenant")
            if not isinstance(tenant, str):
                continue
            tenants.add(tenant)
            if is_unkeyed(doc_id):
                moved[ids.rekeyed(tenant, doc_id)] = _rekeyed_history(ids, tenant, document)
                old_ids.append(doc_id)
        if moved:
            await documents.put(moved)
            await documents.delete(old_ids)
            report.histories += len(moved)
        if offset is None:
            return tenants


def _rekeyed_history(ids: IdKeys, tenant: str, document: dict[str, Any]) -> dict[str, Any]:
    out = dict(document)
    out["memory_id"] = _mapped(ids, tenant, str(document.get("memory_id", "")))
    entries = []
    for entry in document.get("entries", []):
        entry = dict(entry)
        if isinstance(entry.get("reason"), str):
            entry["reason"] = _map_text(ids, tenant, entry["reason"])
        entries.append(entry)
    out["entries"] = entries
    return out


def _rekey_ledger(path: Path, ids: IdKeys) -> int:
    """Rewrite the ledger's lines that name ids of the older scheme (whole, then renamed over it),
    holding its lock: a line another worker appends meanwhile is not lost."""
    if not path.is_file():
        return 0
    with (path.parent / LEDGER_LOCK).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when closed
        changed, out = 0, []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                entry = LedgerEntry.model_validate_json(line)
            except ValueError:  # a line cut short by a crash while appended: left as it is
                out.append(line)
                continue
            mapped = {
                t: [_mapped(ids, entry.tenant, i) for i in found] for t, found in entry.memories.items()
            }
            if mapped != entry.memories:
                changed += 1
                line = entry.model_copy(update={"memories": mapped}).model_dump_json()
            out.append(line)
        if changed:
            staged = path.with_name(f".{path.name}.rekey.{os.getpid()}")
            with staged.open("w", encoding="utf-8") as handle:
                handle.write("".join(f"{line}\n" for line in out))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(staged, path)
    return changed
