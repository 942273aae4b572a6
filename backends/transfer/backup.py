"""Online backup of a running mnemo, and its restore into a fresh data dir.

A backup is a directory: one JSON-lines file per memory type (id, dense vector as base64 float32,
BM25 vector, payload), one for the change history, one for Redis (working memory and threads: each
key's type, value and TTL, `redis_records.py`), and `manifest.json` naming each file with its record
count, a SHA-256 of its sorted record ids and of its bytes, and the service's Ed25519 signature over
all of it (memtypes/governance/signing.py), so that a file, a record or the manifest itself edited,
a tenant moved, is refused. The file set is pinned too: every memory type of the registry, the
history and Redis must be in it (a type dropped with its manifest entry is refused, named). JSON
lines, not pickle: a restore reads a directory someone handed over, and nothing in it may run code.

Written while the service serves and writes (`snapshot`): each type's shard is read by scroll, 64
records per thread hop, under the type's optimize lock (no rebuild swaps the shard mid-read); a
record acknowledged before the backup began is in the shard when the scroll passes it, so it is in
the backup (a later update may be too). Redis keys are copied one at a time (each value read by one
command; not one point in time across keys). `verify` re-reads every file against the manifest; `restore`
verifies first and builds a new data dir through the same engine layer (its manifests included).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
from collections.abc import Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any, Protocol, runtime_checkable

import numpy as np
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from qdrant_edge import EdgeShard, ScrollRequest, SparseVector

from ...memtypes.governance.forget import LEDGER_FILE, LedgerEntry
from ...memtypes.governance.signing import MANIFEST_KIND, SignatureInvalid
from ...memtypes.governance.signing import verify as verify_signature
from ...memtypes.queries import SparseVector as QuerySparse
from ...memtypes.queries import VectorPoint
from ...memtypes.types import MemoryType
from ..qdrant.schema import DENSE, SPARSE
from .redis_records import read_key

FORMAT = "mnemo-backup/1"
MANIFEST = "manifest.json"
HISTORY_FILE = "history.jsonl"
REDIS_FILE = "redis.jsonl"
ID_KEY_FILE = "id-key.jsonl"  # the service's id key: a restore keeps the ids (memtypes/ids.py)
_CHUNK = 64  # records per thread hop while reading a live shard (see shard_export.EXPORT_CHUNK)
# Redis keys that are not state worth restoring: held locks and rate-limit buckets.
_TRANSIENT_KINDS = (":lock:", ":rate:")


def memories_file(memory_type: MemoryType) -> str:
    return f"memories-{memory_type.value}.jsonl"


@dataclass
class BackupFile:
    name: str
    records: int
    ids_sha256: str
    sha256: str
    bytes: int


class _Writer:
    """A JSON-lines file whose bytes, record count and ids are digested as it is written."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.out: IO[bytes] = path.open("wb")
        self.digest = hashlib.sha256()
        self.ids: list[str] = []
        self.size = 0

    def add(self, record_id: str, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
        self.out.write(line)
        self.digest.update(line)
        self.size += len(line)
        self.ids.append(record_id)

    def close(self) -> BackupFile:
        self.out.flush()
        self.out.close()
        digest = self.digest.hexdigest()
        return BackupFile(self.path.name, len(self.ids), ids_digest(self.ids), digest, self.size)


def ids_digest(ids: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()


def _point_record(record: Any) -> tuple[str, dict[str, Any]]:
    vectors = record.vector if isinstance(record.vector, dict) else {DENSE: record.vector}
    sparse = vectors.get(SPARSE)
    dense = np.asarray(vectors[DENSE], dtype=np.float32)
    point_id = str(record.id)
    return point_id, {
        "id": point_id,
        "dense": base64.b64encode(dense.tobytes()).decode(),
        "sparse": [list(sparse.indices), list(sparse.values)] if isinstance(sparse, SparseVector) else None,
        "payload": record.payload or {},
    }


def _copy_chunk(shard: EdgeShard, offset: Any, writer: _Writer) -> Any:
    request = ScrollRequest(offset=offset, limit=_CHUNK, with_payload=True, with_vector=True)
    records, next_offset = shard.scroll(request)
    for record in records:
        writer.add(*_point_record(record))
    return next_offset


async def copy_shard(shard: EdgeShard, path: Path) -> BackupFile:
    writer = _Writer(path)
    try:
        offset: Any = None
        while True:
            offset = await asyncio.to_thread(_copy_chunk, shard, offset, writer)
            if offset is None:
                return writer.close()
    except BaseException:
        writer.out.close()
        raise


@runtime_checkable
class HeldShards(Protocol):
    """What the embedded index lends a backup (backends/qdrant_edge/rebuilds.py)."""

    def held_shard(self, memory_type: MemoryType) -> AbstractAsyncContextManager[EdgeShard]: ...


async def copy_type(index: HeldShards, memory_type: MemoryType, path: Path) -> BackupFile:
    """Every record of the type into a backup file, read while the service writes on."""
    async with index.held_shard(memory_type) as shard:
        return await copy_shard(shard, path)


async def copy_history(documents: Any, path: Path) -> BackupFile:
    """Every change-history document (`DocumentStore.scroll`)."""
    writer = _Writer(path)
    offset: str | None = None
    while True:
        page, offset = await documents.scroll(256, offset)
        for document_id, payload in page:
            writer.add(document_id, {"id": document_id, "payload": payload})
        if offset is None:
            return writer.close()


async def copy_redis(redis: Any, key_prefix: str, path: Path) -> BackupFile:
    """Each key of mnemo's prefix (but locks and rate buckets): its type, value and remaining TTL."""
    writer = _Writer(path)

    async def copy(client: Any) -> None:
        async for raw_key in client.scan_iter(match=f"{key_prefix}:*", count=1000):
            key = raw_key.decode() if isinstance(raw_key, bytes) else raw_key
            if any(kind in key for kind in _TRANSIENT_KINDS):
                continue
            record = await read_key(client, key)
            if record is not None:  # else expired or removed since the scan found it
                writer.add(key, record)

    await redis.run(copy)
    return writer.close()


def read_ledger(path: Path) -> list[LedgerEntry]:
    """An erasure ledger's entries (none when there is no file); a line cut short by a crash while it
    was appended is skipped (its forget had removed nothing yet)."""
    if not path.is_file():
        return []
    entries = []
    with path.open("rb") as source:
        for line in source:
            try:
                entries.append(LedgerEntry.model_validate_json(line))
            except ValueError:
                continue
    return entries


async def copy_ledger(data_dir: Path, path: Path) -> BackupFile:
    """The data dir's erasure ledger as it is now (ingest/erasure_ledger.py): restores replay it."""
    writer = _Writer(path)
    for entry in await asyncio.to_thread(read_ledger, data_dir / LEDGER_FILE):
        writer.add(entry.digest, entry.model_dump(mode="json"))
    return writer.close()


def copy_id_key(key: bytes, path: Path) -> BackupFile:
    """The id key the backup's ids and digests were keyed with: without it, a restored store's ids
    would not be what a re-write of the same words computes."""
    writer = _Writer(path)
    writer.add("id-key", {"id": "id-key", "key": base64.b64encode(key).decode()})
    return writer.close()


def read_id_key(directory: Path) -> bytes | None:
    """The backup's id key (None: a backup made before ids were keyed)."""
    path = directory / ID_KEY_FILE
    if not path.is_file():
        return None
    (record,) = _lines(path)
    return base64.b64decode(record["key"])


def write_manifest(directory: Path, manifest: dict[str, Any]) -> None:
    staged = directory / (MANIFEST + ".tmp")
    staged.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    staged.replace(directory / MANIFEST)


def new_manifest(
    collection_prefix: str, key_prefix: str, dimension: int, started_at: float
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "started_at": started_at,
        "collection_prefix": collection_prefix,
        "redis_key_prefix": key_prefix,
        "dimension": dimension,
        "files": {},
    }


def add_file(manifest: dict[str, Any], entry: BackupFile) -> None:
    manifest["files"][entry.name] = asdict(entry)


def read_manifest(directory: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise ValueError(f"{directory / MANIFEST} is not a {FORMAT} manifest")
    return manifest


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    with path.open("rb") as source:
        for line in source:
            yield json.loads(line)


def expected_files() -> list[str]:
    """What every backup holds, whatever its manifest says: each type of the registry, the history
    and Redis (the erasure ledger too, in backups made since it exists)."""
    return [*(memories_file(t) for t in MemoryType), HISTORY_FILE, REDIS_FILE]


def signed_by(
    manifest: dict[str, Any], trusted: Ed25519PublicKey | None, *, accept_unsigned: bool = False
) -> str:
    """Who signed the manifest, once its signature checks out against `trusted`; SignatureInvalid
    naming what is wrong. Without a trusted key a signature proves nothing (anyone can sign with a
    key of their own and name it), so it is refused; an unsigned manifest (an earlier release's) is
    refused unless `accept_unsigned` says the operator takes that risk."""
    if manifest.get("signature") is None:
        if not accept_unsigned:
            raise SignatureInvalid(
                "the manifest is unsigned: whoever held the backup could have changed any record or "
                "moved it to another tenant (an earlier release's backup restores only with "
                "--accept-unsigned)"
            )
        return "UNSIGNED (accepted with --accept-unsigned): only its checksums were checked"
    if trusted is None:
        raise SignatureInvalid(
            "no trusted key to check the manifest's signature against: give the service's public key "
            "(--public-key, from GET /v1/forget/keys or the line `mnemo backup` prints)"
        )
    key_id = verify_signature(MANIFEST_KIND, manifest, trusted)
    return f"signed by the trusted key {key_id}"


def verify(directory: Path) -> list[str]:
    """What does not match the manifest (empty: the backup is whole): a file every backup holds
    missing from it, each file's bytes, record count and ids, re-read from disk."""
    manifest = read_manifest(directory)
    problems = [
        f"{name}: not in the manifest (every backup holds each memory type, the history and Redis)"
        for name in expected_files()
        if name not in manifest["files"]
    ]
    for name, expected in manifest["files"].items():
        path = directory / name
        if path.name != name or not path.is_file():
            problems.append(f"{name}: missing")
            continue
        digest = hashlib.sha256()
        with path.open("rb") as source:
            for block in iter(lambda: source.read(1 << 20), b""):
                digest.update(block)
        if digest.hexdigest() != expected["sha256"]:
            problems.append(f"{name}: checksum differs from the manifest's")
            continue
        ids = [str(r.get("id", r.get("key", r.get("digest")))) for r in _lines(path)]
        if len(ids) != expected["records"] or ids_digest(ids) != expected["ids_sha256"]:
            problems.append(f"{name}: {len(ids)} records, the manifest lists {expected['records']}")
    return problems


def read_points(path: Path, batch: int = 256) -> Iterator[list[VectorPoint]]:
    points: list[VectorPoint] = []
    for record in _lines(path):
        dense = np.frombuffer(base64.b64decode(record["dense"]), dtype=np.float32).tolist()
        sparse = record["sparse"]
        sparse_vector = QuerySparse(tuple(sparse[0]), tuple(sparse[1])) if sparse and sparse[0] else None
        points.append(VectorPoint(record["id"], dense, record["payload"], sparse_vector))
        if len(points) >= batch:
            yield points
            points = []
    if points:
        yield points


def read_documents(path: Path) -> Iterator[dict[str, dict[str, Any]]]:
    documents: dict[str, dict[str, Any]] = {}
    for record in _lines(path):
        documents[record["id"]] = record["payload"]
        if len(documents) >= 256:
            yield documents
            documents = {}
    if documents:
        yield documents


def read_redis(path: Path) -> Iterator[dict[str, Any]]:
    yield from _lines(path)


def stamp() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + f"-{time.time_ns() % 1_000_000:06d}"
