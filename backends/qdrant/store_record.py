"""What an embedded vector store holds, recorded beside `qdrant/` (in the data dir), not in it.

The store lists its memory types in `qdrant/<prefix>.types.json` (qdrant_edge/manifest.py), so a
type whose shard and manifest are both gone is found as damage; but a `qdrant/` lost whole takes that
list with it, and the change history's shard has no list at all. `<prefix>.store.json` in the data
dir keeps both (the types, and whether the history was created): at start a store that had them
and now has neither is unavailable (`/ready` not ready, `mnemo doctor` non-zero) instead of being
served as a new, empty, healthy store. A restore builds a new store and writes its own record.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..group_flush import replace_whole

RECORD_SUFFIX = ".store.json"


def record_path(qdrant_dir: Path, prefix: str) -> Path:
    """Beside the service's `<data dir>/qdrant/`. A store opened in a folder of another name (a
    tool's, a test's) keeps its record inside that folder: stores in sibling folders never share one."""
    qdrant_dir = Path(qdrant_dir)
    home = qdrant_dir.parent if qdrant_dir.name == "qdrant" else qdrant_dir
    return home / (prefix + RECORD_SUFFIX)


def read_record(qdrant_dir: Path, prefix: str) -> dict[str, Any]:
    """The record ({} for a data dir that never held a store, or one from before the record)."""
    try:
        record = json.loads(record_path(qdrant_dir, prefix).read_text("utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def note(qdrant_dir: Path, prefix: str, **fields: Any) -> None:
    """Set `fields` in the record: written aside, fsynced, renamed over the old one."""
    path = record_path(qdrant_dir, prefix)
    record = read_record(qdrant_dir, prefix)
    if all(record.get(name) == value for name, value in fields.items()):
        return
    record.update(fields)
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_whole(path, json.dumps(record, sort_keys=True), sync_dir=False)


def history_lost(qdrant_dir: Path, prefix: str, history_dir: Path) -> str | None:
    """Why the change history is missing (None: it is there, or the store never had one)."""
    if history_dir.exists() or not read_record(qdrant_dir, prefix).get("history"):
        return None
    return (
        f"the change history's shard {history_dir.name} is missing, though this data dir had one "
        f"({record_path(qdrant_dir, prefix).name}): restore a backup, or remove that file to start "
        "the history afresh"
    )
