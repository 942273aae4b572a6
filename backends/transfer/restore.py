"""`mnemo restore DIR --data-dir D`: a new data dir from a backup (backends/transfer/backup.py).

The backup is verified first (nothing is written from a damaged one): its manifest's signature
against a key the operator trusts (given, or the data dir's own; an unsigned manifest only when the
operator accepts the risk), the file set every backup holds, each file against the manifest, and
every record as the API would take it (restore_checks.py); that the ledgers it replays know every
forget since the backup was taken (ledger_replay.py `later_forgets_unknown`); then the
records go in through the same engine layer the service uses (so the shards, their payload indexes
and their manifests are what the service itself writes), the change history into its store, and
the Redis keys with `RESTORE … REPLACE` (TTLs kept) into the Redis the data dir's settings name:
the embedded one in `D` by default. HNSW indexes are left to the service, which builds them in the
background when it starts (`start_pending_builds`, api/http/maintenance.py). What the erasure
ledgers say was forgotten is forgotten again (ledger_replay.py): the backup's ledger, the data
dir's own and any named. The backup's id key becomes the data dir's (`MNEMO_ID_KEY_FILE`'s, when
set), so the restored ids stay what a re-write of the same words computes; a backup made before ids
were keyed is re-keyed by the service's start (rekey.py) under the data dir's key.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ...memtypes.governance.forget import LEDGER_FILE
from ...memtypes.governance.signing import SignatureInvalid
from ...memtypes.ids import IdKeys
from ...memtypes.types import MemoryType
from ..id_key import adopt_id_key, open_id_keys
from ..qdrant.history_store import EdgeDocumentStore
from ..qdrant.store_record import record_path
from ..qdrant_edge.index import EdgeVectorIndex
from ..redis.client import RedisConfig, open_redis
from ..redis.keys import KeySpace
from .backup import (
    HISTORY_FILE,
    REDIS_FILE,
    memories_file,
    read_documents,
    read_id_key,
    read_manifest,
    read_points,
    read_redis,
    signed_by,
    verify,
)
from .ledger_replay import Forgotten, later_forgets_unknown
from .redis_records import write_key
from .rekey import marker_path
from .restore_checks import record_problems

log = logging.getLogger("mnemo.restore")
_NEVER = 10**12  # no background HNSW build while restoring: the service starts one


class RestoreRefused(RuntimeError):
    pass


@dataclass
class Restored:
    memories: dict[str, int] = field(default_factory=dict)
    history: int = 0
    redis_keys: int = 0
    signature: str = ""  # who signed the manifest, as checked
    forgets_replayed: int = 0  # forgets of the merged erasure ledger
    # What of the backup they left out: memories, and working-memory tasks and threads.
    forgotten_again: dict[str, int] = field(default_factory=dict)


async def restore(
    backup: Path,
    data_dir: Path,
    redis: RedisConfig,
    ledgers: Sequence[Path] = (),
    trusted: Ed25519PublicKey | None = None,
    id_key_file: Path | None = None,
    *,
    accept_unsigned: bool = False,
    may_undo_later_forgets: bool = False,
) -> Restored:
    manifest = read_manifest(backup)
    signature = await _verify(backup, manifest, data_dir, trusted, accept_unsigned)
    qdrant_dir = data_dir / "qdrant"
    own = [backup / LEDGER_FILE] if LEDGER_FILE in manifest["files"] else []
    outside = [data_dir / LEDGER_FILE, *ledgers]
    if not may_undo_later_forgets and (unproven := later_forgets_unknown(own, outside)) is not None:
        raise RestoreRefused(unproven)
    prefix = manifest["collection_prefix"]
    record_path(qdrant_dir, prefix).unlink(missing_ok=True)  # a new store: what it holds is recorded anew
    ids = _adopt_id_key(backup, data_dir, id_key_file, prefix)
    marker_path(data_dir, prefix).unlink(missing_ok=True)  # the start checks the restored ids
    forgotten = Forgotten([*own, *outside], ids)
    done = Restored(signature=signature, forgets_replayed=len(forgotten.entries))
    done.memories = await _restore_memories(backup, manifest, qdrant_dir, forgotten)
    done.history = await _restore_history(backup, manifest, qdrant_dir, forgotten)
    done.forgotten_again["memories"] = len(forgotten.left_out)
    if REDIS_FILE in manifest["files"]:
        done.redis_keys, removed = await _restore_redis(backup / REDIS_FILE, data_dir, redis, forgotten)
        done.forgotten_again["tasks_and_threads"] = removed
    forgotten.write(data_dir / LEDGER_FILE)
    return done


async def _verify(
    backup: Path,
    manifest: dict[str, Any],
    data_dir: Path,
    trusted: Ed25519PublicKey | None,
    accept_unsigned: bool,
) -> str:
    """Who signed the manifest, once the backup and the data dir it goes into are found fit:
    else `RestoreRefused`, nothing written."""
    try:
        signature = signed_by(manifest, trusted, accept_unsigned=accept_unsigned)
    except SignatureInvalid as exc:
        raise RestoreRefused(f"the backup in {backup} is refused: its manifest's signature: {exc}") from exc
    problems = verify(backup) or await asyncio.to_thread(record_problems, backup, manifest)
    if problems:
        raise RestoreRefused(f"the backup in {backup} is refused: {'; '.join(problems)}")
    qdrant_dir = data_dir / "qdrant"
    if qdrant_dir.exists() and any(qdrant_dir.iterdir()):
        raise RestoreRefused(f"{qdrant_dir} is not empty: restore into a new data dir")
    return signature


async def _restore_memories(
    backup: Path, manifest: dict[str, Any], qdrant_dir: Path, forgotten: Forgotten
) -> dict[str, int]:
    """Each type's memories, less the forgotten ones, through the engine layer; how many of each."""
    counts: dict[str, int] = {}
    index = EdgeVectorIndex(
        qdrant_dir, manifest["collection_prefix"], manifest["dimension"], optimize_threshold=_NEVER
    )
    await index.open()
    try:
        for memory_type in MemoryType:
            name = memories_file(memory_type)
            if name not in manifest["files"]:
                continue
            count = 0
            for points in read_points(backup / name):
                kept = forgotten.keep(points)
                if kept:
                    await index.upsert(memory_type, kept)
                count += len(kept)
            counts[memory_type.value] = count
    finally:
        await index.close()  # flushed, and each type's manifest written clean
    return counts


async def _restore_history(
    backup: Path, manifest: dict[str, Any], qdrant_dir: Path, forgotten: Forgotten
) -> int:
    """The change history, less the forgotten memories'; how many histories went in."""
    restored = 0
    documents = EdgeDocumentStore(qdrant_dir, manifest["collection_prefix"])
    await documents.open()
    try:
        if HISTORY_FILE in manifest["files"]:
            for batch in read_documents(backup / HISTORY_FILE):
                # The history of a memory left out goes with it: the id answers as one never stored.
                histories = {i: d for i, d in batch.items() if i not in forgotten.left_out}
                if histories:
                    await documents.put(histories)
                restored += len(histories)
    finally:
        await documents.close()
    return restored


def _adopt_id_key(backup: Path, data_dir: Path, key_file: Path | None, prefix: str) -> IdKeys:
    """The backup's id key, now the data dir's; the data dir's own for a backup without one."""
    key = read_id_key(backup)
    if key is None:
        return open_id_keys(data_dir, key_file)
    adopt_id_key(data_dir, key_file, key, prefix)
    return IdKeys(key)


async def _restore_redis(
    path: Path, data_dir: Path, config: RedisConfig, forgotten: Forgotten
) -> tuple[int, int]:
    gateway = await open_redis(config, data_dir)
    restored = 0
    try:
        for record in read_redis(path):
            await write_key(gateway.client, record)
            restored += 1
        removed = await forgotten.forget_in_redis(gateway, KeySpace(config.key_prefix, config.cluster))
        if gateway.embedded is not None:
            await gateway.client.save()  # on disk before the embedded server stops
    finally:
        await gateway.close()
    return restored, removed
