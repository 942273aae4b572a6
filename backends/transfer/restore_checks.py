"""What a restore checks of every record before it writes anything (restore.py): what the API would
refuse is refused here too, since a backup is a directory someone handed over.

A signature proves who made a backup, not that each record is one the service can read back: a
record the write path would refuse (metadata nested deeper than the engines parse, a blank content,
a vector of the wrong size) written into a shard makes every read of its type fail. Each memory is
read as the API would take it (`MemoryIn`: content, scope, tags, metadata, the type's own fields)
and as the store holds it (`MemoryRecord`, of the file's type); its vectors must be the store's
size and finite; a history document and a Redis record must nest no deeper than a stored memory can.
Problems name the file, the line and the field, never a record's text.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ...memtypes.limits import MAX_METADATA_DEPTH
from ...memtypes.records import MemoryIn, MemoryRecord
from ...memtypes.types import MemoryType
from .backup import HISTORY_FILE, REDIS_FILE, memories_file

MAX_NAMED = 10  # problems named before the check stops reading
# A history document holds versions of a record (its metadata among them) a few levels down; a Redis
# record, working-memory items; both far below the engines' parse limit (memtypes/limits.py).
_DOCUMENT_DEPTH = MAX_METADATA_DEPTH + 8
_REDIS_KINDS = {"string", "hash", "list", "set", "zset", "stream"}
_CALLER_FIELDS = ("content", "scope", "tags", "metadata", "due_at", "trigger", "task_id", "fact_key")


def record_problems(backup: Path, manifest: dict[str, Any]) -> list[str]:
    """What in the backup's records the service would refuse, as `file line N: field: why` (at most
    MAX_NAMED of them; empty: every record may be restored)."""
    problems: list[str] = []
    files = manifest["files"]
    for memory_type in MemoryType:
        name = memories_file(memory_type)
        if name in files:
            problems += _named(name, _lines(backup / name), lambda r, t=memory_type: _memory(r, t, manifest))
        if len(problems) >= MAX_NAMED:
            return problems[:MAX_NAMED]
    if HISTORY_FILE in files:
        problems += _named(HISTORY_FILE, _lines(backup / HISTORY_FILE), _document)
    if REDIS_FILE in files:
        problems += _named(REDIS_FILE, _lines(backup / REDIS_FILE), _redis_record)
    return problems[:MAX_NAMED]


def _named(name: str, records: Iterator[Any], check: Any) -> list[str]:
    problems = []
    for number, record in enumerate(records, 1):
        if (problem := check(record)) is not None:
            problems.append(f"{name} line {number}: {problem}")
            if len(problems) >= MAX_NAMED:
                break
    return problems


def _lines(path: Path) -> Iterator[Any]:
    with path.open("rb") as source:
        for line in source:
            try:
                yield json.loads(line)
            except (ValueError, RecursionError):
                yield None  # named as what it is below: not a record


def _memory(record: Any, memory_type: MemoryType, manifest: dict[str, Any]) -> str | None:
    if not isinstance(record, dict) or not isinstance(record.get("payload"), dict):
        return "not a record (JSON with an id, vectors and a payload)"
    payload = record["payload"]
    if _deeper_than(payload, MAX_METADATA_DEPTH + 1):
        return f"payload: nested deeper than {MAX_METADATA_DEPTH} levels"
    if (problem := _vectors(record, manifest["dimension"])) is not None:
        return problem
    try:
        stored = MemoryRecord.from_payload(str(record.get("id")), payload)
        MemoryIn.model_validate(
            {"type": stored.type, "id": stored.external_id, "occurred_at": stored.occurred_at}
            | {name: getattr(stored, name) for name in _CALLER_FIELDS if getattr(stored, name) is not None}
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "payload"
        return f"{field}: {first['msg']}"
    if stored.type is not memory_type:
        return f"type: a {stored.type.value} memory in the {memory_type.value} file"
    return None


def _vectors(record: dict[str, Any], dimension: int) -> str | None:
    try:
        dense = base64.b64decode(str(record.get("dense")), validate=True)
    except (binascii.Error, ValueError):
        return "dense: not base64"
    if len(dense) != 4 * dimension:
        return f"dense: {len(dense) // 4} dimensions, the store has {dimension}"
    sparse = record.get("sparse")
    if sparse is None:
        return None
    if not (isinstance(sparse, list) and len(sparse) == 2 and all(isinstance(p, list) for p in sparse)):
        return "sparse: not [indices, values]"
    indices, values = sparse
    if len(indices) != len(values) or not all(isinstance(i, int) and 0 <= i < 2**32 for i in indices):
        return "sparse: indices must be as many as values, each a 32-bit unsigned integer"
    if not all(isinstance(v, int | float) and math.isfinite(v) for v in values):
        return "sparse: values must be finite numbers"
    return None


def _document(record: Any) -> str | None:
    if not isinstance(record, dict) or not isinstance(record.get("payload"), dict):
        return "not a history document (JSON with an id and a payload)"
    if _deeper_than(record["payload"], _DOCUMENT_DEPTH):
        return f"payload: nested deeper than {_DOCUMENT_DEPTH} levels"
    return None


def _redis_record(record: Any) -> str | None:
    if not isinstance(record, dict) or not isinstance(record.get("key"), str):
        return "not a Redis record (JSON with a key, its type, value and TTL)"
    if record.get("type") not in _REDIS_KINDS:
        return f"type: {str(record.get('type'))[:20]!r} is not a Redis type"
    if not isinstance(record.get("ttl_ms"), int):
        return "ttl_ms: not an integer"
    values = record.get("value")
    texts = values.values() if isinstance(values, dict) else values if isinstance(values, list) else [values]
    for text in texts:
        if isinstance(text, str) and text[:1] in "[{":
            try:
                parsed = json.loads(text)
            except (ValueError, RecursionError):
                continue  # text, not JSON: nothing parses it deeper
            if _deeper_than(parsed, _DOCUMENT_DEPTH):
                return f"value: JSON nested deeper than {_DOCUMENT_DEPTH} levels"
    return None


def _deeper_than(value: Any, limit: int) -> bool:
    """Iterative: no depth can overflow a stack."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return False
