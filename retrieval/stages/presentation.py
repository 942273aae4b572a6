"""Presentation: sections per type in a fixed order; episodic memories in chronological order under
time headers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ...memtypes.rendering import LINE_FORMAT, memory_line, section_header, time_header
from ...memtypes.types import SECTION_ORDER, SPECS, MemoryType


def line_for(memory_type: MemoryType, payload: Mapping[str, Any]) -> str:
    """Re-render a stored memory's context line (the same text its token counts were taken of)."""
    due = payload.get("due_ts")
    return memory_line(
        memory_type,
        str(payload.get("content", "")),
        datetime.fromtimestamp(due, UTC) if isinstance(due, int | float) else None,
    )


def stored_line_tokens(payload: Mapping[str, Any], encoding: str) -> int | None:
    """The line's token count stored at write time, if it was taken of the current line format."""
    stored = payload.get("line_tokens")
    if payload.get("line_format") != LINE_FORMAT or not isinstance(stored, dict):
        return None
    tokens = stored.get(encoding)
    return tokens if isinstance(tokens, int) else None


def group_for(memory_type: MemoryType, payload: Mapping[str, Any]) -> str | None:
    """The header a memory is shown under: an episodic memory's time."""
    occurred = payload.get("occurred_ts")
    if not SPECS[memory_type].holds_events or not isinstance(occurred, int | float):
        return None
    return time_header(occurred)


@dataclass(frozen=True)
class PresentedItem:
    memory_type: MemoryType
    line: str
    score: float
    occurred_ts: float
    group: str | None = None  # the header over this item's group (episodic: its time header)


def order_sections(items: Sequence[PresentedItem]) -> list[tuple[MemoryType, list[PresentedItem]]]:
    """Group items by type in section order; episodic oldest-first, the others best-first."""
    sections = []
    for memory_type in SECTION_ORDER:
        group = [i for i in items if i.memory_type is memory_type]
        if not group:
            continue
        if SPECS[memory_type].holds_events:
            group.sort(key=lambda i: i.occurred_ts)
        else:
            group.sort(key=lambda i: -i.score)
        sections.append((memory_type, group))
    return sections


def _section(items: Sequence[PresentedItem]) -> str:
    """The lines in order, each group's header once above its first line. A group's items are
    adjacent (a time header is a minute of the chronological order), so each header is written once,
    as budget packing priced it."""
    out, current = [], None
    for item in items:
        if item.group is not None and item.group != current:
            out.append(item.group)
        current = item.group
        out.append(item.line)
    return "".join(out)


def render_context(items: Sequence[PresentedItem]) -> str:
    return "".join(
        section_header(memory_type) + _section(group) for memory_type, group in order_sections(items)
    )
