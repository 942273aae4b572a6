"""Readers of other memory systems' exports (`mnemo import --from`), each into mnemo memories with
caller ids derived from the vendor's ids, so that importing twice writes nothing twice."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from . import ams, letta, mem0, zep
from .entries import Entry, Reader

READERS: dict[str, Reader] = {"mem0": mem0.read, "letta": letta.read, "ams": ams.read, "zep": zep.read}


def read_export(vendor: str, path: Path) -> list[Entry]:
    """The export's entries: one JSON document, or JSON lines (one object a line; a line that is not
    JSON is a failed entry named by its number)."""
    text = path.read_text(encoding="utf-8")
    try:
        return list(READERS[vendor](json.loads(text)))
    except json.JSONDecodeError:
        pass
    objects: list[Any] = []
    unreadable: list[Entry] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                objects.append(json.loads(line))
            except json.JSONDecodeError as exc:
                unreadable.append(Entry(f"line {number}", error=f"not JSON: {exc.msg}"))
    return [*unreadable, *READERS[vendor](objects)]


__all__ = ["READERS", "Entry", "read_export"]
