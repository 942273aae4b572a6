"""What every importer yields: one entry per thing found in an export, named by where it is in the
file, and either a mnemo memory (with a caller id derived from the vendor's id, so that a rerun writes
nothing twice), a reason to skip it, or why it cannot be read."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from ...memtypes.records import SCOPE_ID_PATTERN, MemoryIn

_SCOPE_ID = re.compile(SCOPE_ID_PATTERN)
_UNSAFE = re.compile(r"[^A-Za-z0-9._:@/+-]+")


@dataclass(frozen=True)
class Entry:
    where: str  # e.g. `results[3]`, `agents[0].messages[12]`
    memory: MemoryIn | None = None
    skipped: str | None = None  # a reason, one word first: `empty`, `system_message`, …
    error: str | None = None


Reader = Callable[[Any], Iterator[Entry]]


def entry(where: str, **fields: Any) -> Entry:
    """An entry of a memory built from `fields`; a field mnemo refuses makes it a failed entry."""
    try:
        return Entry(where, memory=MemoryIn.model_validate(fields))
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        field = ".".join(str(p) for p in first["loc"]) or "memory"
        return Entry(where, error=f"{field}: {first['msg']}")


def text_in(where: str, item: Any, what: str, *keys: str) -> str | Entry:
    """The text of an export's `item`: its first non-empty value under `keys`; or, where it has
    none, the entry that says so: an error when `item` is not an object, `empty <what>` when the text
    is missing or blank."""
    if not isinstance(item, dict):
        return Entry(where, error="not an object")
    text = next((item[k] for k in keys if item.get(k)), None)
    if not isinstance(text, str) or not text.strip():
        return Entry(where, skipped=f"empty {what}")
    return text


def caller_id(vendor: str, vendor_id: Any, *fallback: Any) -> str:
    """The memory's caller id: the vendor's own id, else a digest of what identifies it in the file."""
    if vendor_id not in (None, ""):
        return f"{vendor}:{vendor_id}"[:256]
    digest = hashlib.sha256("\x1f".join(str(part) for part in fallback).encode()).hexdigest()[:32]
    return f"{vendor}:{digest}"


def scope_id(raw: Any) -> str | None:
    """A vendor's id as a mnemo scope id: kept as it is when mnemo can, else its unsafe characters
    replaced (`Ada Lovelace` → `Ada_Lovelace`)."""
    if raw in (None, ""):
        return None
    text = str(raw)
    if _SCOPE_ID.match(text):
        return text
    safe = _UNSAFE.sub("_", text).strip("_")[:256]
    return safe if safe and _SCOPE_ID.match(safe) else None


def instant(raw: Any) -> datetime | None:
    """An export's time: ISO 8601 (a naive one read as UTC) or Unix seconds; None when absent or
    unreadable (the memory then takes the time of its import)."""
    if raw in (None, ""):
        return None
    try:
        moment = (
            datetime.fromtimestamp(float(raw), UTC)
            if isinstance(raw, int | float)
            else datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
        )
    except (ValueError, OverflowError, OSError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def items_of(data: Any, *keys: str) -> list[Any]:
    """The list an export holds: itself, or under the first of `keys` it has."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in keys:
            if isinstance(data.get(key), list):
                return list(data[key])
    return []


def text_of(content: Any) -> str:
    """A message's text: a string, or the text parts of a list of content parts."""
    if isinstance(content, str):
        return content.strip()
    if isinstance(content, list):
        parts = [
            p.get("text", "") for p in content if isinstance(p, dict) and p.get("type", "text") == "text"
        ]
        return "\n".join(p for p in parts if isinstance(p, str)).strip()
    return ""
