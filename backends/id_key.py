"""The service's id key (memtypes/ids.py): the operator's file, or one created in the data dir on
first start and kept there.

Every memory id and content digest is keyed with it, so a store's ids are stable only under the key
they were written with: replicas sharing a Qdrant server and Redis must share one file
(`MNEMO_ID_KEY_FILE`), and the key travels with online backups and exports (a restore adopts it).
Only its owner may read it (mode 0600).

The store pins the key it was keyed with: a fingerprint of it (never the key) in the data dir's store
record (backends/qdrant/store_record.py), written at the first start. A start whose key file is
missing, or holds another key, is refused: a new key would give every rewrite of the same words a
new id, superseding the old memory instead of matching it. A restore or an import that adopts a
backup's key pins that one.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from pathlib import Path

from ..memtypes.ids import ID_KEY_BYTES, IdKeys
from .qdrant.store_record import note, read_record, record_path
from .secret_files import write_secret

log = logging.getLogger("mnemo.ids")

KEY_FILE = "id-key"


def id_key_path(data_dir: Path, key_file: Path | None = None) -> Path:
    return key_file or data_dir / KEY_FILE


def open_id_keys(data_dir: Path, key_file: Path | None = None) -> IdKeys:
    """The operator's key (`key_file`, 32 raw bytes), or the data dir's, made if missing."""
    path = id_key_path(data_dir, key_file)
    if path.exists() or key_file is not None:
        return IdKeys(read_id_key(path))
    key = os.urandom(ID_KEY_BYTES)
    if write_secret(path, key, replace=False):
        log.info("created the id key %s in the data dir", path.name)
        return IdKeys(key)
    return IdKeys(read_id_key(path))  # another process made it first: its key wins


def read_id_key(path: Path) -> bytes:
    key = path.read_bytes()
    if len(key) != ID_KEY_BYTES:
        raise ValueError(f"{path} is not an id key ({ID_KEY_BYTES} bytes)")
    return key


class IdKeyRefused(ValueError):
    """The id key is missing or is not the one the store's ids were made with."""


def fingerprint(key: bytes) -> str:
    """A name of the key that reveals nothing of it (an HMAC of a constant under the key)."""
    return hmac.new(key, b"mnemo id key fingerprint", hashlib.sha256).hexdigest()[:16]


def pinned_id_keys(data_dir: Path, key_file: Path | None, prefix: str) -> IdKeys:
    """The id key, checked against the one the data dir's store pinned (pinned now if none was)."""
    store = data_dir / "qdrant"
    pinned = read_record(store, prefix).get("id_key")
    path = id_key_path(data_dir, key_file)
    where = record_path(store, prefix).name
    if pinned is not None and not path.exists():
        raise IdKeyRefused(
            f"the id key {path} is missing, but the store's ids were made with one (fingerprint "
            f"{pinned}, in {where}): put it back (a backup's id-key.jsonl holds it); a new key would "
            "give every rewrite of the same words a new id"
        )
    ids = open_id_keys(data_dir, key_file)
    current = fingerprint(ids.service_key)
    if pinned is None:
        try:
            note(store, prefix, id_key=current)
        except OSError as exc:  # a full disk: pinned at a later start, when there is room
            log.warning("could not pin the id key in %s (%s)", where, type(exc).__name__)
    elif pinned != current:
        raise IdKeyRefused(
            f"the id key {path} (fingerprint {current}) is not the one the store's ids were made with "
            f"(fingerprint {pinned}, in {where}): put that key back; with another, every rewrite of the "
            "same words would get a new id and supersede the old memory"
        )
    return ids


def adopt_id_key(data_dir: Path, key_file: Path | None, key: bytes, prefix: str) -> None:
    """A backup's or an export's key becomes the data dir's (or `key_file`'s), and the store's pin."""
    path = id_key_path(data_dir, key_file)
    if not path.exists() or path.read_bytes() != key:
        write_secret(path, key, replace=True)
        log.info("the data dir's id key is now the one its store was copied with (%s)", path)
    note(data_dir / "qdrant", prefix, id_key=fingerprint(key))
