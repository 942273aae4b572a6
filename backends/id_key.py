"""The service's id key (memtypes/ids.py): the operator's file, or one created in the data dir on
first start and kept there.

Every memory id and content digest is keyed with it, so a store's ids are stable only under the key
they were written with: replicas sharing a Qdrant server and Redis must share one file
(`MNEMO_ID_KEY_FILE`), and the key travels with online backups and exports (a restore adopts it).
Only its owner may read it (mode 0600).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from ..memtypes.ids import ID_KEY_BYTES, IdKeys
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
